import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { silentLogger, type Clock } from '../../main/core/ports';
import { checkKey } from '../../main/core/stripe/connect';
import { REQUIRED_PERMISSIONS } from '../../main/core/stripe/permissions';
import { createSync } from '../../main/core/stripe/sync';
import { stripeTimeoutMs } from '../../main/core/stripe/client';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';

const CHILD = path.resolve(import.meta.dirname, 'sync-child.ts');
type O = Record<string, unknown>;

/** Per-table checksums over the fields recovery depends on. */
const FIELDS: Record<string, [string, (o: O) => unknown[]]> = {
  customers: ['id, email, deleted', (o) => [o.id, o.email, o.deleted ? 1 : 0]],
  products: ['id, name', (o) => [o.id, o.name]],
  prices: ['id, unit_amount', (o) => [o.id, o.unit_amount]],
  coupons: ['id, percent_off', (o) => [o.id, o.percent_off]],
  subscriptions: ['id, status', (o) => [o.id, o.status]],
  invoices: ['id, status, amount_remaining, attempt_count', (o) => [o.id, o.status, o.amount_remaining, o.attempt_count]],
  invoice_payments: ['id, invoice_id, status', (o) => [o.id, o.invoice, o.status]],
  payment_intents: ['id, status', (o) => [o.id, o.status]],
  charges: ['id, status, amount_refunded', (o) => [o.id, o.status, o.amount_refunded]],
  payment_methods: ['id, exp_year', (o) => [o.id, (o.card as O).exp_year]],
  refunds: ['id, amount', (o) => [o.id, o.amount]],
};
const digest = (rows: unknown[][]) => crypto.createHash('sha256').update(JSON.stringify(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]))))).digest('hex').slice(0, 16);

function dbChecksums(db: Sqlite): Record<string, string> {
  return Object.fromEntries(Object.entries(FIELDS).map(([t, [cols]]) => [t, digest(db.prepare(`SELECT ${cols} FROM ${t}`).raw().all() as unknown[][])]));
}
function simChecksums(sim: StripeSim): Record<string, string> {
  const snap = sim.snapshot() as unknown as Record<string, O[]>;
  return Object.fromEntries(Object.entries(FIELDS).map(([t, [, pick]]) => [t, digest(snap[t]!.map(pick))]));
}

function freshDb(): { db: Sqlite; file: string } {
  const file = path.join(tempDir(), 'ws.sqlite');
  const db = openSqlite(file);
  migrate(db, workspaceMigrations);
  return { db, file };
}

/** The sync's clock follows the simulator's. */
const simClock = (sim: StripeSim): Clock => ({ now: () => sim.now() * 1000 });

