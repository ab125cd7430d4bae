import type { Workspace } from '../../../shared/contract';
import type { PerformanceFilters, PerformanceReport } from '../../../shared/performance';
import type { Sqlite } from '../db/sqlite';
import { UserError } from '../errors';

/**
 * The performance report recomputed from a database copy: the same pure reads
 * as `performance.report` (main/core/performance/report.ts).
 */
export function recomputeReport(_db: Sqlite, _ws: Workspace, _filters: PerformanceFilters, _nowMs: number): PerformanceReport {
  throw new UserError('unavailable', 'Recomputing a report from a workspace copy needs the performance reports, which are not built yet; open an exported report instead.');
}
