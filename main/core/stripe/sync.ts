import type Stripe from 'stripe';
import type { Sqlite } from '../db/sqlite';
import type { Clock, Logger } from '../ports';
import { createStripeClient, isStripeError, PINNED_API_VERSION, type RateLimiter } from './client';
import { BACKFILLED, createWriters, type Resource, type Writable } from './map';
import { EVENT_STREAMS, planEvents, type StreamName } from './events';
import { EXPAND } from './expanded';

/**
 * Resumable sync of one Stripe account into a workspace database, through the
 * official SDK on its pinned API version.
 *
 * 1. Before the first backfill, the newest event of each event stream becomes
 *    that stream's anchor, so whatever changes during the backfill is replayed after it.
 * 2. Backfill: each resource pages newest-first. Its position is the `created`
 *    second of the last object written plus the ids already written at that
 *    second, so a resume survives the deletion of the `starting_after` object
 *    (a 400 resource_missing falls back to `created[lte]` and skips the ids).
 *    Each page's rows and the position commit in one transaction.
 * 3. Incremental: events of a few streams (each a `types[]` filter of at most
 *    20 types, https://docs.stripe.com/api/events/list), walked oldest-first from
 *    the anchor with `ending_before`, one page at a time, each page and the new
 *    anchor committed together — never the whole backlog in memory. Each event
 *    applies in its own savepoint: a failure is logged, counted and recorded in
 *    `sync_failures`, and never holds the cursor back. Events rendered in another
 *    API version than the pinned one, and same-second events on one object
 *    (whose order Stripe does not define; ids are not ordered), are replaced
 *    by the object re-fetched by id in the pinned version (see ./events.ts).
 *    A stream not read for longer than Stripe's 30-day event retention triggers a
 *    fresh backfill. What counts is each stream's last successful read (`readAt`
 *    in its cursor), not its newest event: a quiet stream (no catalog change for a
 *    month) that is read every day has missed nothing.
 */
export interface SyncProgressEvent {
  phase: 'backfill' | 'events' | 'done';
  resource: string | null;
  synced: number;
  total: number | null;
  ratePerSec: number;
  etaSec: number | null;
}

export interface SyncResult {
  status: 'completed' | 'canceled';
  counts: Record<string, number>;
  requests: number;
  retries: number;
  durationMs: number;
  reason?: string;
}

export interface SyncOptions {
  db: Sqlite;
  apiBase: string;
  key: string;
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  ratePerSecond?: number;
  /** Shared with the workspace's other Stripe requests (see workspaceLimiter). */
  limiter?: RateLimiter;
  pageSize?: number;
  concurrency?: number;
  backoffMs?: number;
  rateLimitBackoffMs?: number;
}

const RETENTION = 30 * 86_400;

interface StateRow {
  resource: string;
  phase: string;
  cursor: string | null;
  cursor_created: number | null;
  synced: number;
}
/**
 * Where an event stream stands: the event listed first at the last page, the ids seen in
 * its second, and when the stream was last read to its end (unix s; absent in cursors
 * written before it was kept).
 */
interface EventCursor {
  anchor: string | null;
  ids: string[];
  readAt?: number;
}

/**
 * When a stream was last known complete: its last successful read, or (cursors written
 * before `readAt` was kept) the newest event applied.
 */
export function lastReadOf(row: { cursor: string | null; cursor_created: number | null }): number | null {
  let readAt: number | undefined;
  try {
    readAt = row.cursor ? (JSON.parse(row.cursor) as EventCursor).readAt : undefined;
  } catch {
    readAt = undefined;
  }
  const times = [readAt, row.cursor_created ?? undefined].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.max(...times) : null;
}
interface Position {
  /** Last object id of the previous page (starting_after), when it still exists. */
  after: string | null;
  /** Ids already written whose `created` equals cursor_created. */
  ids: string[];
}

