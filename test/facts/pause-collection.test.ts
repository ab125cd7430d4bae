import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { silentLogger } from '../../main/core/ports';
import { createSync } from '../../main/core/stripe/sync';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';

/**
 * #17 item 9: a subscription whose payment collection is paused keeps status `active`
 * (Stripe: "the subscription status will be unchanged"), but collects nothing: no MRR
 * until `resumes_at`. Local Stripe server → events → real sync → facts.
 */
let sim: StripeSim;
let db: Sqlite;
let key: string;
const sync = async () => {
  const r = await createSync({ db, apiBase: sim.url, key, fetch, clock: { now: () => sim.now() * 1000 }, logger: silentLogger, ratePerSecond: 1000, pageSize: 100, backoffMs: 5 }).run({});
  expect(r.status).toBe('completed');
  recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: 'dirty' });
};
const mrr = (customer: string) => db.prepare('SELECT mrr FROM customer_facts WHERE customer_id = ?').pluck().get(customer) as number;

beforeAll(async () => {
  sim = await startStripeSim({ seed: 8, customers: 40, rateLimit: null });
  key = randomTestKey();
  sim.addKey(key, 'all');
  db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  await sync();
});
afterAll(async () => {
  db?.close();
  await sim?.close();
});

describe('pause_collection and MRR', () => {
  it('every behavior takes the subscription out of MRR while paused; it counts again after resumes_at', async () => {
    // One customer per behavior, each with a single active subscription that has MRR.
    const subs = sim.snapshot().subscriptions.filter((s) => s.status === 'active');
    const single = subs.filter((s) => subs.filter((o) => o.customer === s.customer).length === 1 && sim.snapshot().subscriptions.filter((o) => o.customer === s.customer).length === 1);
    const picked = single.filter((s) => mrr(s.customer as string) > 0).slice(0, 4);
    expect(picked.length).toBe(4);
    const before = picked.map((s) => mrr(s.customer as string));
    sim.tick(60);
    const behaviors = ['void', 'mark_uncollectible', 'keep_as_draft'];
    behaviors.forEach((behavior, i) => sim.updateSubscription(picked[i]!.id as string, { pause_collection: { behavior, resumes_at: null } }));
    // The fourth pauses until a day from now.
    sim.updateSubscription(picked[3]!.id as string, { pause_collection: { behavior: 'void', resumes_at: sim.now() + 86_400 } });
    await sync();
    expect(picked.map((s) => db.prepare('SELECT status FROM subscriptions WHERE id = ?').pluck().get(s.id))).toEqual(['active', 'active', 'active', 'active']);
    expect(picked.map((s) => mrr(s.customer as string))).toEqual([0, 0, 0, 0]);
    // Two days later: the one with resumes_at collects again (facts recomputed for the new day).
    sim.advance(2 * 86_400);
    await sync();
    recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: picked.map((s) => s.customer as string) });
    expect(picked.map((s) => mrr(s.customer as string))).toEqual([0, 0, 0, before[3]]);
  });
});
