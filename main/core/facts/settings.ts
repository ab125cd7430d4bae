import type { Sqlite } from '../db/sqlite';
import { DEFAULT_MRR_OPTIONS, type MrrOptions } from './mrr';

/** Workspace MRR settings, kept in the workspace `meta` table. */
const KEY = 'mrr_include_finite_coupons';

export function readMrrOptions(db: Sqlite): MrrOptions {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined;
  return row ? { includeFiniteCoupons: row.value === '1' } : { ...DEFAULT_MRR_OPTIONS };
}

export function writeMrrOptions(db: Sqlite, opts: MrrOptions): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(KEY, opts.includeFiniteCoupons ? '1' : '0');
}
