import type { HandlerContext, HandlerGroup } from '../context';
import { smtpSecretId } from '../recovery/settings';

export const keySecretId = (workspaceId: string) => `stripe-key:${workspaceId}`;

export function workspaceHandlers(ctx: HandlerContext, stopSync: (workspaceId: string) => Promise<void>): HandlerGroup<'app.info' | 'workspaces.list' | 'workspaces.create' | 'workspaces.rename' | 'workspaces.remove'> {
  const { ports, registry } = ctx;
  const changed = (...ids: string[]) => ctx.events.emit('workspaces.changed', { ids });
  return {
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
      registry.get(id);
      await stopSync(id); // never delete a database a sync is writing to
      registry.remove(id);
      await ports.secrets.delete(keySecretId(id));
      await ports.secrets.delete(smtpSecretId(id));
      ports.logger.info({ workspace: id }, 'workspace removed');
      changed(id);
      return { removed: true as const, id };
    },
  };
}
