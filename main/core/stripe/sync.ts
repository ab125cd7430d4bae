import type { Sqlite } from '../db/sqlite';
import type { Clock, Logger } from '../ports';
import { RateLimiter, StripeHttp, type Params } from './http';
import { BACKFILLED, createWriters, resourceOf, type Resource } from './map';
import { EXPAND } from './expanded';

/**
 * Resumable sync of one Stripe account into a workspace database.
 *
 * 1. Before the first backfill, the newest event's time becomes the events
 *    cursor, so whatever changes during the backfill is replayed after it.
 * 2. Backfill: every resource paginates with starting_after; each page's rows
 *    and the resource's cursor commit in one transaction, so a kill at any
 *    moment resumes from the last committed page — no gap, no duplicate.
 * 3. Incremental: events after the cursor, applied oldest first through the
 *    same writers, the cursor advancing in the same transaction. A cursor older
 *    than Stripe's 30-day event retention triggers a fresh backfill.
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
  pageSize?: number;
  concurrency?: number;
  backoffMs?: number;
}

const RETENTION = 30 * 86_400;
/** Expansions the facts read (#9): see ./expanded.ts. */
const EXTRA: Partial<Record<Resource, Params>> = {
  subscriptions: { status: 'all', expand: [...EXPAND.subscriptions] },
  customers: { expand: [...EXPAND.customers] },
  prices: { expand: [...EXPAND.prices] },
};

interface StateRow {
  resource: string;
  phase: string;
  cursor: string | null;
  cursor_created: number | null;
  synced: number;
}

export function createSync(o: SyncOptions) {
  const { db } = o;
  const live = o.key.includes('_live_');
  const http = new StripeHttp({
    apiBase: o.apiBase,
    key: o.key,
    fetch: o.fetch,
    limiter: new RateLimiter(o.ratePerSecond ?? (live ? 90 : 25)),
    logger: o.logger,
    ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}),
  });
  const writers = createWriters(db);
  const pageSize = o.pageSize ?? 100;
  const getState = db.prepare('SELECT * FROM sync_state WHERE resource = ?');
  const putState = db.prepare(
    `INSERT INTO sync_state (resource, phase, cursor, cursor_created, synced, updated_at_ms) VALUES (@resource, @phase, @cursor, @cursor_created, @synced, @at)
     ON CONFLICT (resource) DO UPDATE SET phase = excluded.phase, cursor = excluded.cursor, cursor_created = excluded.cursor_created, synced = excluded.synced, updated_at_ms = excluded.updated_at_ms`,
  );
  const state = (r: string) => getState.get(r) as StateRow | undefined;
  const save = (s: Omit<StateRow, 'synced'> & { synced: number }) => putState.run({ ...s, at: o.clock.now() });

  async function run(opts: { signal?: AbortSignal; onProgress?: (p: SyncProgressEvent) => void } = {}): Promise<SyncResult> {
    const started = Date.now();
    const counts: Record<string, number> = {};
    const { signal } = opts;
    let lastEmit = 0;
    let synced = 0;
    let current: string | null = null;
    const previousTotal = (db.prepare(`SELECT coalesce(sum(synced), 0) FROM sync_state WHERE resource <> 'events' AND phase = 'done'`).pluck().get() as number) || null;
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
      requests: http.requests,
      retries: http.retries,
      durationMs: Date.now() - started,
      ...(reason ? { reason } : {}),
    });

    try {
      // An expired event cursor means changes were lost: start over with a backfill.
      const ev = state('events');
      const nowSec = Math.floor(o.clock.now() / 1000);
      let reason: string | undefined;
      if (ev?.phase === 'ready' && ev.cursor_created !== null && ev.cursor_created < nowSec - RETENTION) {
        reason = 'events expired';
        o.logger.warn({ cursor: ev.cursor_created }, 'event cursor older than Stripe’s 30-day retention; running a full backfill');
        db.prepare('DELETE FROM sync_state').run();
      }
      if (!state('events')) {
        const newest = await http.get<{ data: { id: string; created: number }[] }>('/v1/events', { limit: 1 }, signal);
        const first = newest.data[0];
        save({ resource: 'events', phase: 'pending', cursor: JSON.stringify(first ? [first.id] : []), cursor_created: first?.created ?? nowSec, synced: 0 });
      }

      // Backfill, a few resources at a time under the shared rate limiter.
      const queue = BACKFILLED.filter((r) => state(r)?.phase !== 'done');
      const worker = async () => {
        for (let r = queue.shift(); r; r = queue.shift()) await backfill(r);
      };
      const backfill = async (resource: Resource) => {
        let st = state(resource) ?? { resource, phase: 'backfill', cursor: null, cursor_created: null, synced: 0 };
        counts[resource] = st.synced;
        for (;;) {
          current = resource;
          emit('backfill');
          const page = await http.get<{ data: Record<string, unknown>[]; has_more: boolean }>(
            `/v1/${resource}`,
            { limit: pageSize, ...(st.cursor ? { starting_after: st.cursor } : {}), ...EXTRA[resource] },
            signal,
          );
          const last = page.data[page.data.length - 1];
          const next = { resource, phase: page.has_more && last ? 'backfill' : 'done', cursor: last ? String(last.id) : st.cursor, cursor_created: null, synced: st.synced + page.data.length };
          db.transaction(() => {
            for (const obj of page.data) writers[resource](obj);
            save(next);
          })();
          st = next;
          counts[resource] = st.synced;
          synced += page.data.length;
          if (next.phase === 'done') break;
        }
      };
      await Promise.all(Array.from({ length: o.concurrency ?? 3 }, worker));

      // Incremental: events after the cursor, oldest first.
      current = 'events';
      emit('events', true);
      const evState = state('events')!;
      const seen = new Set<string>(JSON.parse(evState.cursor ?? '[]') as string[]);
      const pending: { id: string; created: number; type: string; data: { object: Record<string, unknown> } }[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await http.get<{ data: typeof pending; has_more: boolean }>(
          '/v1/events',
          { limit: pageSize, 'created[gte]': evState.cursor_created ?? 0, ...(after ? { starting_after: after } : {}) },
          signal,
        );
        pending.push(...page.data);
        emit('events');
        if (!page.has_more || page.data.length === 0) break;
        after = page.data[page.data.length - 1]!.id;
      }
      const fresh = pending.filter((e) => !seen.has(e.id)).sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
      const maxCreated = fresh.reduce((m, e) => Math.max(m, e.created), evState.cursor_created ?? 0);
      const atMax = new Set([...(maxCreated === evState.cursor_created ? seen : []), ...fresh.filter((e) => e.created === maxCreated).map((e) => e.id)]);
      db.transaction(() => {
        for (const e of fresh) {
          const obj = e.data.object;
          const resource = resourceOf(obj);
          if (!resource) continue;
          if (e.type === 'customer.deleted') obj.deleted = true;
          writers[resource](obj);
          counts.events = (counts.events ?? 0) + 1;
        }
        save({ resource: 'events', phase: 'ready', cursor: JSON.stringify([...atMax]), cursor_created: maxCreated, synced: (evState.synced ?? 0) + fresh.length });
      })();
      synced += fresh.length;
      current = null;
      emit('done', true);
      return result('completed', reason);
    } catch (e) {
      if (signal?.aborted) return result('canceled');
      throw e;
    }
  }

  return { run };
}
