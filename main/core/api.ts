import type { Method, ParsedInput, Output } from '../../shared/contract';
import { CoreEvents } from './events';
import { connectHandlers } from './stripe/handlers';
import type { HandlerContext } from './context';
import { customerHandlers, customerStreams } from './customers/handlers';
import { attributeHandlers, mrrSettingsHandlers } from './facts/handlers';
import { segmentHandlers } from './segments/handlers';
import { createRecovery, recoveryHandlers, type Recovery } from './recovery/handlers';
import { auditHandlers } from './recovery/audit-handlers';
import { annualHandlers } from './recovery/annual-handlers';
import { queueHandlers } from './queue/handlers';
import { experimentHandlers } from './experiments/handlers';
import { performanceHandlers } from './performance/handlers';
import { reviewHandlers } from './review/handlers';
import { refuseReviewIds } from './review/guard';
import { ReviewSessions } from './review/sessions';
import { exportHandlers } from './exports/handlers';
import { SyncManager, syncHandlers } from './stripe/sync-handlers';
import { workspaceHandlers } from './workspaces/handlers';
import type { Ports } from './ports';
import { upgradeMessage, WorkspaceRegistry } from './workspaces/registry';
import { finishPendingWork } from './reliability/pending';
import { operatorHandlers } from './operators/handlers';
import { enforceRoles } from './operators/guard';
import { bindSession, currentOperator } from './operators/session';

/** One handler per contract method: adding a method without a handler is a compile error. */
export type Handlers = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> };

export interface Core {
  handlers: Handlers;
  events: CoreEvents;
  registry: WorkspaceRegistry;
  ports: Ports;
  sync: SyncManager;
  /** Row-by-row reads for the CLI (constant memory; not a contract method). */
  streams: ReturnType<typeof customerStreams>;
  recovery: Recovery;
  close(): Promise<void>;
}

export function createCore(ports: Ports): Core {
  const events = new CoreEvents();
  const registry = new WorkspaceRegistry(ports.paths.dataDir, ports.clock, (workspaceId, p) => events.emit('workspaces.upgrade', { workspaceId, ...p, message: upgradeMessage(p) }));
  const checked = new Set<string>();
  const ctx: HandlerContext = {
    ports,
    registry,
    events,
    db: (id) => {
      const ws = registry.get(id);
      const db = registry.openDb(id);
      // #23: code that has only the database names the operator signed in on this desktop.
      bindSession(db, () => currentOperator(registry, id, db));
      if (!checked.has(id)) {
        checked.add(id);
        // First use in this process: finish any recompute a crash left pending.
        if (!registry.readonly) {
          const finished = finishPendingWork(db, { now: Math.floor(ports.clock.now() / 1000), reportingCurrency: ws.currency });
          if (finished) ports.logger.warn({ workspace: id, ...finished }, 'finished a recompute left pending by an interrupted run');
        }
      }
      return db;
    },
    nowSec: () => Math.floor(ports.clock.now() / 1000),
  };
  const sync = new SyncManager(ctx);
  const recovery = createRecovery(ctx);
  // Later steps fire when due while the app (or the browser console) is open.
  if (ports.shell === 'electron' || ports.shell === 'console') recovery.engine.startTicker();

  const reviews = new ReviewSessions();
  const handlers: Handlers = refuseReviewIds(enforceRoles({
    ...workspaceHandlers(ctx, (id) => sync.stop(id)),
    ...connectHandlers(ctx, sync),
    ...syncHandlers(ctx, sync),
    ...customerHandlers(ctx),
    ...attributeHandlers(ctx),
    ...mrrSettingsHandlers(ctx),
    ...segmentHandlers(ctx),
    ...recoveryHandlers(ctx, recovery),
    ...auditHandlers(ctx),
    ...annualHandlers(ctx, recovery),
    ...queueHandlers(ctx),
    ...experimentHandlers(ctx),
    ...performanceHandlers(ctx),
    ...exportHandlers(ctx, () => handlers),
    ...reviewHandlers(ctx, reviews),
    ...operatorHandlers(ctx),
  }, ctx), reviews);

  return {
    handlers,
    events,
    registry,
    ports,
    sync,
    streams: customerStreams(ctx),
    recovery,
    close: async () => {
      await sync.cancelAll();
      await recovery.close();
      reviews.closeAll();
      registry.close();
    },
  };
}
