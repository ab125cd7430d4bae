import { sql } from 'kysely';
import type { Sqlite } from '../db/sqlite';
import type { Catalog } from '../facts/catalog';
import { indexWords } from './word-index';
import {
  assignBits,
  BITS_PER_WORD,
  DIRTY_ONLY,
  bumpVersion,
  insertStatement,
  lazyResult,
  membershipVersion,
  plan,
  recomputeMembership,
  refreshMembershipViews,
  storeBits,
  wordExpressions,
  type Plan,
  type RecomputeOptions,
  type RecomputeResult,
} from './membership';
import { recomputeInWorker } from './membership-worker-host';

/**
 * Membership recompute that does not freeze the process hosting the core
 * (Electron's main process, the console's Node server): a full recompute at
 * 1M customers takes seconds, so it is written in slices of customer_facts'
 * rowids into a shadow table, each slice its own short statement sized to
 * about `sliceMs`, yielding to the event loop between slices (IPC and HTTP
 * requests are served meanwhile, and readers keep seeing the old membership).
 * The last step swaps the shadow table in and catches up, in one transaction,
 * with customers whose facts changed during the slices (the dirty set).
 * An incremental recompute (rules unchanged) is milliseconds and runs at once.
 * Recomputes of one database run one after another.
 *
 * A full recompute of a database file runs those slices in a worker thread
 * with its own connection (membership-worker-host.ts), so the event loop is
 * not held even for one slice; the slices here in the calling thread are the
 * fallback where a worker cannot start (an in-memory database, a build without
 * the worker file) or when `worker: false` is asked.
 */

export interface BackgroundOptions extends RecomputeOptions {
  onProgress?: (p: { done: number; total: number }) => void;
  /** Target duration of one slice (default 40 ms). */
  sliceMs?: number;
  /** How to yield between slices (default: setImmediate). */
  yieldFn?: () => Promise<void>;
  /** Below this many customers a full recompute runs in one statement (default 20,000). */
  sliceAbove?: number;
  /** First slice size in rows (default 2,000). */
  firstSlice?: number;
  /** Run a full recompute in a worker thread when one can start (default true). */
  worker?: boolean;
  /** From this many customers a full recompute goes to the worker (default 5,000: below, one statement here is a few ms). */
  workerAbove?: number;
}

/** Where a recompute ran: a worker thread, slices in this thread, or one statement in this thread (small or incremental). */
export type RanIn = 'worker' | 'slices' | 'thread';
export type BackgroundResult = RecomputeResult & { ranIn: RanIn };

const queues = new WeakMap<Sqlite, Promise<unknown>>();
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function recomputeMembershipInBackground(db: Sqlite, catalog: Catalog, now: number, opts: BackgroundOptions = {}): Promise<BackgroundResult> {
  const previous = queues.get(db) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => background(db, catalog, now, opts));
  queues.set(db, run);
  return run;
}

async function background(db: Sqlite, catalog: Catalog, now: number, opts: BackgroundOptions): Promise<BackgroundResult> {
  const first = plan(db, catalog);
  const inThread = (mode: 'auto' | 'full') => Object.assign(recomputeMembership(db, catalog, now, { mode }), { ranIn: 'thread' as const });
  if (opts.mode === 'auto' && first.rulesUnchanged) return inThread('auto');
  // The largest rowid bounds the count without a pass over the table (a count(*) at 1M holds this thread ~100 ms).
  const maxRowid = (db.prepare(`SELECT max(rowid) FROM customer_facts`).pluck().get() as number | null) ?? 0;
  if (opts.worker !== false && maxRowid >= (opts.workerAbove ?? 5_000)) {
    const r = await recomputeInWorker(db, catalog, now, opts);
    if (r) {
      // Facts this connection changed after the worker's swap (its last progress messages
      // arrive late on a busy machine) are marked dirty and not in the worker's result:
      // catch them up here, so a recompute's result counts every write made before it resolved.
      // (The worker's result reads its figures lazily, so they include the catch-up.)
      if (db.prepare(`SELECT 1 FROM membership_dirty LIMIT 1`).get()) recomputeMembership(db, catalog, now, { mode: 'auto' });
      return Object.assign(r, { ranIn: 'worker' as const });
    }
  }
  const total = db.prepare(`SELECT count(*) FROM customer_facts`).pluck().get() as number;
  if (total < (opts.sliceAbove ?? 20_000)) return inThread('full');
  return Object.assign(await recomputeInSlices(db, catalog, now, opts, first, total), { ranIn: 'slices' as const });
}

/** At most this many passes of slices when other connections keep recomputing meanwhile; then one transaction. */
const SLICE_PASSES = 3;

/**
 * @internal The full recompute in slices of rowids (this thread, or the worker's).
 *
 * Another connection to the same file (the CLI, a second window; never this
 * connection: its recomputes are queued) may save a segment or recompute while
 * the slices run. Swapping the shadow table in then would write an older state
 * over the newer one: a segment saved meanwhile would lose its members, and
 * facts changes caught up by the other recompute would be lost (it empties the
 * dirty set). So the swap first checks, holding the write lock, that no
 * recompute committed since the slices began and that every live segment's
 * rule is among those computed; if not, the slices run again with the current
 * rules, and after SLICE_PASSES passes the recompute runs in one transaction.
 */
