/**
 * Exports (#19): every customer to CSV through the exports' members table and
 * the guarded CSV writer, streamed into a file, as a ratio to a bare read of
 * the same rows (the same SQL statement, iterated) joined with commas and
 * written to a file in the same run, interleaved, best of 3. Target: ≤ 2×
 * (the export at ≥ 0.5× the bare SELECT's speed). Constant memory: the peak
 * heap growth while exporting is in the note (it must not grow with N).
 * Run alone: `BENCH_N=100000 node --import tsx bench/exports-bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { migrate, openSqlite } from '../main/core/db/sqlite';
import { workspaceMigrations } from '../main/core/db/workspace-migrations';
import { writeCsvTable } from '../main/core/exports/csv-writer';
import { finish, put } from '../main/core/exports/sink';
import { membersTable } from '../main/core/exports/tables/members';
import { writeSyntheticFacts } from './synthetic-facts';
import type { BenchRow } from './table';

export async function exportRows(n: number, runs = 3): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-export-'));
  const db = openSqlite(path.join(dir, 'bench.sqlite'));
  try {
    migrate(db, workspaceMigrations);
    writeSyntheticFacts(db, n, 7);
    const file = path.join(dir, 'out.csv');
    let mine = Infinity;
    let floor = Infinity;
    let peakHeapMb = 0;
    let bytes = 0;
    for (let r = 0; r < runs; r++) {
      // Floor: the same statement's rows, joined with commas, written in 64 KB chunks.
      let t = performance.now();
      let out = fs.createWriteStream(file);
      let buf = '';
      for (const row of membersTable(db, 'usd', null).rows) {
        buf += `${row.join(',')}\n`;
        if (buf.length >= 65536) {
          await put(out, buf);
          buf = '';
        }
      }
      await put(out, buf);
      await finish(out);
      floor = Math.min(floor, performance.now() - t);

      // The export: typed cells, money in major units, every cell guarded (RFC 4180).
      const heap0 = process.memoryUsage().heapUsed;
      const timer = setInterval(() => (peakHeapMb = Math.max(peakHeapMb, (process.memoryUsage().heapUsed - heap0) / 2 ** 20)), 20);
      t = performance.now();
      out = fs.createWriteStream(file);
      const rows = await writeCsvTable(membersTable(db, 'usd', null), out);
      await finish(out);
      mine = Math.min(mine, performance.now() - t);
      clearInterval(timer);
      if (rows !== n) throw new Error(`exported ${rows} rows of ${n}`);
      bytes = fs.statSync(file).size;
    }
    const scale = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
    return [
      {
        section: 'exports', figure: 'members → CSV file (guarded, typed)', scale, ms: mine, floorMs: floor, floor: 'bare SELECT → file', ratio: mine / floor, target: 2,
        note: `${(bytes / 2 ** 20).toFixed(0)} MB file; peak heap growth while exporting ${peakHeapMb.toFixed(0)} MB`,
      },
    ];
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./table');
  const rows = await exportRows(Number(process.env.BENCH_N ?? 1_000_000));
  console.log(renderTable(rows));
  for (const r of rows) console.log(`${r.figure} ${r.scale}: ${r.ms.toFixed(0)} ms vs ${r.floorMs.toFixed(0)} ms (${r.ratio.toFixed(2)}×) — ${r.note}`);
}
