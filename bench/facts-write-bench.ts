/**
 * The facts write (#22): rewriting N customer_facts rows as the facts recompute does, with
 * nothing changed and with 1% changed (a fact and the name), before and after the UPSERT:
 *
 * - before: INSERT OR REPLACE under the version 19 triggers (every row deleted and inserted,
 *   its name and email re-tokenised for the trigram search index, every customer marked dirty);
 * - after: facts/compute.ts's FACTS_UPSERT under the migration 22 triggers.
 *
 * Floor: a bare INSERT of the same rows into an empty customer_facts with its indexes but
 * without the search and membership triggers, in the same run. Rows are written in
 * transactions of 500 like the recompute. Run alone: `BENCH_N=100000 node --import tsx bench/facts-write-bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrate, openSqlite, type Sqlite } from '../main/core/db/sqlite';
import { workspaceMigrations } from '../main/core/db/workspace-migrations';
import { FACTS_UPSERT } from '../main/core/facts/compute';
import { writeSyntheticFacts } from './synthetic-facts';
import type { BenchRow } from './table';

const NOW = 1_793_491_200;
const BATCH = 500;
type Row = Record<string, unknown>;

function workspace(dir: string, name: string, version: number): Sqlite {
  const db = openSqlite(path.join(dir, `${name}.sqlite`));
  migrate(db, workspaceMigrations.slice(0, version));
  return db;
}

/** Wall time of writing `rows` with `stmt`, in transactions of BATCH rows. */
function write(db: Sqlite, sql: string, rows: Row[]): number {
  const stmt = db.prepare(sql);
  const batch = db.transaction((from: number) => {
    for (let i = from; i < Math.min(rows.length, from + BATCH); i++) stmt.run(rows[i]);
  });
  const t = performance.now();
  for (let from = 0; from < rows.length; from += BATCH) batch(from);
  return performance.now() - t;
}

/** The rows with 1% of them changed: a fact (amount at risk) and the name; `round` makes each call differ. */
const onePercentChanged = (rows: Row[], round: number) =>
  rows.map((r, i) => (i % 100 === 0 ? { ...r, amount_at_risk: (r.amount_at_risk as number) + 100 * round, name: `${String(r.name)} r${round}` } : r));

export async function factsWriteRows(n: number, runs = 3): Promise<{ rows: BenchRow[]; profile: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-facts-write-'));
  const scale = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
  try {
    const src = workspace(dir, 'src', workspaceMigrations.length);
    writeSyntheticFacts(src, n, 7, NOW);
    const rows = src.prepare('SELECT * FROM customer_facts ORDER BY customer_id').all() as Row[];
    const columns = Object.keys(rows[0]!);
    src.close();
    const insert = `INSERT INTO customer_facts (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;
    const replace = insert.replace('INSERT INTO', 'INSERT OR REPLACE INTO');

    const bare = workspace(dir, 'bare', workspaceMigrations.length);
    for (const t of bare.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customer_facts'`).pluck().all() as string[]) bare.exec(`DROP TRIGGER ${t}`);
    const before = workspace(dir, 'before', 19);
    const after = workspace(dir, 'after', workspaceMigrations.length);
    const firstBefore = write(before, insert, rows);
    const firstAfter = write(after, insert, rows);

    const floor: number[] = [];
    const same = { before: [] as number[], after: [] as number[] };
    const changed = { before: [] as number[], after: [] as number[] };
    // Customers each write marked for a membership recompute (the last run's).
    const marked: Record<string, number> = {};
    const timed = (key: string, db: Sqlite, sql: string, input: Row[], into: number[]) => {
      db.exec('DELETE FROM membership_dirty');
      into.push(write(db, sql, input));
      marked[key] = db.prepare('SELECT count(*) FROM membership_dirty').pluck().get() as number;
    };
    let stored = rows;
    for (let k = 0; k < runs; k++) {
      bare.exec('DELETE FROM customer_facts');
      floor.push(write(bare, insert, rows));
      timed('same.before', before, replace, stored, same.before);
      timed('same.after', after, FACTS_UPSERT, stored, same.after);
      stored = onePercentChanged(rows, k + 1);
      timed('changed.before', before, replace, stored, changed.before);
      timed('changed.after', after, FACTS_UPSERT, stored, changed.after);
    }
    for (const db of [bare, before, after]) db.close();

    const best = (xs: number[]) => Math.min(...xs);
    const f = best(floor);
    const row = (figure: string, ms: number, key: string): BenchRow => ({
      section: 'facts write', figure, scale, ms, floorMs: f, floor: 'bare INSERT (no triggers)', ratio: ms / f, target: 0.5,
      note: `${marked[key]!.toLocaleString('en')} customers marked for membership`,
    });
    return {
      rows: [
        row('rewrite, nothing changed: INSERT OR REPLACE (before)', best(same.before), 'same.before'),
        row('rewrite, nothing changed: UPSERT', best(same.after), 'same.after'),
        row('rewrite, 1% changed: INSERT OR REPLACE (before)', best(changed.before), 'changed.before'),
        row('rewrite, 1% changed: UPSERT', best(changed.after), 'changed.after'),
      ],
      profile: [
        `facts write ${scale}: bare INSERT ${f.toFixed(0)} ms; first write with the triggers: version 19 ${firstBefore.toFixed(0)} ms, ` +
          `version 22 ${firstAfter.toFixed(0)} ms (best of ${runs})`,
      ],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./table');
  const r = await factsWriteRows(Number(process.env.BENCH_N ?? 100_000), Number(process.env.BENCH_RUNS ?? 3));
  console.log(renderTable(r.rows));
  for (const x of r.rows) console.log(`${x.figure} ${x.scale}: ${x.ms.toFixed(0)} ms vs ${x.floorMs.toFixed(0)} ms (${x.ratio.toFixed(2)}×)${x.note ? ` — ${x.note}` : ''}`);
  console.log(r.profile.join('\n'));
}
