import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance as perf } from 'node:perf_hooks';
import type { Sqlite } from '../main/core/db/sqlite';
import { catalogFor, type Catalog } from '../main/core/facts/catalog';
import { recomputeMembershipInBackground, type RanIn } from '../main/core/segments/membership-async';
import * as segments from '../main/core/segments/service';
import { CUSTOM_SEGMENTS } from './custom-segments';
import { openSegmentsWorkspace } from './segments-workspace';

/**
 * The full recompute as the app runs it, with a 5 ms timer standing in for
 * IPC/HTTP requests: its worst lateness is the longest event-loop stall. Twice:
 * in a worker thread (what the app does), and in slices on the main thread
 * (the fallback where no worker can start). The stall includes what the main
 * thread does when the worker is done (the figures for the segments list).
 */
export async function stallRows(
  db: Sqlite,
  catalog: Catalog,
  now: number,
  add: (figure: string, ms: number, floorMs: number, floor: string, target: number, note?: string) => void,
  bare: number,
): Promise<Record<'worker' | 'slices' | 'idle', { wall: number; stall: number; busy: number }>> {
  const measure = async (worker: boolean | null) => {
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      worst = Math.max(worst, t - last - 5);
      last = t;
    }, 5);
    const elu = perf.eventLoopUtilization();
    const t0 = performance.now();
    if (worker === null) {
      // Nothing to do: the timer's lateness on this machine right now (other processes, GC).
      await new Promise((resolve) => setTimeout(resolve, idleMs));
    } else {
      // sliceAbove 0: the fallback row measures the slices even where a small table would run as one statement.
      const r = await recomputeMembershipInBackground(db, catalog, now, { mode: 'full', worker, ...(worker ? {} : { sliceAbove: 0 }) });
      segments.stats(db);
      const expected: RanIn = worker ? 'worker' : 'slices';
      if (r.ranIn !== expected) throw new Error(`bench: the recompute ran in ${r.ranIn}, not ${expected}`);
    }
    const wall = performance.now() - t0;
    // The time this thread's event loop was running code (not waiting) during it.
    const busy = perf.eventLoopUtilization(elu).active;
    // One more tick, so a stall at the very end is seen.
    await new Promise((resolve) => setTimeout(resolve, 6));
    clearInterval(timer);
    return { wall, stall: worst, busy };
  };
  let idleMs = 0;
  const w = await measure(true);
  idleMs = w.wall;
  const idle = await measure(null);
  const note = (m: { stall: number; busy: number }) => `main thread busy ${m.busy.toFixed(0)} ms in all; an idle wait as long stalled ${idle.stall.toFixed(0)} ms`;
  add('membership, full, in a worker thread (+ figures)', w.wall, bare, 'bare scan', 2, `longest event-loop stall ${w.stall.toFixed(0)} ms`);
  add('longest event-loop stall during it', w.stall, 50, '50 ms budget', 1, note(w));
  const s = await measure(false);
  add('membership, full, in main-thread slices (fallback, + figures)', s.wall, bare, 'bare scan', 2, `longest event-loop stall ${s.stall.toFixed(0)} ms`);
  add('longest event-loop stall, main-thread slices (fallback)', s.stall, 50, '50 ms budget', 1, note(s));
  return { worker: w, slices: s, idle };
}

/**
 * `node --import tsx bench/stall-bench.ts 100000`: only these rows, on the
 * segments bench's workspace (synthetic facts, 6 defaults + 20 custom segments).
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 100_000);
  const NOW = 1_793_491_200;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-'));
  const db = openSegmentsWorkspace(dir, n, NOW);
  try {
    for (const c of CUSTOM_SEGMENTS) segments.create(db, c, NOW, catalogFor(db));
    const catalog = catalogFor(db);
    const bareStmt = db.prepare('SELECT count(*) FROM customer_facts AS f NOT INDEXED WHERE f.failures_12m >= 2');
    bareStmt.get();
    const t = performance.now();
    bareStmt.get();
    const bare = performance.now() - t;
    await stallRows(db, catalog, NOW, (figure, ms, floorMs, floor, target, note) =>
      console.log(`${n}: ${figure}: ${ms.toFixed(0)} ms, ${(ms / floorMs).toFixed(2)}× ${floor} (target ${target})${note ? ` — ${note}` : ''}`), bare);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
