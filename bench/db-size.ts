/**
 * Bytes per Stripe object type in a synced workspace (issue #22, database size):
 * syncs N generated customers from the local Stripe server (no rate limit) into
 * a temporary file and prints, per table, its rows, table + index bytes (dbstat)
 * and the raw JSON's share. `node --import tsx bench/db-size.ts 2000 [keep.sqlite]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openSqlite } from '../main/core/db/sqlite';
import { workspaceMigrations } from '../main/core/db/workspace-migrations';
import { silentLogger, systemClock } from '../main/core/ports';
import { createSync } from '../main/core/stripe/sync';
import { randomTestKey, startStripeSim } from '../main/stripe-sim';

export const OBJECT_TABLES = ['customers', 'products', 'prices', 'coupons', 'subscriptions', 'subscription_items', 'discounts', 'invoices', 'invoice_payments', 'payment_intents', 'charges', 'payment_methods', 'refunds'];

export interface TableSize {
  table: string;
  rows: number;
  tableBytes: number;
  indexBytes: number;
  rawBytes: number;
}

/** Table and index bytes (pages in use) per object table, and the stored raw JSON's bytes. */
export function tableSizes(db: ReturnType<typeof openSqlite>): TableSize[] {
  const pages = db.prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name`).all() as { name: string; bytes: number }[];
  const byName = new Map(pages.map((p) => [p.name, p.bytes]));
  const indexes = db.prepare(`SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index'`).all() as { name: string; tbl_name: string }[];
  return OBJECT_TABLES.map((table) => {
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
    const rows = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const rawBytes = cols.includes('raw') ? ((db.prepare(`SELECT coalesce(sum(length(CAST(raw AS BLOB))), 0) FROM ${table}`).pluck().get() as number) ?? 0) : 0;
    const indexBytes = indexes.filter((i) => i.tbl_name === table).reduce((a, i) => a + (byName.get(i.name) ?? 0), 0);
    return { table, rows, tableBytes: byName.get(table) ?? 0, indexBytes, rawBytes };
  });
}

export function renderSizes(sizes: TableSize[]): string {
  const kb = (b: number) => (b / 1024).toFixed(0);
  const lines = ['| table | rows | table KB | index KB | raw KB | raw B/row | on disk B/row |', '|---|--:|--:|--:|--:|--:|--:|'];
  for (const s of sizes) lines.push(`| ${s.table} | ${s.rows} | ${kb(s.tableBytes)} | ${kb(s.indexBytes)} | ${kb(s.rawBytes)} | ${s.rows ? Math.round(s.rawBytes / s.rows) : 0} | ${s.rows ? Math.round((s.tableBytes + s.indexBytes) / s.rows) : 0} |`);
  const t = sizes.reduce((a, s) => ({ tb: a.tb + s.tableBytes, ib: a.ib + s.indexBytes, rb: a.rb + s.rawBytes }), { tb: 0, ib: 0, rb: 0 });
  lines.push(`| **all object tables** | | ${kb(t.tb)} | ${kb(t.ib)} | ${kb(t.rb)} | | |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const customers = Number(process.argv[2] ?? 2000);
  const keep = process.argv[3];
  const sim = await startStripeSim({ seed: 11, customers });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-db-size-'));
  const file = keep ?? path.join(dir, 'ws.sqlite');
  try {
    const key = randomTestKey();
    sim.addKey(key, 'all');
    const db = openSqlite(file);
    migrate(db, workspaceMigrations);
    const t = performance.now();
    const r = await createSync({ db, apiBase: sim.url, key, fetch: globalThis.fetch, clock: systemClock, logger: silentLogger, ratePerSecond: 100_000 }).run();
    const ms = performance.now() - t;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const total = fs.statSync(file).size;
    console.log(`${customers} customers, sync ${r.status} in ${(ms / 1000).toFixed(1)} s, file ${(total / 2 ** 20).toFixed(1)} MB (${((total * 100_000) / customers / 2 ** 30).toFixed(2)} GB per 100k customers)\n`);
    console.log(renderSizes(tableSizes(db)));
    db.close();
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
