/**
 * Offline review (#19): open an exported performance report (.json, or the
 * .html report with its embedded JSON) or a read-only copy of a workspace
 * database, and read its performance figures without a Stripe key or network.
 * Spread into `contract` by shared/contract.ts (this file imports nothing from
 * it). Nothing executes from review mode: a review id is refused by every
 * request except these four.
 */
import { z } from 'zod';
import { PerformanceFilters, PerformanceReport } from './performance';

/** Every review id starts with this; no workspace id does (those are `ws_…`). */
export const REVIEW_ID_PREFIX = 'review_';
export const isReviewId = (id: unknown): id is string => typeof id === 'string' && id.startsWith(REVIEW_ID_PREFIX);

export const ReviewSession = z.object({
  id: z.string(),
  /** An exported report (fixed figures) or a workspace database copy (recomputed with any filters). */
  source: z.enum(['report', 'database']),
  fileName: z.string(),
  workspaceName: z.string(),
  /** test / live, as the workspace was. */
  mode: z.string(),
  /** A demo workspace: outcomes come from the local Stripe server's customer-response model. */
  simulated: z.boolean(),
  /** When the report was generated (a report file only). */
  generatedAtMs: z.number().int().optional(),
  /** When the session was opened. */
  openedAtMs: z.number().int(),
});
export type ReviewSession = z.infer<typeof ReviewSession>;

const ReviewRef = z.object({ reviewId: z.string().min(1) });

export const reviewRequests = {
  /**
   * Opens a file for review: `path` (the CLI, Electron, or a database copy typed in the console), or
   * `content` with its `fileName` (a .json/.html report picked in the browser). A database copy is opened
   * by path only, read-only.
   */
  'review.open': {
    input: z
      .object({
        path: z.string().trim().min(1).max(4096).optional(),
        fileName: z.string().trim().min(1).max(255).optional(),
        content: z.string().max(100_000_000).optional(),
      })
      .strict(),
    output: ReviewSession,
  },
  /** The report: recomputed with the filters from a database copy; for a report file, the stored report (its `filters` say what it counts). */
  'review.report': { input: ReviewRef.extend(PerformanceFilters.partial().shape).strict(), output: PerformanceReport },
  'review.list': { input: z.object({}).strict(), output: z.array(ReviewSession) },
  'review.close': { input: ReviewRef.strict(), output: z.object({ closed: z.boolean(), id: z.string() }) },
} as const;
export type ReviewMethod = keyof typeof reviewRequests;
