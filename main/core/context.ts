import type { Handlers } from './api';
import type { Sqlite } from './db/sqlite';
import type { CoreEvents } from './events';
import type { Ports } from './ports';
import type { WorkspaceRegistry } from './workspaces/registry';

/** What every handler group gets: the ports, the registry, events, and helpers. */
export interface HandlerContext {
  ports: Ports;
  registry: WorkspaceRegistry;
  events: CoreEvents;
  /** The workspace's database (throws not_found for an unknown id). */
  db(workspaceId: string): Sqlite;
  /** Unix seconds from the clock port. */
  nowSec(): number;
}

export type HandlerGroup<K extends keyof Handlers> = Pick<Handlers, K>;
