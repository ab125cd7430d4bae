/**
 * "Membership after 1,000 customers changed (+ figures)" (issue #22, target ≤ 50 ms):
 * 1,000 customers' facts change (as after a sync), then the incremental
 * recompute and the segments list's figures. Used by bench/segments-bench.ts;
 * alone at one scale, with the split between the two:
 *
 *   node --import tsx bench/dirty-bench.ts 100000
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sqlite } from '../main/core/db/sqlite';
import { catalogFor, type Catalog } from '../main/core/facts/catalog';
import * as segments from '../main/core/segments/service';
import { CUSTOM_SEGMENTS } from './custom-segments';
import { openSegmentsWorkspace } from './segments-workspace';

const NOW = 1_793_491_200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median of `runs` rounds (after one warm-up): the whole, the recompute, and the figures. */
export function dirtyTimes(db: Sqlite, catalog: Catalog, now: number, runs = 3): { ms: number; recomputeMs: number; statsMs: number } {
  const ids = db.prepare('SELECT customer_id FROM customer_facts ORDER BY random() LIMIT 1000').pluck().all() as string[];
  const touch = db.prepare('UPDATE customer_facts SET failures_12m = (failures_12m + 1) % 5, amount_at_risk = amount_at_risk + 100 WHERE customer_id = ?');
  segments.stats(db);
  const whole: number[] = [];
  const recompute: number[] = [];
  const figures: number[] = [];
  for (let i = 0; i <= runs; i++) {
    db.transaction(() => ids.forEach((id) => touch.run(id)))();
    const t0 = performance.now();
    const r = segments.recomputeMembership(db, catalog, now, { mode: 'auto' });
    const t1 = performance.now();
    segments.stats(db);
    const t2 = performance.now();
    if (r.mode !== 'changed' || r.rewritten !== ids.length) throw new Error(`incremental recompute rewrote ${r.rewritten} in mode ${r.mode}`);
    if (i === 0) continue; // warm-up
    whole.push(t2 - t0);
    recompute.push(t1 - t0);
    figures.push(t2 - t1);
  }
  return { ms: median(whole), recomputeMs: median(recompute), statsMs: median(figures) };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-dirty-bench-'));
  const db = openSegmentsWorkspace(dir, n, NOW);
  try {
    let catalog = catalogFor(db);
    for (const c of CUSTOM_SEGMENTS) segments.create(db, c, NOW, catalog);
    catalog = catalogFor(db);
    segments.recomputeMembership(db, catalog, NOW);
    const r = dirtyTimes(db, catalog, NOW, Number(process.env.RUNS ?? 5));
    console.log(
      `membership after 1,000 customers changed (+ figures) at ${n.toLocaleString('en')}: ${r.ms.toFixed(1)} ms ` +
        `(recompute ${r.recomputeMs.toFixed(1)} ms, figures ${r.statsMs.toFixed(1)} ms; target 50 ms)`,
    );
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
