import type { PerformanceMethod } from '../../../shared/performance';
import type { HandlerContext, HandlerGroup } from '../context';
import { UserError } from '../errors';

/** Performance reporting (#19): filled in by main/core/performance/report.ts. */
export function performanceHandlers(ctx: HandlerContext): HandlerGroup<PerformanceMethod> {
  return {
    'performance.report': async ({ workspaceId }) => {
      ctx.db(workspaceId);
      throw new UserError('unavailable', 'Performance reporting is not built yet');
    },
  };
}
