import type { Method, ParsedInput, Output } from '../../shared/contract';
import { CoreEvents } from './events';
import type { Ports } from './ports';
import { WorkspaceRegistry } from './workspaces/registry';

/** One handler per contract method: adding a method without a handler is a compile error. */
export type Handlers = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> };

export interface Core {
  handlers: Handlers;
  events: CoreEvents;
  registry: WorkspaceRegistry;
  ports: Ports;
  close(): void;
}

export function createCore(ports: Ports): Core {
  const events = new CoreEvents();
  const registry = new WorkspaceRegistry(ports.paths.dataDir, ports.clock);
  const changed = (...ids: string[]) => events.emit('workspaces.changed', { ids });

  const handlers: Handlers = {
    'app.info': async () => ({
      version: ports.version,
      shell: ports.shell,
      dataDir: ports.paths.dataDir,
      secretsBackend: ports.secrets.backend,
    }),
    'workspaces.list': async () => registry.list(),
    'workspaces.create': async (input) => {
      const ws = registry.create(input);
      ports.logger.info({ workspace: ws.id, mode: ws.mode }, 'workspace created');
      changed(ws.id);
      return ws;
    },
    'workspaces.rename': async ({ id, name }) => {
      const ws = registry.rename(id, name);
      changed(id);
      return ws;
    },
    'workspaces.remove': async ({ id }) => {
      registry.remove(id);
      await ports.secrets.delete(`stripe-key:${id}`);
      ports.logger.info({ workspace: id }, 'workspace removed');
      changed(id);
      return { removed: true as const, id };
    },
  };

  return {
    handlers,
    events,
    registry,
    ports,
    close: () => registry.close(),
  };
}
