import path from 'node:path';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { silentLogger } from '../../main/core/ports';
import { createSync } from '../../main/core/stripe/sync';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir } from './core';

/**
 * A workspace database filled by the real sync from the local Stripe server (a generated business),
 * with facts computed, for tests that read facts and segments without the whole core.
 */
export async function syncedFactsDb(opts: { seed: number; customers: number }): Promise<{ sim: StripeSim; db: Sqlite }> {
  const sim = await startStripeSim({ seed: opts.seed, customers: opts.customers, rateLimit: null });
  const key = randomTestKey();
  sim.addKey(key, 'all');
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  const r = await createSync({ db, apiBase: sim.url, key, fetch, clock: { now: () => sim.now() * 1000 }, logger: silentLogger, ratePerSecond: 1000, pageSize: 100, backoffMs: 5 }).run({});
  if (r.status !== 'completed') throw new Error(`the sync did not complete: ${r.status}`);
  recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: 'all' });
  return { sim, db };
}
