import type { Workspace } from '../../../shared/contract';
import type { PerformanceFilters, PerformanceReport } from '../../../shared/performance';
import type { Sqlite } from '../db/sqlite';
import { performanceReport } from '../performance/report';

/**
 * The performance report recomputed from a read-only database copy: the same
 * pure reads as `performance.report` (main/core/performance/report.ts).
 */
export function recomputeReport(db: Sqlite, ws: Workspace, filters: Partial<PerformanceFilters>, nowMs: number): PerformanceReport {
  return performanceReport(db, ws, filters, nowMs);
}
