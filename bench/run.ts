/**
 * `npm run bench` (issue #11): ONE table of ratios, each figure against a floor
 * measured in the same run, with the 10k → 100k → 1M growth; also written to
 * bench/results.json. `npm run bench -- --quick` runs small scales in a few
 * minutes (CI runs it so a broken bench is noticed). Targets are goals: a
 * ratio above its target is marked `!`, never a failure; only a crash fails.
 *
 * Sections: segments (bench/segments-bench.ts), sync (bench/sync-floor.ts),
 * CLI start-up (bench/cli-startup.ts, when present), experiment assignment (bench/experiments-bench.ts),
 * members export to CSV (bench/exports-bench.ts), the facts write (bench/facts-write-bench.ts), the dry-run plan (bench/plan-bench.ts),
 * `reclaim demo` (bench/demo-bench.ts), the Customers table in Chromium (bench/customers-chromium-bench.ts).
 * BENCH_SIZES=10000,100000 and BENCH_SYNC=2000,10000 override the scales (empty: skip);
 * so do BENCH_PLAN=50000 (open failed invoices) and BENCH_DEMO=10000 (customers;
 * BENCH_DEMO_HISTORY=0 runs only --no-history, as --quick does) and BENCH_CHROMIUM=1000000
 * (customers; --quick skips it unless set: building the renderer and opening a
 * 10k workspace take minutes on a busy 2-core machine).
 * results.json is rewritten after each section (partial: true until the end).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliStartupRows } from './cli-startup';
import { experimentRows } from './experiments-bench';
import { exportRows } from './exports-bench';
import { chromiumRows } from './customers-chromium-bench';
import { demoRows } from './demo-bench';
import { factsWriteRows } from './facts-write-bench';
import { planRows } from './plan-bench';
import { segmentRows } from './segments-bench';
import { syncRows } from './sync-floor';
import { renderTable, type BenchRow } from './table';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const list = (env: string | undefined, dflt: number[]) => (env !== undefined ? env.split(',').filter(Boolean).map(Number) : dflt);
const sizes = list(process.env.BENCH_SIZES, quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]);
const syncSizes = list(process.env.BENCH_SYNC, quick ? [2_000] : [10_000, 100_000]);
const planSizes = list(process.env.BENCH_PLAN, quick ? [5_000] : [50_000]);
// --quick: 100 customers without the history (500 with it take about a minute on a busy 2-core machine).
const demoSizes = list(process.env.BENCH_DEMO, quick ? [100] : [10_000]);
const chromiumSizes = list(process.env.BENCH_CHROMIUM, quick ? [] : [1_000_000]);
const demoHistory = quick || process.env.BENCH_DEMO_HISTORY === '0' ? [false] : [false, true];

const started = performance.now();
const rows: BenchRow[] = [];
const profile: string[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

const save = async (partial: boolean) =>
  fs.writeFileSync(
    path.join(HERE, 'results.json'),
    `${JSON.stringify({ quick, partial, date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, rows, profile }, null, 2)}\n`,
  );

for (const n of sizes) {
  log(`segments at ${n.toLocaleString('en')} customers…`);
  const r = await segmentRows(n, { quick });
  rows.push(...r.rows);
  profile.push(...r.profile);
  await save(true);
}
for (const n of syncSizes) {
  log(`full sync of ${n.toLocaleString('en')} customers at the live rate limit…`);
  const r = await syncRows(n);
  rows.push(...r.rows);
  profile.push(...r.profile);
  await save(true);
}

log('CLI start-up…');
for (const r of await cliStartupRows({ quick })) rows.push({ section: 'CLI start-up', floor: 'node -e 0', ...r });

log('experiment assignment…');
rows.push(...(await experimentRows(quick ? 100_000 : 1_000_000)));

log('members export to CSV…');
rows.push(...(await exportRows(quick ? 10_000 : 1_000_000)));
await save(true);

for (const n of planSizes) {
  log(`dry-run plan of ${n.toLocaleString('en')} open failed invoices…`);
  rows.push(...(await planRows(n, quick ? 1 : 3)));
  await save(true);
}
for (const n of demoSizes) {
  log(`reclaim demo --customers ${n.toLocaleString('en')}…`);
  // bench/cli-startup.ts built the CLI above.
  rows.push(...(await demoRows(n, { history: demoHistory, build: false })));
  await save(true);
}
if (!chromiumSizes.length) log('Customers table in Chromium: skipped (--quick or BENCH_CHROMIUM empty; BENCH_CHROMIUM=10000 runs it)');
for (const n of chromiumSizes) {
  log(`Customers table in Chromium at ${n.toLocaleString('en')} customers…`);
  rows.push(...(await chromiumRows(n, { build: ['--renderer'] })));
  await save(true);
}

log('facts write (rewrite unchanged / 1% changed)…');
{
  const r = await factsWriteRows(quick ? 10_000 : 100_000, quick ? 1 : 2);
  rows.push(...r.rows);
  profile.push(...r.profile);
}

const table = renderTable(rows);
console.log(`\nReclaim bench${quick ? ' (--quick)' : ''} — ms and ratio to the floor measured in the same run; ! = above target\n`);
console.log(table);
console.log(`\nwhere the time goes:\n${profile.map((p) => `  ${p}`).join('\n')}`);
const missed = rows.filter((r) => r.ratio > r.target).length;
console.log(`\n${rows.length} figures, ${missed} above target; ${((performance.now() - started) / 1000).toFixed(0)} s`);
await save(false);
