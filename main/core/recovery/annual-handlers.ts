import type { HandlerContext, HandlerGroup } from '../context';
import { recomputeFacts } from '../facts/compute';
import { switchToAnnual } from './annual-switch';
import type { Recovery } from './handlers';
import { actorName } from '../operators/session';

/** `recovery.switchToAnnual` (#17 item 13): preview, then the confirmed switch; facts follow at once. */
export function annualHandlers(ctx: HandlerContext, recovery: Recovery): HandlerGroup<'recovery.switchToAnnual'> {
  return {
    'recovery.switchToAnnual': async ({ workspaceId, customerId, subscriptionId, confirm, prorationDate }) => {
      const db = ctx.db(workspaceId);
      const nowMs = ctx.ports.clock.now();
      const result = await switchToAnnual({
        db, stripe: () => recovery.stripe(workspaceId), customerId, subscriptionId, confirm, prorationDate, actor: actorName(db), nowMs,
      });
      if (result.status !== 'preview') {
        recomputeFacts(db, { now: ctx.nowSec(), reportingCurrency: ctx.registry.get(workspaceId).currency, customerIds: [customerId] });
      }
      return result;
    },
  };
}