describe('sync against the local Stripe server', () => {
  const sims: StripeSim[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  async function sim(opts: Parameters<typeof startStripeSim>[0] = {}) {
    const s = await startStripeSim({ seed: 9, customers: 120, rateLimit: null, ...opts });
    sims.push(s);
    const key = randomTestKey();
    s.addKey(key, 'all');
    return { s, key };
  }
  const run = (db: Sqlite, s: StripeSim, key: string, extra: Partial<Parameters<typeof createSync>[0]> = {}, signal?: AbortSignal) =>
    createSync({ db, apiBase: s.url, key, fetch, clock: simClock(s), logger: silentLogger, ratePerSecond: 1000, pageSize: 25, backoffMs: 5, rateLimitBackoffMs: 20, ...extra }).run(signal ? { signal } : {});

  it('a full sync equals the generator’s data, table by table', async () => {
    const { s, key } = await sim();
    const { db } = freshDb();
    const result = await run(db, s, key);
    expect(result.status).toBe('completed');
    for (const [t] of Object.entries(FIELDS)) expect(db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(s.counts()[t]);
    expect(dbChecksums(db)).toEqual(simChecksums(s));
    expect(db.prepare('SELECT count(*) FROM dirty_customers').pluck().get()).toBe(s.counts().customers);
  });

  it('cancelled mid-way, then resumed, gives the same result without re-reading what was committed', async () => {
    const { s, key } = await sim();
    const { db } = freshDb();
    const abort = new AbortController();
    let pages = 0;
    const counting: typeof fetch = async (...args) => {
      if (++pages === 12) abort.abort(new Error('user cancelled'));
      return fetch(...args);
    };
    expect((await run(db, s, key, { fetch: counting }, abort.signal)).status).toBe('canceled');
    const partial = db.prepare('SELECT count(*) FROM charges').pluck().get() as number;
    const before = s.requestLog.length;
    expect((await run(db, s, key)).status).toBe('completed');
    expect(dbChecksums(db)).toEqual(simChecksums(s));
    // The resumed run did not start over: fewer requests than a full sync would need.
    const full = freshDb();
    const fullBefore = s.requestLog.length;
    await run(full.db, s, key);
    const fullRequests = s.requestLog.length - fullBefore;
    expect(fullBefore - before).toBeLessThan(fullRequests);
    expect(partial).toBeLessThanOrEqual(s.counts().charges!);
  });

  it('killed with SIGKILL at random moments, then resumed, gives the same result', async () => {
    const { s, key } = await sim({ customers: 200 });
    const { db, file } = freshDb();
    db.close();
    const killedMidway: boolean[] = [];
    for (const delay of [300, 800, 1300]) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, s.url], { env: { ...process.env, SYNC_KEY: key }, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await new Promise<void>((r) => child.stdout.once('data', () => r()));
      await new Promise((r) => setTimeout(r, delay));
      killedMidway.push(child.kill('SIGKILL'));
      await exited;
    }
    // At least one kill landed while the child was still syncing.
    expect(killedMidway).toContain(true);
    const resumed = openSqlite(file);
    expect((await run(resumed, s, key)).status).toBe('completed');
    expect(dbChecksums(resumed)).toEqual(simChecksums(s));
  });

  it('completes through 429 storms, 5xx bursts, dropped and truncated responses with identical data', async () => {
    const { s, key } = await sim();
    s.setFaults(
      [
        { kind: '429', rate: 0.15 },
        { kind: '5xx', status: 503, rate: 0.1 },
        { kind: 'drop', rate: 0.05 },
        { kind: 'truncate', rate: 0.05 },
      ],
      { seed: 4 },
    );
    const { db } = freshDb();
    const result = await run(db, s, key, { ratePerSecond: 2000 });
    s.setFaults([]);
    expect(result.status).toBe('completed');
    expect(result.retries).toBeGreaterThan(0);
    expect(dbChecksums(db)).toEqual(simChecksums(s));
  });

  it('completes through responses that never end (no answer, or a body that stalls), with the timeout from RECLAIM_STRIPE_TIMEOUT_MS', async () => {
    expect(stripeTimeoutMs({})).toBe(30_000);
    expect(stripeTimeoutMs({ RECLAIM_STRIPE_TIMEOUT_MS: '400' })).toBe(400);
    for (const bad of ['', 'abc', '0', '-5', '1.5', '99999999']) expect(stripeTimeoutMs({ RECLAIM_STRIPE_TIMEOUT_MS: bad }), bad).toBe(30_000);
    const { s, key } = await sim();
    s.setFaults([{ kind: 'hang', rate: 0.04 }, { kind: 'hang', rate: 0.04, midBody: true }], { seed: 5 });
    const before = process.env.RECLAIM_STRIPE_TIMEOUT_MS;
    // Short enough to keep the test quick, long enough that a busy machine's real answers are not cut.
    process.env.RECLAIM_STRIPE_TIMEOUT_MS = '2000';
    const reasons: string[] = [];
    const logger = { ...silentLogger, debug: (o: unknown) => void reasons.push(String((o as { reason?: unknown }).reason)) };
    try {
      const { db } = freshDb();
      const result = await run(db, s, key, { logger });
      expect(result.status).toBe('completed');
      expect(dbChecksums(db)).toEqual(simChecksums(s));
      // Hung attempts were given up after the configured 2 s (not the 30 s default) and retried.
      expect(reasons.filter((r) => r === 'timed out after 2000 ms').length).toBeGreaterThan(0);
    } finally {
      s.setFaults([]);
      if (before === undefined) delete process.env.RECLAIM_STRIPE_TIMEOUT_MS;
      else process.env.RECLAIM_STRIPE_TIMEOUT_MS = before;
    }
  });

  it('picks up new and changed objects from the Events API after time passes', async () => {
    const { s, key } = await sim();
    const { db } = freshDb();
    await run(db, s, key);
    const openBefore = db.prepare("SELECT count(*) FROM invoices WHERE status = 'open'").pluck().get();
    s.advance(3 * 86_400);
    expect(simChecksums(s)).not.toEqual(dbChecksums(db));
    const before = s.requestLog.length;
    const result = await run(db, s, key);
    expect(result.counts.events).toBeGreaterThan(0);
    expect(dbChecksums(db)).toEqual(simChecksums(s));
    // Incremental: a few event pages per stream plus re-reads of same-second objects, not a re-download (~90 requests).
    expect(s.requestLog.length - before).toBeLessThan(40);
    expect(db.prepare("SELECT count(*) FROM invoices WHERE status = 'open'").pluck().get()).not.toBe(openBefore);
  });

  it('runs a fresh backfill when an event stream was last read longer ago than Stripe’s 30-day retention', async () => {
    const { s, key } = await sim();
    const { db } = freshDb();
    await run(db, s, key);
    // The workspace was last synced 40 days ago: its newest events and its last read are that old.
    db.prepare(
      "UPDATE sync_state SET cursor_created = cursor_created - 40 * 86400, cursor = json_set(cursor, '$.readAt', json_extract(cursor, '$.readAt') - 40 * 86400) WHERE resource LIKE 'events%'",
    ).run();
    const result = await run(db, s, key);
    expect(result.reason).toBe('events expired');
    expect(result.counts.customers).toBe(s.counts().customers);
    expect(dbChecksums(db)).toEqual(simChecksums(s));
  });

  it('a quiet event stream read every few days never forces a full backfill (#17 item 8)', async () => {
    const { s, key } = await sim({ customers: 40 });
    const { db } = freshDb();
    await run(db, s, key);
    // Nothing in the catalog changes for 45 days; payments, invoices and signups do. The
    // workspace syncs every 15 days, so no stream goes unread for 30 days.
    for (let i = 0; i < 3; i++) {
      s.advance(15 * 86_400);
      const before = s.requestLog.length;
      const result = await run(db, s, key);
      expect(result.status).toBe('completed');
      expect(result.reason, `sync ${i + 1}`).toBeUndefined();
      // Incremental: no customer list was read again.
      expect(s.requestLog.slice(before).filter((r) => r.path.startsWith('/v1/customers?')).length, `sync ${i + 1}`).toBe(0);
    }
    const catalog = db.prepare("SELECT cursor_created FROM sync_state WHERE resource = 'events:catalog'").pluck().get() as number;
    expect(catalog).toBeLessThan(s.now() - 30 * 86_400);
    expect(dbChecksums(db)).toEqual(simChecksums(s));
  });

  it('names every missing permission of a restricted key', async () => {
    const { s } = await sim({ customers: 5 });
    const partial = randomTestKey();
    s.addKey(partial, ['rak_customer_read', 'rak_invoice_read', 'rak_event_read']);
    const check = await checkKey({ key: partial, apiBase: s.url, fetch });
    expect(check.accountId).toBe(s.accountId);
    expect(check.missing.map((m) => m.permission).sort()).toEqual(
      REQUIRED_PERMISSIONS.map((p) => p.permission).filter((p) => !['rak_customer_read', 'rak_invoice_read', 'rak_event_read'].includes(p)).sort(),
    );
    const full = randomTestKey();
    s.addKey(full, REQUIRED_PERMISSIONS.map((p) => p.permission));
    expect((await checkKey({ key: full, apiBase: s.url, fetch })).missing).toEqual([]);
    await expect(checkKey({ key: randomTestKey(), apiBase: s.url, fetch })).rejects.toThrow(/rejected the key \(401\)/);
  });
});

