import type { Sqlite } from '../db/sqlite';
import { storedRaw } from './raw';

/**
 * Workspace migration 21 (issue #22, database size): rewrites the `raw` column of
 * workspaces synced before storedRaw (./raw.ts) to what the sync keeps now, in
 * batches of rows (memory stays flat at any size), then marks the file for a
 * VACUUM, which runs after the migrations (it cannot run inside their
 * transaction) and gives the freed pages back to the disk.
 *
 * Measured (docs/MEASURED.md): 13.6 s for a 2,000-customer workspace (65k objects, 145 MB
 * → 62 MB) on a busy 2-core machine, rewrite 11.4 s (2.9 s of CPU) + VACUUM 2.2 s; linear in
 * the rows: 70 s at 10k customers, 11 min at 100k at that load (≈ 15 s / 2.5 min with the CPU
 * free). It reports rows read of all rows (`onProgress`, after each batch): the app and the CLI
 * show "Upgrading the workspace: shrinking stored Stripe data (n of N)".
 */
export const RAW_TABLES = ['customers', 'products', 'prices', 'coupons', 'subscriptions', 'discounts', 'invoices', 'invoice_payments', 'payment_intents', 'charges', 'payment_methods', 'refunds'] as const;
export const VACUUM_META = 'vacuum_pending';
const BATCH = 2_000;

/** Rewrites every stored raw JSON; returns how many rows changed. Rows whose raw is not JSON are left alone. */
export function shrinkStoredRaw(db: Sqlite, onProgress: (done: number, total: number) => void = () => {}): number {
  let changed = 0;
  const total = RAW_TABLES.reduce((sum, t) => sum + (db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number), 0);
  // A new or empty workspace has nothing to shrink: no "Upgrading…" line for it.
  if (total === 0) return 0;
  let done = 0;
  onProgress(done, total);
  for (const table of RAW_TABLES) {
    const read = db.prepare(`SELECT rowid AS r, raw FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${BATCH}`);
    const write = db.prepare(`UPDATE ${table} SET raw = ? WHERE rowid = ?`);
    let after = 0;
    for (;;) {
      const rows = read.all(after) as { r: number; raw: string }[];
      if (!rows.length) break;
      for (const row of rows) {
        let next: string;
        try {
          const o = JSON.parse(row.raw) as unknown;
          if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
          next = storedRaw(o);
        } catch {
          continue;
        }
        if (next.length < row.raw.length) {
          write.run(next, row.r);
          changed++;
        }
      }
      after = rows.at(-1)!.r;
      done += rows.length;
      onProgress(done, total);
    }
  }
  if (changed) db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')`).run(VACUUM_META);
  return changed;
}

/**
 * After the migrations: a VACUUM when one of them freed much space (outside any transaction,
 * as SQLite requires), then the WAL it filled is truncated.
 */
export function vacuumIfPending(db: Sqlite, onStep: (done: boolean) => void = () => {}): boolean {
  const pending = db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(VACUUM_META);
  if (!pending) return false;
  onStep(false);
  try {
    db.exec('VACUUM');
  } catch {
    onStep(true);
    return false; // another process has the file open mid-transaction: the next open tries again
  }
  db.prepare(`DELETE FROM meta WHERE key = ?`).run(VACUUM_META);
  db.pragma('wal_checkpoint(TRUNCATE)');
  onStep(true);
  return true;
}
