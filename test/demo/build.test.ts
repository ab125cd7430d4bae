import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { writeDemoData } from '../../main/core/demo/build';
import { recomputeFacts } from '../../main/core/facts/compute';
import { silentLogger } from '../../main/core/ports';
import { createSync } from '../../main/core/stripe/sync';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';

/**
 * #22: the demo's data is written straight into the workspace (main/core/demo/build.ts), not
 * pulled from the local Stripe server over HTTP. The workspace must be the one the sync from
 * that server makes: every row of every table, the sync's bookkeeping and the customer facts.
 */
const SEED = 42;
const CUSTOMERS = 120;
const NOW_MS = 1_796_000_000_000; // the real clock of both builds (2026-11-30)

function workspaceDb(): Sqlite {
  const db = openSqlite(path.join(tempDir('reclaim-demo-build-'), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  return db;
}

/** Every table's rows, each as JSON, sorted: what a workspace holds whatever order it was written in. */
function contents(db: Sqlite): Record<string, string[]> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = (db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).map((r) => JSON.stringify(r)).sort();
    if (rows.length) out[t] = rows;
  }
  return out;
}

const sims: StripeSim[] = [];
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

describe('the demo builder writes what the sync from the local Stripe server writes', () => {
  for (const history of [false, true]) {
    it(`${CUSTOMERS} customers, seed ${SEED}${history ? ', with the history’s open invoices' : ''}`, async () => {
      const simNow = history ? Math.floor(NOW_MS / 1000) - 3 * 3600 : 1_793_491_200;
      const sim = await startStripeSim({ seed: SEED, customers: CUSTOMERS, rateLimit: null, smartRetries: false, ...(history ? { history: true, now: simNow } : {}) });
      sims.push(sim);
      const key = randomTestKey();
      sim.addKey(key, 'all');
      const synced = workspaceDb();
      const r = await createSync({ db: synced, apiBase: sim.url, key, fetch, clock: { now: () => NOW_MS }, logger: silentLogger, ratePerSecond: 10_000, backoffMs: 5 }).run({});
      expect(r.status).toBe('completed');

      const built = workspaceDb();
      const progress: number[] = [];
      // Small transactions, so the cursors and marks cross several of them.
      const b = await writeDemoData(built, { seed: SEED, customers: CUSTOMERS, simNow, history, nowMs: NOW_MS, batch: 7, onProgress: (n) => progress.push(n) });
      expect(b.accountId).toBe(sim.accountId);
      // Filled under a rollback journal, handed back in WAL (readers such as the membership worker need it).
      expect(built.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(progress.length).toBeGreaterThan(10);

      for (const db of [synced, built]) recomputeFacts(db, { now: simNow, reportingCurrency: 'usd', customerIds: 'dirty' });
      const want = contents(synced);
      const got = contents(built);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      for (const t of Object.keys(want)) expect(got[t], t).toEqual(want[t]);
      // The data is the business's, not an empty pair: invoices, failed charges and facts.
      expect(want.invoices!.length).toBeGreaterThan(CUSTOMERS * 3);
      expect(want.customer_facts!.length).toBe(CUSTOMERS);
      expect(want.charges!.some((c) => c.includes('"status":"failed"'))).toBe(true);
      expect(want.sync_state!.length).toBeGreaterThan(10);
    }, 120_000);
  }
});

describe('the demo builder lets the event loop run', () => {
  it('other work (the app answering its window) runs while a demo is written, not only after', async () => {
    const db = workspaceDb();
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    let ticksAtEnd = -1;
    await writeDemoData(db, { seed: SEED, customers: 200, simNow: 1_793_491_200, history: false, nowMs: NOW_MS, onProgress: () => (ticksAtEnd = ticks) });
    ticking = false;
    // The last progress comes after the last customer is written: the loop ran many times by then.
    expect(ticksAtEnd).toBeGreaterThanOrEqual(200 / 10 - 1);
  });
});
