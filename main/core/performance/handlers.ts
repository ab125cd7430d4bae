import type { PerformanceMethod } from '../../../shared/performance';
import type { HandlerContext, HandlerGroup } from '../context';
import { performanceReport } from './report';

/** Performance reporting (#19): the report over the workspace database (main/core/performance/report.ts). */
export function performanceHandlers(ctx: HandlerContext): HandlerGroup<PerformanceMethod> {
  return {
    'performance.report': async ({ workspaceId, ...filters }) => {
      const db = ctx.db(workspaceId);
      const ws = ctx.registry.get(workspaceId);
      return performanceReport(db, ws, filters, ctx.ports.clock.now());
    },
  };
}
