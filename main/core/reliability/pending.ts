import type { Sqlite } from '../db/sqlite';
import { catalogFor } from '../facts/catalog';
import { recomputeFacts } from '../facts/compute';
import { recomputeMembershipInBackground, type BackgroundOptions } from '../segments/membership-async';
import { recomputeMembership } from '../segments/service';
import { lockHolder } from './lock';
import type { Logger } from '../ports';

/**
 * Derived data made stale by a committed change. Facts: `dirty_customers`
 * (the sync and CSV imports write it in the same transaction as the data).
 * Membership: a `pending_recompute` row, written with any change that moves
 * facts or rules. Each is cleared only after its recompute has committed, so a
 * crash at any moment leaves a marker that the next open acts on.
 */
export function markMembershipPending(db: Sqlite, nowMs = Date.now()): void {
  db.prepare('INSERT OR IGNORE INTO pending_recompute (what, since_ms) VALUES (?, ?)').run('membership', nowMs);
}

export function clearMembershipPending(db: Sqlite): void {
  db.prepare("DELETE FROM pending_recompute WHERE what = 'membership'").run();
}

/** Runs `fn` in one transaction with the membership marker: both commit or neither. */
export function withMembershipPending<T>(db: Sqlite, fn: () => T): T {
  return db.transaction(() => {
    markMembershipPending(db);
    return fn();
  })();
}

export function hasPendingWork(db: Sqlite): { facts: number; membership: boolean } {
  const facts = db.prepare('SELECT count(*) FROM dirty_customers').pluck().get() as number;
  const membership = Boolean(db.prepare("SELECT 1 FROM pending_recompute WHERE what = 'membership'").get());
  return { facts, membership };
}

/** Recomputes membership and then clears its marker. */
export function recomputeMembershipAndClear(db: Sqlite, now: number): void {
  recomputeMembership(db, catalogFor(db), now);
  clearMembershipPending(db);
}

/**
 * The same without freezing the process that hosts the core: the recompute runs in
 * slices (segments/membership-async.ts), only for what changed unless a rule did,
 * and the marker is cleared once it has committed.
 */
export async function recomputeMembershipAndClearInBackground(
  db: Sqlite,
  now: number,
  opts: Pick<BackgroundOptions, 'onProgress'> & { logger?: Logger } = {},
): Promise<void> {
  const { logger, ...rest } = opts;
  const started = performance.now();
  const r = await recomputeMembershipInBackground(db, catalogFor(db), now, { mode: 'auto', ...rest });
  clearMembershipPending(db);
  const ms = Math.round(performance.now() - started);
  // A full recompute of a large workspace says where it ran; slices here mean no worker thread could start.
  if (r.ranIn === 'worker') logger?.info({ ranIn: r.ranIn, customers: r.rewritten, ms }, 'membership recomputed in a worker thread');
  if (r.ranIn === 'slices') logger?.warn({ ranIn: r.ranIn, customers: r.rewritten, ms }, 'membership recomputed in slices on the main thread: no worker thread could start');
}

/**
 * On opening a workspace: finish what a crash left pending (facts of dirty
 * customers, then membership). Skipped while a live sync holds the workspace:
 * that sync recomputes when it ends.
 */
export function finishPendingWork(db: Sqlite, opts: { now: number; reportingCurrency: string }): { facts: number; membership: boolean } | null {
  const pending = hasPendingWork(db);
  if (pending.facts === 0 && !pending.membership) return null;
  if (lockHolder(db, 'sync')) return null;
  if (pending.facts > 0) recomputeFacts(db, { now: opts.now, reportingCurrency: opts.reportingCurrency, customerIds: 'dirty' });
  recomputeMembershipAndClear(db, opts.now);
  return pending;
}