export async function recomputeInSlices(
  db: Sqlite,
  catalog: Catalog,
  now: number,
  opts: BackgroundOptions,
  first = plan(db, catalog),
  total = db.prepare(`SELECT count(*) FROM customer_facts`).pluck().get() as number,
): Promise<RecomputeResult> {
  for (let pass = 0; pass < SLICE_PASSES; pass++) {
    const r = await slicePass(db, catalog, now, opts, pass === 0 ? first : plan(db, catalog), total);
    if (r) return r;
  }
  const r = recomputeMembership(db, catalog, now, { mode: 'full' });
  opts.onProgress?.({ done: total, total });
  return r;
}

/** Whether `computed` (the plan the slices ran with) still covers the live segments' rules as they are now. */
function covers(computed: Plan, current: Plan): boolean {
  const valid = new Map(computed.valid.map((s) => [s.id, s.rule]));
  const skipped = new Map(computed.skipped.map((s) => [s.id, computed.live.find((l) => l.id === s.id)?.rule]));
  return current.valid.every((s) => valid.get(s.id) === s.rule) && current.skipped.every((s) => skipped.get(s.id) === current.live.find((l) => l.id === s.id)?.rule);
}

/** One pass of slices and the swap; null when the swap was refused (another connection recomputed or a rule changed meanwhile). */
async function slicePass(db: Sqlite, catalog: Catalog, now: number, opts: BackgroundOptions, first: Plan, total: number): Promise<RecomputeResult | null> {
  const { live, valid, skipped } = first;
  const bits = assignBits(valid);
  const words = Math.max(1, Math.ceil(bits.length / BITS_PER_WORD));
  const exprs = wordExpressions(bits, words, catalog, now);
  const cols = Array.from({ length: words }, (_, i) => `, w${i} INTEGER NOT NULL DEFAULT 0`).join('');
  db.exec(`DROP TABLE IF EXISTS membership_next;
    CREATE TABLE membership_next (customer_id TEXT PRIMARY KEY, mrr INTEGER NOT NULL, open_past_due_count INTEGER NOT NULL,
      amount_at_risk INTEGER NOT NULL${cols}) STRICT, WITHOUT ROWID;`);
  indexWords(db, 'membership_next', words);
  // From here on, facts that change are marked dirty and caught up at the swap
  // (unless another connection's recompute takes them first: the version then moves).
  const version = db.transaction(() => {
    db.prepare(`DELETE FROM membership_dirty`).run();
    return membershipVersion(db);
  })();
  const maxRowid = (db.prepare(`SELECT max(rowid) FROM customer_facts`).pluck().get() as number | null) ?? 0;
  const slice = (lo: number, hi: number) => {
    // OR REPLACE: a customer whose row was replaced mid-way may be met twice.
    const q = insertStatement(exprs, 'membership_next', sql`WHERE f.rowid > ${lo} AND f.rowid <= ${hi}`, true);
    return db.prepare(q.sql).run(...q.parameters).changes;
  };
  const sliceMs = opts.sliceMs ?? 40;
  const yieldFn = opts.yieldFn ?? nextTick;
  let step = opts.firstSlice ?? 2_000;
  let done = 0;
  for (let lo = 0; lo < maxRowid; ) {
    const hi = Math.min(maxRowid, lo + step);
    const t = performance.now();
    done += slice(lo, hi);
    const took = performance.now() - t;
    lo = hi;
    // Size the next slice to about sliceMs.
    step = Math.max(opts.firstSlice ?? 500, Math.min(200_000, Math.round(step * Math.min(4, Math.max(0.25, sliceMs / Math.max(1, took))))));
    opts.onProgress?.({ done: Math.min(done, total), total });
    await yieldFn();
  }

  return db.transaction(() => {
    if (membershipVersion(db) !== version || !covers(first, plan(db, catalog))) {
      db.exec(`DROP TABLE membership_next`);
      return null;
    }
    db.exec(`DROP VIEW IF EXISTS segment_winner; DROP VIEW IF EXISTS segment_members;
      DROP TABLE membership; ALTER TABLE membership_next RENAME TO membership;`);
    storeBits(db, bits, skipped, live);
    db.prepare(`DELETE FROM membership WHERE customer_id IN (SELECT customer_id FROM membership_dirty)`).run();
    const q = insertStatement(exprs, 'membership', DIRTY_ONLY);
    db.prepare(q.sql).run(...q.parameters);
    db.prepare(`DELETE FROM membership_dirty`).run();
    bumpVersion(db);
    refreshMembershipViews(db);
    opts.onProgress?.({ done: total, total });
    return lazyResult(db, { skipped, mode: 'full', rewritten: done });
  })();
}
