import type { HandlerContext, HandlerGroup } from '../context';
import { verifyAudit } from './audit-chain';

/** `audit.verify`: reads only, so it also answers on a read-only workspace. */
export function auditHandlers(ctx: HandlerContext): HandlerGroup<'audit.verify'> {
  return {
    'audit.verify': async ({ workspaceId }) => verifyAudit(ctx.db(workspaceId)),
  };
}
