import type { SyncProgress } from '../../../shared/contract';
import { badRequest, UserError } from '../errors';
import { refreshFactsAndMembership, staleSince } from '../facts/freshness';
import { ensureDefaults } from '../segments/service';
import { describeHolder, tryLock } from '../reliability/lock';
import { workspaceLimiter } from './rate-budget';
import { createSync } from './sync';
import { storageProblem } from '../dispatch';
import type { HandlerContext, HandlerGroup } from '../context';
import { keySecretId } from '../workspaces/handlers';

const DEFAULT_API_BASE = 'https://api.stripe.com';

interface Running {
  abort: AbortController;
  done: Promise<SyncOutcome>;
}

export interface SyncOutcome {
  status: 'completed' | 'canceled' | 'failed';
  message: string;
  counts: Record<string, number>;
  durationMs: number;
}

/**
 * Runs at most one sync per workspace, in the background of whichever shell
 * hosts the core, and turns its progress into `sync.progress` events. After a
 * completed sync: facts for changed customers, default segments, membership.
 */
export class SyncManager {
  private readonly running = new Map<string, Running>();
  private readonly last = new Map<string, SyncProgress>();

  constructor(private readonly ctx: HandlerContext) {}

  isRunning(workspaceId: string): boolean {
    return this.running.has(workspaceId);
  }

  lastProgress(workspaceId: string): SyncProgress | null {
    return this.last.get(workspaceId) ?? null;
  }

  private emit(p: SyncProgress): void {
    this.last.set(p.workspaceId, p);
    this.ctx.events.emit('sync.progress', p);
  }

  /**
   * Starts a sync; resolves when it has started (the returned `done` resolves
   * when it ends). `key`/`apiBase` override the stored ones (the demo uses a
   * throwaway key against the local Stripe server).
   */
  async start(workspaceId: string, override?: { key: string; apiBase: string; ratePerSecond?: number }): Promise<{ started: boolean; alreadyRunning?: boolean; message: string; done?: Promise<SyncOutcome> }> {
    const ws = this.ctx.registry.get(workspaceId);
    const existing = this.running.get(workspaceId);
    if (existing) return { started: false, message: 'A sync of this workspace is already running', done: existing.done };
    const key = override?.key ?? (await this.ctx.ports.secrets.get(keySecretId(workspaceId)));
    if (!key) {
      throw badRequest(ws.kind === 'demo' ? 'The demo workspace is generated, not synced' : 'Connect a Stripe key to this workspace first');
    }
    if (this.ctx.registry.readonly) throw new UserError('unavailable', this.ctx.registry.readonlyMessage());
    // One sync per workspace across every process (app, console, CLI).
    const locked = tryLock(this.ctx.registry.openDb(workspaceId), 'sync');
    if (!locked.acquired) {
      return { started: false, alreadyRunning: true, message: `A sync of this workspace is already running in another Reclaim process (${describeHolder(locked.holder)}); it will bring the data up to date.` };
    }
    const apiBase = override?.apiBase ?? this.ctx.registry.apiBase(workspaceId) ?? DEFAULT_API_BASE;
    const abort = new AbortController();
    const done = this.run(workspaceId, key, apiBase, abort.signal, override?.ratePerSecond).finally(() => {
      locked.lock.release();
      this.running.delete(workspaceId);
    });
    this.running.set(workspaceId, { abort, done });
    return { started: true, message: 'Sync started', done };
  }

