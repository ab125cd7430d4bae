import type { Method } from '../../../shared/contract';
import type { Handlers } from '../api';
import type { HandlerContext } from '../context';
import type { Sqlite } from '../db/sqlite';
import { UserError } from '../errors';
import { ACCESS, refusal, SIGN_IN_FIRST } from './access';
import { currentOperator } from './session';
import { hasOperators, mayManageOperators } from './store';

/** The workspace a request names: `workspaceId`, or `id` in workspaces.* requests. */
function workspaceOf(method: string, input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const o = input as Record<string, unknown>;
  const id = typeof o.workspaceId === 'string' ? o.workspaceId : method.startsWith('workspaces.') && typeof o.id === 'string' ? o.id : null;
  return id;
}

/**
 * Roles, enforced in the core (#23): every shell (CLI, bridge, Electron IPC)
 * and every direct `core.handlers` call goes through this wrapper, so they
 * agree. A workspace without operators is one person's: everything is allowed,
 * as before. Reads are always allowed.
 */
export function enforceRoles(handlers: Handlers, ctx: HandlerContext): Handlers {
  const guarded = { ...handlers } as Record<string, (input: unknown) => Promise<unknown>>;
  for (const [method, handler] of Object.entries(guarded)) {
    const access = ACCESS[method as Method];
    if (access.kind === 'read' || access.kind === 'session') continue;
    guarded[method] = async (input: unknown) => {
      const workspaceId = workspaceOf(method, input);
      const db = workspaceId ? openIfListed(ctx, workspaceId) : null;
      if (db && hasOperators(db)) {
        const op = currentOperator(ctx.registry, workspaceId!, db);
        if (!op) throw new UserError('forbidden', SIGN_IN_FIRST);
        if (access.kind === 'operators') {
          if (!mayManageOperators(db, op)) throw new UserError('forbidden', `Only an admin adds, changes or removes operators; ${op.name} is signed in as ${op.role === 'account_manager' ? 'an account manager' : 'a specialist'}`);
        } else {
          const no = refusal(access, op.role);
          if (no) throw new UserError('forbidden', no);
        }
      }
      return handler(input);
    };
  }
  return guarded as Handlers;
}

/**
 * The workspace's database, or null when the request names no listed workspace
 * or its file cannot be opened: the handler then answers as it always has (not
 * found; the file is missing or damaged — removing such a workspace stays possible).
 */
function openIfListed(ctx: HandlerContext, workspaceId: string): Sqlite | null {
  try {
    ctx.registry.get(workspaceId);
    return ctx.db(workspaceId);
  } catch {
    return null;
  }
}
