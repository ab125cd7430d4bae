import type { SyncProgress } from '../../../shared/contract';
import type { HandlerContext } from '../context';
import { refreshFactsAndMembership, staleSince } from '../facts/freshness';
import { ensureDefaults } from '../segments/service';
import { writeDemoData } from './build';

/**
 * The demo workspace's data (#22): the generated business written through the sync's writers
 * (./build.ts), then what a completed sync does next (stripe/sync-handlers.ts): default
 * segments, facts and membership, the last-sync time. Progress is reported as `sync.progress`
 * events, as the sync reports it, so the app and `reclaim demo` show it the same way.
 */
export async function buildDemoData(ctx: HandlerContext, workspaceId: string, o: { seed: number; customers: number; simNow: number; history: boolean }): Promise<void> {
  const { registry, ports } = ctx;
  const db = registry.openDb(workspaceId);
  const started = Date.now();
  const base: SyncProgress = { workspaceId, phase: 'starting', resource: null, synced: 0, total: null, ratePerSec: 0, etaSec: null, message: null };
  const emit = (p: Partial<SyncProgress>) => ctx.events.emit('sync.progress', { ...base, ...p });
  emit({ phase: 'starting' });
  const { accountId, counts } = await writeDemoData(db, {
    ...o,
    nowMs: ports.clock.now(),
    onProgress: (written, total, resource) => {
      const rate = written / Math.max(0.001, (Date.now() - started) / 1000);
      emit({ phase: 'backfill', resource, synced: written, total, ratePerSec: rate, etaSec: rate > 0 ? Math.max(0, (total - written) / rate) : null });
    },
  });
  registry.update(workspaceId, { stripe_account_id: accountId });
  emit({ phase: 'facts', message: 'Computing customer facts and segments' });
  const now = ctx.nowSec();
  ensureDefaults(db, now);
  await refreshFactsAndMembership(ctx, db, workspaceId, now, staleSince(db, now) !== null);
  registry.update(workspaceId, { last_sync_at: ports.clock.now() });
  ctx.events.emit('workspaces.changed', { ids: [workspaceId] });
  const { skipped: _skipped, ...written } = counts;
  const total = Object.values(written).reduce((a, b) => a + b, 0);
  emit({ phase: 'done', synced: total, message: `Wrote ${total.toLocaleString('en')} objects in ${((Date.now() - started) / 1000).toFixed(1)} s` });
}
