/**
 * Experiment assignment (#20): arms for 1M customer ids as a ratio to hashing
 * the same ids with GrowthBook's own `hash(seed, id, 2)` (dist/esm/util.mjs of
 * @growthbook/growthbook; not in its package exports, so loaded by path) in the
 * same run, interleaved, best of 3. Target: ≤ 1.5× GrowthBook's hash and ≤ 0.5 s
 * absolute (the note says which). Run alone: `node --import tsx bench/experiments-bench.ts`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assigner } from '../main/core/experiments/assign';
import type { BenchRow } from './table';

type GbHash = (seed: string, value: string, version: number) => number | null;

async function growthbookHash(): Promise<GbHash> {
  const main = createRequire(import.meta.url).resolve('@growthbook/growthbook');
  const util = path.join(path.dirname(main), '..', 'esm', 'util.mjs');
  return ((await import(pathToFileURL(util).href)) as { hash: GbHash }).hash;
}

export async function experimentRows(n = 1_000_000, runs = 3): Promise<BenchRow[]> {
  const hash = await growthbookHash();
  const ids = Array.from({ length: n }, (_, i) => `cus_${(i * 2654435761 >>> 0).toString(36)}${i.toString(36)}`);
  const assign = assigner({ seed: 'exp_bench', arms: [{ name: 'control', weight: 34 }, { name: 'b', weight: 33 }, { name: 'c', weight: 33 }], holdout: 10 });
  let mine = Infinity;
  let floor = Infinity;
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) sink += hash('exp_bench', ids[i]!, 2)!;
    floor = Math.min(floor, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < n; i++) sink += assign(ids[i]!).length;
    mine = Math.min(mine, performance.now() - t);
  }
  if (sink === -1) console.log(sink);
  const scale = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
  return [
    {
      section: 'experiments', figure: 'assign arms (3 arms + 10% holdout)', scale, ms: mine, floorMs: floor, floor: "GrowthBook's hash()", ratio: mine / floor, target: 1.5,
      note: `${mine <= 500 ? 'within' : 'over'} the 0.5 s budget at 1M (${mine.toFixed(0)} ms; two hashes per id: holdout and arm)`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./table');
  const rows = await experimentRows(Number(process.env.BENCH_N ?? 1_000_000));
  console.log(renderTable(rows));
  for (const r of rows) console.log(`${r.figure} ${r.scale}: ${r.ms.toFixed(0)} ms vs ${r.floorMs.toFixed(0)} ms (${r.ratio.toFixed(2)}×) — ${r.note}`);
}
