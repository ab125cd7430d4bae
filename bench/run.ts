/**
 * `npm run bench`: segment live-preview speed at 100k and 1M customers,
 * measured against a baseline in the same run (json-logic-js evaluating the
 * same rule, converted by react-querybuilder's formatQuery, over rows already
 * loaded in memory — a generous baseline: it pays no I/O).
 *
 * Targets (issue #5): preview ≤ 100 ms at 100k and ≤ 400 ms at 1M customers.
 * BENCH_SIZES=100000,1000000 overrides the sizes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsonLogic from 'json-logic-js';
import { formatQuery } from 'react-querybuilder/formatQuery';
import { migrate, openSqlite } from '../main/core/db/sqlite';
import { workspaceMigrations } from '../main/core/db/workspace-migrations';
import { listCustomers } from '../main/core/customers/queries';
import { catalogFor } from '../main/core/facts/catalog';
import { countMatching, sampleMatching } from '../main/core/segments/compile';
import { ensureDefaults, list, recomputeMembership } from '../main/core/segments/service';
import { writeSyntheticFacts } from './synthetic-facts';

const NOW = 1_793_491_200;
const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const TARGET_MS: Record<number, number> = { 100_000: 100, 1_000_000: 400 };

const CUSTOM = {
  combinator: 'and',
  rules: [
    { field: 'mrr', operator: '>=', value: 19900 },
    {
      combinator: 'or',
      rules: [
        { field: 'failures_12m', operator: '>=', value: 1 },
        { combinator: 'and', not: true, rules: [{ field: 'region', operator: 'in', value: ['na', 'emea'] }] },
      ],
    },
    { field: 'tenure_days', operator: '>', value: 180 },
  ],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, runs = 5): number {
  fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
let failures = 0;

for (const n of sizes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-'));
  const db = openSqlite(path.join(dir, 'bench.sqlite'));
  migrate(db, workspaceMigrations);
  db.prepare("INSERT INTO meta(key, value) VALUES ('currency', 'usd')").run();
  let t = performance.now();
  writeSyntheticFacts(db, n, 7, NOW);
  db.exec('ANALYZE');
  console.log(`\n== ${n.toLocaleString()} customers (facts written in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  ensureDefaults(db, NOW);
  const catalog = catalogFor(db);
  const rules: [string, unknown][] = [...list(db).map((s): [string, unknown] => [s.name, s.rule]), ['Custom nested (AND/OR/NOT)', CUSTOM]];

  t = performance.now();
  const rows = db.prepare('SELECT mrr, tenure_days, failures_12m, region, amount_at_risk FROM customer_facts').all() as Record<string, unknown>[];
  const loadMs = performance.now() - t;
  console.log(`baseline rows loaded into memory in ${loadMs.toFixed(0)} ms (not counted against the baseline)`);
  console.log(`${'rule'.padEnd(28)} ${pad('members', 9)} ${pad('reclaim ms', 11)} ${pad('json-logic ms', 14)} ${pad('ratio', 7)} ${pad('target', 7)}  verdict`);
  const target = TARGET_MS[n];
  for (const [name, rule] of rules) {
    let count = 0;
    const ours = time(() => {
      count = countMatching(db, rule, catalog, NOW).count;
      sampleMatching(db, rule, catalog, NOW, 20);
    });
    const logic = formatQuery(rule as never, 'jsonlogic');
    let baseCount = 0;
    const base = time(() => {
      baseCount = 0;
      let mrr = 0;
      for (const r of rows) {
        if (jsonLogic.apply(logic, r)) {
          baseCount++;
          mrr += r.mrr as number;
        }
      }
      void mrr;
    }, 3);
    const agree = baseCount === count ? '' : ` (baseline counted ${baseCount}!)`;
    const ok = target === undefined || ours <= target;
    if (!ok) failures++;
    console.log(
      `${name.padEnd(28)} ${pad(count.toLocaleString(), 9)} ${pad(ours.toFixed(1), 11)} ${pad(base.toFixed(1), 14)} ${pad((ours / base).toFixed(2), 7)} ${pad(target ?? '-', 7)}  ${ok ? 'ok' : 'SLOWER THAN TARGET'}${agree}`,
    );
  }
  const recompute = time(() => recomputeMembership(db, catalog, NOW), 1);
  console.log(`membership recompute (all segments, winners): ${recompute.toFixed(0)} ms`);
  // The customers table pages through the facts (virtualized, 200 rows a page).
  const page = (q: Partial<Parameters<typeof listCustomers>[1]>) => time(() => listCustomers(db, { sort: 'amountAtRisk', dir: 'desc', offset: 0, limit: 200, ...q }), 3);
  console.log(
    `customers table, 200-row page: first ${page({}).toFixed(0)} ms · middle (offset ${n / 2}) ${page({ offset: n / 2 }).toFixed(0)} ms · ` +
      `search "customer4242" ${page({ search: 'customer4242' }).toFixed(0)} ms · one segment ${page({ segmentId: list(db)[0]!.id }).toFixed(0)} ms`,
  );
  console.log(`RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(failures ? `\n${failures} measurement(s) slower than target` : '\nall previews within target');
