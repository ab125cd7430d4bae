import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../db/sqlite';
import { UserError } from '../errors';
import { packGroups, transferList } from './mask-groups-wire';
import { maskGroups, membershipVersion, statsSnapshot } from './membership';
import { recomputeInSlices } from './membership-async';
import type { WorkerInput, WorkerMessage } from './membership-worker-host';

/**
 * Worker-thread entry of the full membership recompute (membership-worker-host.ts
 * starts it): its own connection to the workspace file, the sliced recompute
 * back to back (no event loop to yield to here), then the mask groups for the
 * main thread's figures. Ends when done.
 */

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

async function main(input: WorkerInput): Promise<void> {
  post({ type: 'ready' });
  const db = openSqlite(input.file);
  try {
    const r = await recomputeInSlices(db, input.catalog, input.now, {
      mode: 'full',
      sliceMs: input.sliceMs,
      firstSlice: input.firstSlice,
      yieldFn: () => Promise.resolve(),
      onProgress: (p) => post({ type: 'progress', ...p }),
    });
    // The figures too (they decode every group's bits): the main thread then only checks they are current.
    // One read transaction: the groups, figures and version are of one state even if another
    // connection (the CLI, a second window) recomputes meanwhile — a version read after the
    // groups could otherwise label older groups as the newer membership.
    const { stats, all, version } = db.transaction(() => ({ stats: statsSnapshot(db), all: maskGroups(db), version: membershipVersion(db) })).deferred();
    const groups = packGroups(all, all[0]?.words.length ?? 1);
    const done: WorkerMessage = { type: 'done', skipped: r.skipped, rewritten: r.rewritten, version, groups, stats };
    parentPort!.postMessage(done, transferList(groups));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const code = (err as { code?: unknown }).code;
    post({
      type: 'error',
      name: err.name,
      message: err.message,
      code: typeof code === 'string' ? code : undefined,
      issues: e instanceof UserError ? e.issues : undefined,
      user: e instanceof UserError,
    });
  } finally {
    db.close();
  }
}

void main(workerData as WorkerInput);