type ListParams = { limit: number; created?: { lte: number }; starting_after?: string };
type Lister = (stripe: Stripe, p: ListParams) => Promise<{ data: (Writable & { id: string; created: number })[]; has_more: boolean }>;
const LISTERS: Record<Exclude<Resource, 'payment_methods'>, Lister> = {
  products: (s, p) => s.products.list(p),
  // Tiers are returned only when expanded (the facts read them for MRR).
  prices: (s, p) => s.prices.list({ ...p, expand: [...EXPAND.prices] }),
  coupons: (s, p) => s.coupons.list(p),
  // Cards arrive expanded on their customer (Stripe lists payment methods per customer only).
  // Expansions: ./expanded.ts (what the facts read), shared with re-fetches by id.
  customers: (s, p) => s.customers.list({ ...p, expand: [...EXPAND.customers] }),
  // discounts[] are ids unless expanded; the coupon sits under discount.source.coupon.
  // Checkout keeps the card on the subscription (default_payment_method), older integrations in default_source.
  subscriptions: (s, p) => s.subscriptions.list({ ...p, status: 'all', expand: [...EXPAND.subscriptions] }),
  invoices: (s, p) => s.invoices.list(p),
  invoice_payments: (s, p) => s.invoicePayments.list(p),
  payment_intents: (s, p) => s.paymentIntents.list(p),
  charges: (s, p) => s.charges.list(p),
  refunds: (s, p) => s.refunds.list(p),
};

/** WAL pages between automatic checkpoints during the backfill (4 KB pages: 40 MB). */
const BACKFILL_CHECKPOINT_PAGES = 10_000;
const isMissing = (e: unknown) => isStripeError(e) && e.code === 'resource_missing';

