import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { silentLogger } from '../../main/core/ports';
import { createSync } from '../../main/core/stripe/sync';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';

type O = Record<string, unknown>;

/** Every object of a list endpoint, as Stripe's API answers it (real HTTP to the local server). */
async function listAll(sim: StripeSim, key: string, resource: string): Promise<O[]> {
  const out: O[] = [];
  let after: string | null = null;
  for (;;) {
    const url = `${sim.url}/v1/${resource}?limit=100${after ? `&starting_after=${after}` : ''}`;
    const page = (await (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: O[]; has_more: boolean };
    out.push(...page.data);
    if (!page.has_more || !page.data.length) return out;
    after = String(page.data.at(-1)!.id);
  }
}
const get = (o: unknown, p: string): unknown => p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as O)[k] : undefined), o) ?? null;

describe('raw Stripe JSON kept by the sync (database size, #22)', () => {
  let sim: StripeSim;
  let key: string;
  let db: Sqlite;
  beforeAll(async () => {
    sim = await startStripeSim({ seed: 9, customers: 120, rateLimit: null });
    key = randomTestKey();
    sim.addKey(key, 'all');
    db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    migrate(db, workspaceMigrations);
    const r = await createSync({ db, apiBase: sim.url, key, fetch, clock: { now: () => sim.now() * 1000 }, logger: silentLogger, ratePerSecond: 1000, pageSize: 100 }).run();
    expect(r.status).toBe('completed');
  }, 120_000);
  afterAll(async () => {
    db.close();
    await sim.close();
  });

  // The payment history is ~30 objects a customer: each type keeps a share of what Stripe sent
  // (it kept all of it: 2.3 KB an invoice), and what the product reads from it reads the same.
  // Invoice payments are small and nearly all fields matter: only their nulls go.
  const cases: [string, number, string[]][] = [
    ['invoices', 0.45, ['number', 'status_transitions.paid_at', 'total', 'amount_remaining', 'parent.subscription_details.subscription']],
    ['payment_intents', 0.45, ['status', 'last_payment_error.code', 'last_payment_error.decline_code', 'last_payment_error.charge', 'latest_charge']],
    ['charges', 0.6, ['status', 'outcome.type', 'outcome.reason', 'outcome.advice_code', 'failure_code', 'payment_method_details.card.exp_year']],
    ['invoice_payments', 0.97, ['status', 'status_transitions.paid_at', 'payment.payment_intent']],
  ];
  it.each(cases)('%s: at most %s of the bytes, with every field the product reads', async (table, share, paths) => {
    const api = await listAll(sim, key, table);
    expect(api.length).toBeGreaterThan(100);
    const stored = new Map((db.prepare(`SELECT id, raw FROM ${table}`).all() as { id: string; raw: string }[]).map((r) => [r.id, r.raw]));
    expect(stored.size).toBe(api.length);
    let sent = 0;
    let kept = 0;
    for (const o of api) {
      const raw = stored.get(String(o.id))!;
      sent += Buffer.byteLength(JSON.stringify(o));
      kept += Buffer.byteLength(raw);
      const back = JSON.parse(raw) as O;
      for (const p of paths) expect(get(back, p), `${table} ${String(o.id)} ${p}`).toEqual(get(o, p));
    }
    expect(kept / sent).toBeLessThan(share);
  });

  it('SQL readers of raw read the same values (json_extract on the stored text)', () => {
    const paid = db.prepare(`SELECT count(*) FROM invoices WHERE status = 'paid' AND json_extract(raw, '$.status_transitions.paid_at') IS NULL`).pluck().get();
    expect(paid).toBe(0);
    const numbered = db.prepare(`SELECT count(*) FROM invoices WHERE status <> 'draft' AND json_extract(raw, '$.number') IS NULL`).pluck().get();
    expect(numbered).toBe(0);
    // charges.advice_code is a generated column over raw.
    const failed = db.prepare(`SELECT count(*) FROM charges WHERE status = 'failed'`).pluck().get() as number;
    expect(failed).toBeGreaterThan(0);
  });
});