  private async run(workspaceId: string, key: string, apiBase: string, signal: AbortSignal, ratePerSecond?: number): Promise<SyncOutcome> {
    const { ports, registry } = this.ctx;
    const db = registry.openDb(workspaceId);
    const started = Date.now();
    const base = { workspaceId, resource: null, synced: 0, total: null, ratePerSec: 0, etaSec: null, message: null };
    this.emit({ ...base, phase: 'starting' });
    try {
      const sync = createSync({ db, apiBase, key, fetch: ports.fetch, clock: ports.clock, logger: ports.logger, limiter: workspaceLimiter(db, workspaceId, key, ratePerSecond) });
      const result = await sync.run({
        signal,
        onProgress: (p) =>
          this.emit({
            workspaceId,
            phase: p.phase === 'events' ? 'events' : 'backfill',
            resource: p.resource ?? null,
            synced: p.synced,
            total: p.total ?? null,
            ratePerSec: p.ratePerSec,
            etaSec: p.etaSec ?? null,
            message: null,
          }),
      });
      if (result.status === 'canceled') {
        const outcome = { status: 'canceled' as const, message: 'Sync cancelled', counts: result.counts, durationMs: Date.now() - started };
        this.emit({ ...base, phase: 'canceled', message: outcome.message });
        return outcome;
      }
      this.emit({ ...base, phase: 'facts', message: 'Computing customer facts and segments' });
      const now = this.ctx.nowSec();
      ensureDefaults(db, now);
      // The customers the sync touched, and everyone once a day (facts that move with time).
      await refreshFactsAndMembership(this.ctx, db, workspaceId, now, staleSince(db, now) !== null);
      registry.update(workspaceId, { last_sync_at: ports.clock.now() });
      this.ctx.events.emit('workspaces.changed', { ids: [workspaceId] });
      const { skipped: _skipped, failed = 0, ...synced } = result.counts;
      const total = Object.values(synced).reduce((a, b) => a + b, 0);
      const message =
        `Synced ${total.toLocaleString('en')} objects in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (failed > 0 ? ` (${failed.toLocaleString('en')} event${failed === 1 ? '' : 's'} could not be applied and ${failed === 1 ? 'was' : 'were'} skipped: see the log)` : '') +
        (result.reason === 'events expired' ? ' (the last sync was more than 30 days ago, beyond Stripe’s event history, so everything was fetched again)' : '');
      this.emit({ ...base, phase: 'done', synced: total, message });
      return { status: 'completed', message, counts: result.counts, durationMs: Date.now() - started };
    } catch (e) {
      const message = storageProblem(e, this.ctx) ?? (e instanceof Error ? e.message : String(e));
      ports.logger.error({ workspace: workspaceId, err: e instanceof Error ? e.message : String(e) }, 'sync failed');
      this.emit({ ...base, phase: 'failed', message: `Sync stopped: ${message}. Synced data so far is kept; the next sync resumes.` });
      return { status: 'failed', message, counts: {}, durationMs: Date.now() - started };
    }
  }

  cancel(workspaceId: string): boolean {
    const r = this.running.get(workspaceId);
    if (!r) return false;
    r.abort.abort();
    return true;
  }

  /** Cancels the workspace's sync, if any, and waits until it has stopped writing. */
  async stop(workspaceId: string): Promise<void> {
    const r = this.running.get(workspaceId);
    if (!r) return;
    r.abort.abort();
    await r.done;
  }

  async cancelAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.abort.abort();
    await Promise.allSettled(all.map((r) => r.done));
  }
}

export function syncHandlers(ctx: HandlerContext, sync: SyncManager): HandlerGroup<'sync.start' | 'sync.cancel' | 'sync.status'> {
  return {
    'sync.start': async ({ workspaceId }) => {
      const { started, message } = await sync.start(workspaceId);
      return { started, message };
    },
    'sync.cancel': async ({ workspaceId }) => ({ canceled: sync.cancel(workspaceId) }),
    'sync.status': async ({ workspaceId }) => {
      const ws = ctx.registry.get(workspaceId);
      const customers = ctx.db(workspaceId).prepare('SELECT count(*) FROM customer_facts').pluck().get() as number;
      return { running: sync.isRunning(workspaceId), last: sync.lastProgress(workspaceId), lastSyncAt: ws.lastSyncAt, customers };
    },
  };
}
