import type { Method, ParsedInput, Output } from '../../shared/contract';
import { CoreEvents } from './events';
import { connectHandlers } from './stripe/handlers';
import type { HandlerContext } from './context';
import { customerHandlers } from './customers/handlers';
import { attributeHandlers } from './facts/handlers';
import { segmentHandlers } from './segments/handlers';
import { createRecovery, recoveryHandlers, type Recovery } from './recovery/handlers';
import { queueHandlers } from './queue/handlers';
import { SyncManager, syncHandlers } from './stripe/sync-handlers';
import { workspaceHandlers } from './workspaces/handlers';
import type { Ports } from './ports';
import { WorkspaceRegistry } from './workspaces/registry';

/** One handler per contract method: adding a method without a handler is a compile error. */
export type Handlers = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> };

export interface Core {
  handlers: Handlers;
  events: CoreEvents;
  registry: WorkspaceRegistry;
  ports: Ports;
  sync: SyncManager;
  recovery: Recovery;
  close(): Promise<void>;
}

export function createCore(ports: Ports): Core {
  const events = new CoreEvents();
  const registry = new WorkspaceRegistry(ports.paths.dataDir, ports.clock);
  const ctx: HandlerContext = {
    ports,
    registry,
    events,
    db: (id) => {
      registry.get(id);
      return registry.openDb(id);
    },
    nowSec: () => Math.floor(ports.clock.now() / 1000),
  };
  const sync = new SyncManager(ctx);
  const recovery = createRecovery(ctx);
  // Later steps fire when due while the app (or the browser console) is open.
  if (ports.shell === 'electron' || ports.shell === 'console') recovery.engine.startTicker();

  const handlers: Handlers = {
    ...workspaceHandlers(ctx, (id) => sync.stop(id)),
    ...connectHandlers(ctx, sync),
    ...syncHandlers(ctx, sync),
    ...customerHandlers(ctx),
    ...attributeHandlers(ctx),
    ...segmentHandlers(ctx),
    ...recoveryHandlers(ctx, recovery),
    ...queueHandlers(ctx),
  };

  return {
    handlers,
    events,
    registry,
    ports,
    sync,
    recovery,
    close: async () => {
      await sync.cancelAll();
      await recovery.close();
      registry.close();
    },
  };
}
