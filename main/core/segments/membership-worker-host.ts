import Database from 'better-sqlite3';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Sqlite } from '../db/sqlite';
import { UserError } from '../errors';
import type { Catalog } from '../facts/catalog';
import { unpackGroups, type PackedGroups } from './mask-groups-wire';
import { lazyResult, primeMaskGroups, type MembershipStats, type RecomputeResult } from './membership';

/**
 * The full membership recompute in a worker thread (issue #22): the worker
 * opens its own connection to the same workspace file (WAL) and runs the
 * sliced recompute there (membership-async.ts), each slice a short write
 * transaction, so writers on this thread's connection wait at most one slice
 * (busy_timeout) and the event loop here is never held by a statement. The
 * worker also groups the new membership by bitmask, so the figures this thread
 * shows next come from its cache without a pass over the table.
 *
 * The worker is started per recompute and ends with it (a short-lived CLI
 * process is not kept alive). Where it cannot start — an in-memory or
 * read-only database, or no worker file beside the running code — the caller
 * falls back to slices in this thread.
 */

export interface WorkerInput {
  file: string;
  catalog: Catalog;
  now: number;
  sliceMs?: number;
  firstSlice?: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; skipped: RecomputeResult['skipped']; rewritten: number; version: string; groups: PackedGroups; stats: { key: string; stats: MembershipStats } }
  | { type: 'error'; name: string; message: string; code?: string; issues?: UserError['issues']; user: boolean };

const ENTRY = 'membership-worker';

/**
 * The worker's entry beside the running code: a built bundle
 * (dist/cli/membership-worker.mjs, dist/electron/membership-worker.cjs), or
 * the TypeScript source loaded through tsx (tests, bench, `reclaim` from a checkout).
 */
function workerEntry(): { file: string } | { code: string } | null {
  let here: string;
  try {
    here = path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  for (const ext of ['.mjs', '.cjs']) {
    const file = path.join(here, ENTRY + ext);
    if (fs.existsSync(file)) return { file };
  }
  const ts = path.join(here, `${ENTRY}.ts`);
  if (!fs.existsSync(ts)) return null;
  let tsx: string;
  try {
    // tsx's ES module API (its CommonJS one cannot register hooks from an eval'd worker).
    tsx = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs');
  } catch {
    return null;
  }
  if (!fs.existsSync(tsx)) return null;
  const url = (f: string) => JSON.stringify(pathToFileURL(f).href);
  return { code: `import(${url(tsx)}).then((m) => m.register()).then(() => import(${url(ts)}));` };
}

/** The worker's error as the same kind of error the in-thread recompute throws (message, class and code kept). */
function rebuildError(m: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (m.user) return new UserError(m.code as UserError['code'], m.message, m.issues);
  if (m.name === 'SqliteError' && m.code) return new Database.SqliteError(m.message, m.code);
  const e = new Error(m.message);
  e.name = m.name;
  if (m.code) Object.assign(e, { code: m.code });
  return e;
}

/**
 * Runs the full recompute in a worker. Resolves with the result once the
 * worker has committed and exited, or with null when no worker could start
 * (nothing was done: the caller recomputes another way).
 */
export function recomputeInWorker(
  db: Sqlite,
  catalog: Catalog,
  now: number,
  opts: { sliceMs?: number; firstSlice?: number; onProgress?: (p: { done: number; total: number }) => void },
): Promise<RecomputeResult | null> {
  if (db.memory || db.readonly || !db.open) return Promise.resolve(null);
  const entry = workerEntry();
  if (!entry) return Promise.resolve(null);
  const workerData: WorkerInput = { file: path.resolve(db.name), catalog, now, sliceMs: opts.sliceMs, firstSlice: opts.firstSlice };
  let worker: Worker;
  try {
    worker = 'file' in entry ? new Worker(entry.file, { workerData }) : new Worker(entry.code, { eval: true, workerData });
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    let started = false;
    let done: Extract<WorkerMessage, { type: 'done' }> | null = null;
    let failed: Error | null = null;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') started = true;
      else if (m.type === 'progress') opts.onProgress?.({ done: m.done, total: m.total });
      else if (m.type === 'done') done = m;
      else failed = rebuildError(m);
    });
    worker.on('error', (e) => {
      if (started) failed ??= e;
    });
    worker.on('exit', () => {
      if (failed) return reject(failed);
      if (done) {
        const d = done;
        return resolve(
          unpackGroups(d.groups).then((groups) => {
            primeMaskGroups(db, d.version, groups, d.stats);
            return lazyResult(db, { skipped: d.skipped, mode: 'full', rewritten: d.rewritten });
          }),
        );
      }
      // Never started (the entry could not load): nothing was written.
      if (!started) return resolve(null);
      reject(new Error('The membership recompute stopped before it finished; the previous membership is kept.'));
    });
  });
}