export function createSync(o: SyncOptions) {
  const { db } = o;
  const writers = createWriters(db);
  const pageSize = o.pageSize ?? 100;
  const getState = db.prepare('SELECT * FROM sync_state WHERE resource = ?');
  const putState = db.prepare(
    `INSERT INTO sync_state (resource, phase, cursor, cursor_created, synced, updated_at_ms) VALUES (@resource, @phase, @cursor, @cursor_created, @synced, @at)
     ON CONFLICT (resource) DO UPDATE SET phase = excluded.phase, cursor = excluded.cursor, cursor_created = excluded.cursor_created, synced = excluded.synced, updated_at_ms = excluded.updated_at_ms`,
  );
  const state = (r: string) => getState.get(r) as StateRow | undefined;
  const save = (s: StateRow) => putState.run({ ...s, at: o.clock.now() });

  async function run(opts: { signal?: AbortSignal; onProgress?: (p: SyncProgressEvent) => void } = {}): Promise<SyncResult> {
    const started = Date.now();
    const counts: Record<string, number> = {};
    const { signal } = opts;
    const client = createStripeClient({
      key: o.key,
      apiBase: o.apiBase,
      fetch: o.fetch,
      logger: o.logger,
      ...(signal ? { signal } : {}),
      ...(o.limiter ? { limiter: o.limiter } : {}),
      ...(o.ratePerSecond !== undefined ? { ratePerSecond: o.ratePerSecond } : {}),
      ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}),
      ...(o.rateLimitBackoffMs !== undefined ? { rateLimitBackoffMs: o.rateLimitBackoffMs } : {}),
    });
    const { stripe } = client;
    let lastEmit = 0;
    let synced = 0;
    let current: string | null = null;
    const previousTotal = (db.prepare(`SELECT coalesce(sum(synced), 0) FROM sync_state WHERE resource NOT LIKE 'events%' AND phase = 'done'`).pluck().get() as number) || null;
    const emit = (phase: SyncProgressEvent['phase'], force = false) => {
      const now = Date.now();
      if (!force && now - lastEmit < 100) return;
      lastEmit = now;
      const rate = synced / Math.max(0.001, (now - started) / 1000);
      const total = phase === 'backfill' && previousTotal ? Math.max(previousTotal, synced) : null;
      opts.onProgress?.({ phase, resource: current, synced, total, ratePerSec: rate, etaSec: total && rate > 0 ? Math.max(0, (total - synced) / rate) : null });
    };
    const result = (status: SyncResult['status'], reason?: string): SyncResult => ({
      status,
      counts,
      requests: client.stats.requests,
      retries: client.stats.retries,
      durationMs: Date.now() - started,
      ...(reason ? { reason } : {}),
    });
    const count = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
    const cursorOf = (st: StateRow): EventCursor => (st.cursor ? (JSON.parse(st.cursor) as EventCursor) : { anchor: null, ids: [] });

    try {
      // An expired event cursor means changes were lost: start over with a backfill.
      const nowSec = Math.floor(o.clock.now() / 1000);
      let reason: string | undefined;
      const evRows = db.prepare(`SELECT * FROM sync_state WHERE resource LIKE 'events%'`).all() as StateRow[];
      // A database from before the per-stream event cursors starts over once, too.
      const legacy = evRows.some((r) => r.resource === 'events');
      const expired = evRows.some((r) => {
        const read = lastReadOf(r);
        return r.phase === 'ready' && read !== null && read < nowSec - RETENTION;
      });
      if (legacy || expired) {
        if (expired) {
          reason = 'events expired';
          o.logger.warn({}, 'an event stream was last read more than Stripe’s 30-day retention ago; running a full backfill');
        }
        db.prepare('DELETE FROM sync_state').run();
      }
      for (const name of Object.keys(EVENT_STREAMS) as StreamName[]) {
        if (state(`events:${name}`)) continue;
        const types = [...EVENT_STREAMS[name]];
        const newest = await stripe.events.list({ limit: 1, types });
        const first = newest.data[0];
        // Every event of the anchor's second is already reflected by the backfill that follows.
        const ids = first ? (await stripe.events.list({ limit: 100, types, created: { gte: first.created, lte: first.created } })).data.map((e) => e.id) : [];
        save({ resource: `events:${name}`, phase: 'pending', cursor: JSON.stringify({ anchor: first?.id ?? null, ids } satisfies EventCursor), cursor_created: first?.created ?? nowSec, synced: 0 });
      }

      // Backfill, a few resources at a time under the shared rate limiter.
      const queue = BACKFILLED.filter((r) => state(r)?.phase !== 'done');
      const worker = async () => {
        for (let r = queue.shift(); r; r = queue.shift()) await backfill(r);
      };
      const backfill = async (resource: Exclude<Resource, 'payment_methods'>) => {
        let st = state(resource) ?? { resource, phase: 'backfill', cursor: null, cursor_created: null, synced: 0 };
        let pos: Position = st.cursor ? (JSON.parse(st.cursor) as Position) : { after: null, ids: [] };
        counts[resource] = st.synced;
        for (;;) {
          current = resource;
          emit('backfill');
          const params: ListParams = { limit: pageSize, ...(st.cursor_created !== null ? { created: { lte: st.cursor_created } } : {}), ...(pos.after ? { starting_after: pos.after } : {}) };
          let page: Awaited<ReturnType<Lister>>;
          try {
            page = await LISTERS[resource](stripe, params);
          } catch (e) {
            if (pos.after && isMissing(e)) {
              // The object we paged after was deleted since: resume from its `created` second.
              o.logger.info({ resource, after: pos.after }, 'resume object deleted; resuming by created time');
              pos = { ...pos, after: null };
              continue;
            }
            throw e;
          }
          const seen = new Set(pos.ids);
          const fresh = page.data.filter((x) => !(x.created === st.cursor_created && seen.has(x.id)));
          const last = page.data[page.data.length - 1];
          let nextCreated = st.cursor_created;
          let ids = pos.ids;
          if (last) {
            nextCreated = last.created;
            ids = [...(last.created === st.cursor_created ? pos.ids : []), ...fresh.filter((x) => x.created === last.created).map((x) => x.id)];
          }
          const nextPos: Position = { after: last?.id ?? pos.after, ids };
          const next: StateRow = { resource, phase: page.has_more && last ? 'backfill' : 'done', cursor: JSON.stringify(nextPos), cursor_created: nextCreated, synced: st.synced + fresh.length };
          db.transaction(() => {
            for (const obj of fresh) {
              const r = writers.write(obj);
              if (!r.written) count('skipped');
            }
            save(next);
          })();
          st = next;
          pos = nextPos;
          counts[resource] = st.synced;
          synced += fresh.length;
          if (next.phase === 'done') break;
        }
      };
      // Checkpoint the WAL every 40 MB instead of SQLite's 4 MB while the backfill writes
      // (fewer fsyncs into the main file: 2,000-customer sync 5.1× → 4.0× its request floor,
      // docs/MEASURED.md); the connection's setting is put back after.
      const checkpointEvery = db.pragma('wal_autocheckpoint', { simple: true }) as number;
      if (checkpointEvery > 0) db.pragma(`wal_autocheckpoint = ${Math.max(checkpointEvery, BACKFILL_CHECKPOINT_PAGES)}`);
      try {
        await Promise.all(Array.from({ length: o.concurrency ?? 3 }, worker));
      } finally {
        db.pragma(`wal_autocheckpoint = ${checkpointEvery}`);
      }

      // Incremental: each event stream oldest-first from its anchor, one page at a time.
      current = 'events';
      emit('events', true);
      for (const name of Object.keys(EVENT_STREAMS) as StreamName[]) {
        await streamEvents(name);
        // Read to its end: every event up to the start of this run has been seen.
        const st = state(`events:${name}`);
        if (st) save({ ...st, cursor: JSON.stringify({ ...cursorOf(st), readAt: nowSec } satisfies EventCursor) });
      }
      current = null;
      emit('done', true);
      return result('completed', reason);

      async function streamEvents(name: StreamName, retried = false): Promise<void> {
        const key = `events:${name}`;
        const types = [...EVENT_STREAMS[name]];
        const list = (p: Stripe.EventListParams) => stripe.events.list({ limit: pageSize, types, ...p });
        let st = state(key)!;
        let cur = cursorOf(st);
        if (!cur.anchor) {
          // No anchor (no event of these types when the backfill started): find the
          // oldest page since the recorded time, keeping only one page in memory.
          let page = await list({ created: { gte: st.cursor_created ?? 0 } });
          while (page.has_more && page.data.length) page = await list({ created: { gte: st.cursor_created ?? 0 }, starting_after: page.data[page.data.length - 1]!.id });
          const seen = new Set(cur.ids);
          const fresh = page.data.filter((e) => !seen.has(e.id));
          if (!fresh.length) {
            if (st.phase !== 'ready') save({ ...st, phase: 'ready' });
            if (!page.data.length) return;
          } else await applyPage(fresh, page.data[0]!.id);
          if (!fresh.length) save({ ...state(key)!, cursor: JSON.stringify({ ...cur, anchor: page.data[0]!.id } satisfies EventCursor) });
        } else {
          // Stripe defines no order inside one second: an event of the anchor's second may be
          // listed after the anchor, where ending_before never reaches. Re-read that second.
          const c = st.cursor_created ?? 0;
          const seen = new Set(cur.ids);
          let page = await list({ created: { gte: c, lte: c }, limit: 100 });
          const second = [...page.data];
          while (page.has_more && page.data.length) {
            page = await list({ created: { gte: c, lte: c }, limit: 100, starting_after: page.data[page.data.length - 1]!.id });
            second.push(...page.data);
          }
          const unseen = second.filter((e) => !seen.has(e.id));
          if (unseen.length) await applyPage(unseen, second[0]!.id);
        }
        for (;;) {
          st = state(key)!;
          cur = cursorOf(st);
          if (!cur.anchor) return;
          let page: Stripe.ApiList<Stripe.Event>;
          try {
            page = await list({ ending_before: cur.anchor });
          } catch (e) {
            // An anchor that is gone (beyond retention, on a quiet stream) falls back to its
            // second: the stream is read again from that time, without an anchor.
            if (!isMissing(e)) throw e;
            save({ ...st, cursor: JSON.stringify({ ...cur, anchor: null } satisfies EventCursor) });
            return retried ? undefined : streamEvents(name, true);
          }
          if (!page.data.length) {
            if (st.phase !== 'ready') save({ ...st, phase: 'ready' });
            return;
          }
          await applyPage(page.data);
          emit('events');
          if (!page.has_more) return;
        }

        /**
         * Applies events (newest-first, as Stripe lists them) oldest-first and moves the
         * cursor, in one transaction. The anchor is the event listed first (ending_before
         * reads from it); the ids of the newest second are kept for the re-read above.
         */
        async function applyPage(events: Stripe.Event[], anchor = events[0]!.id) {
          const ordered = [...events].reverse();
          const plan = await planEvents(ordered, { stripe, db, writers, pinned: PINNED_API_VERSION, logger: o.logger });
          const top = Math.max(...events.map((e) => e.created));
          const prev = cursorOf(st);
          const ids = [...(top === st.cursor_created ? prev.ids : []), ...events.filter((e) => e.created === top).map((e) => e.id)];
          db.transaction(() => {
            for (const step of plan) {
              if (step.kind === 'skip') {
                count('skipped');
                continue;
              }
              try {
                db.transaction(() => step.apply())();
                count('events');
              } catch (err) {
                const message = err instanceof Error ? err.message : String(err);
                o.logger.warn({ event: step.event.id, type: step.event.type, err: message }, 'event could not be applied; skipped');
                db.prepare('INSERT OR REPLACE INTO sync_failures (event_id, type, object_id, message, at_ms) VALUES (?,?,?,?,?)').run(step.event.id, step.event.type, step.objectId, message, o.clock.now());
                count('failed');
              }
            }
            st = { resource: key, phase: 'ready', cursor: JSON.stringify({ ...prev, anchor, ids } satisfies EventCursor), cursor_created: top, synced: (st.synced ?? 0) + events.length };
            save(st);
          })();
          synced += events.length;
        }
      }
    } catch (e) {
      if (signal?.aborted) return result('canceled');
      throw e;
    }
  }

  return { run };
}
