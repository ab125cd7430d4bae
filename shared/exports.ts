import { z } from 'zod';

/**
 * Exports (#19): one request for every table a reviewer takes away — segments,
 * members, plans, runs, the audit log and the performance report — as CSV,
 * XLSX, a self-contained HTML report or JSON.
 *
 * Money in every export is in major units with its currency code beside it,
 * plus the workspace-currency equivalent; never minor units of several
 * currencies in one column.
 *
 * The app gets the file's bytes in the answer, so an answer is capped at
 * EXPORT_APP_MAX_ROWS rows: bigger exports stream to a file with
 * `reclaim export` (the error says so).
 */

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const ExportWhat = z.enum(['performance', 'segments', 'members', 'plans', 'runs', 'audit']);
export type ExportWhat = z.infer<typeof ExportWhat>;
export const ExportFormat = z.enum(['csv', 'xlsx', 'html', 'json']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** Most rows one `exports.create` answer carries (the file travels inside the answer). */
export const EXPORT_APP_MAX_ROWS = 50_000;

export const ExportInput = z
  .object({
    workspaceId: z.string().min(1),
    what: ExportWhat,
    format: ExportFormat,
    /** Segment name: members of that segment only; for performance, that segment only. */
    segment: z.string().min(1).max(200).optional(),
    /** Audit entries / failures on or after this day (UTC). */
    from: IsoDate.optional(),
    /** … on or before this day (UTC). */
    to: IsoDate.optional(),
    /** Performance: the recovery window in days. */
    windowDays: z.number().int().min(1).max(365).optional(),
    /** Plans: a stored plan's id (default: the latest plan). */
    planId: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ExportInput = z.infer<typeof ExportInput>;

export const ExportOutput = z.object({
  fileName: z.string(),
  mime: z.string(),
  /** `utf8` for CSV, HTML and JSON; `base64` for XLSX. */
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
  /** Data rows written (all tables together). */
  rows: z.number().int(),
});
export type ExportOutput = z.infer<typeof ExportOutput>;

export const EXPORT_MIME: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
};

export const exportRequests = {
  /** One export as a file's content (for the app; `reclaim export` streams big ones to a file). */
  'exports.create': { input: ExportInput, output: ExportOutput },
} as const;
export type ExportMethod = keyof typeof exportRequests;
