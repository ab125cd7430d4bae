import { z } from 'zod';

/**
 * Performance reporting (#19): the schemas every shell and every export reads.
 * What each figure counts is in METRIC_DEFINITIONS (shown in the app, written
 * into every export and docs/METRICS.md): a report must say exactly what it
 * counts.
 *
 * Money: every amount here is in the workspace currency, integer minor units,
 * converted from the invoice's currency with the workspace's exchange rates
 * (fx_rates) — never minor units of mixed currencies. Exports write major
 * units with the currency code beside them.
 */

const WorkspaceRef = z.object({ workspaceId: z.string().min(1) });
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const PerformanceFilters = z.object({
  /** Days after the first failed attempt within which a payment counts as recovered. */
  windowDays: z.number().int().min(1).max(365).default(30),
  /** First failures on or after this day (UTC); default: 90 days before today. */
  from: IsoDate.optional(),
  /** First failures on or before this day (UTC); default: today. */
  to: IsoDate.optional(),
  /** Segment names (as snapshotted when the run started); empty = all. "No run" is the invoices no run worked on. */
  segments: z.array(z.string()).default([]),
  /** Variant keys (`experimentKey/arm`, see Variant); empty = all. */
  variants: z.array(z.string()).default([]),
});
export type PerformanceFilters = z.infer<typeof PerformanceFilters>;

/** The figures of one group of invoices (the whole cohort, a segment, a variant, a month…). */
export const PerformanceFigures = z.object({
  /** Invoices whose first payment attempt failed in the date range (the cohort), voided ones excluded. */
  invoices: z.number().int(),
  /** Paid in full within the window. */
  recovered: z.number().int(),
  /** Partly paid within the window, not in full (counted apart; not recovered). */
  partial: z.number().int(),
  /** Voided after failing: removed from the cohort, counted here. */
  voided: z.number().int(),
  /** Marked uncollectible: stay in the cohort, never recovered. */
  uncollectible: z.number().int(),
  /** Still open and younger than the window: censored in the curve. */
  open: z.number().int(),
  /** recovered / invoices; null without invoices. */
  rate: z.number().nullable(),
  /** 95% Wilson interval of `rate`. */
  rateLow: z.number().nullable(),
  rateHigh: z.number().nullable(),
  /** Amount due of the cohort's invoices. */
  amountDue: z.number().int(),
  /** Amount paid on recovered invoices within the window. */
  amountRecovered: z.number().int(),
  /** Amount paid on partly paid invoices within the window. */
  amountPartial: z.number().int(),
  /** amountRecovered / amountDue; null without invoices. */
  rateByAmount: z.number().nullable(),
  /** Amount still owed on invoices that are open now. */
  amountAtRisk: z.number().int(),
  /** Days from first failure to payment: Kaplan–Meier median and 90th percentile; null when the curve never reaches it. */
  medianDays: z.number().nullable(),
  p90Days: z.number().nullable(),
  /** Voice credits and offer value spent on these invoices. */
  costVoice: z.number().int(),
  costOffers: z.number().int(),
  /** amountRecovered − costVoice − costOffers. */
  net: z.number().int(),
  /** Recovered with no Reclaim action before the payment (baseline). */
  recoveredWithoutAction: z.number().int(),
});
export type PerformanceFigures = z.infer<typeof PerformanceFigures>;

export const PerformanceGroup = PerformanceFigures.extend({
  /** Stable key of the group (segment name, variant key, month `2026-09`, `hard`/`soft`, channel). */
  key: z.string(),
  /** What the UI and exports show. */
  label: z.string(),
});
export type PerformanceGroup = z.infer<typeof PerformanceGroup>;

/** One day of a recovery curve: share of the group recovered by the end of day `day` since first failure. */
export const PerformanceCurvePoint = z.object({ day: z.number().int(), recovered: z.number(), atRisk: z.number().int() });
export const PerformanceCurve = z.object({ key: z.string(), label: z.string(), points: z.array(PerformanceCurvePoint) });

/** Cohort heatmap: failure month × days since failure → share recovered by then. */
export const CohortCell = z.object({ cohort: z.string(), day: z.number().int(), recovered: z.number().nullable() });

/** A week (Monday, UTC) of recovered revenue and cost. */
export const PerformancePeriod = z.object({
  start: IsoDate,
  amountRecovered: z.number().int(),
  recovered: z.number().int(),
  cost: z.number().int(),
});

/** A group's rate against the baseline's, with a 95% interval on the difference. */
export const BaselineComparison = z.object({
  key: z.string(),
  label: z.string(),
  rate: z.number().nullable(),
  baselineRate: z.number().nullable(),
  /** rate − baselineRate, as a share (0.12 = 12 points); null when either side has no invoices. */
  diff: z.number().nullable(),
  diffLow: z.number().nullable(),
  diffHigh: z.number().nullable(),
  pValue: z.number().nullable(),
  /** "+25% vs baseline" style relative lift (rate / baselineRate − 1); null when not defined. */
  lift: z.number().nullable(),
});

export const PerformanceReport = z.object({
  workspace: z.object({ id: z.string(), name: z.string(), kind: z.string(), mode: z.string(), currency: z.string() }),
  generatedAtMs: z.number().int(),
  /** True for a demo workspace: outcomes come from the local Stripe server's customer-response model. */
  simulated: z.boolean(),
  /** The filters as applied (defaults filled in). */
  filters: PerformanceFilters.extend({ from: IsoDate, to: IsoDate }),
  totals: PerformanceFigures,
  bySegment: z.array(PerformanceGroup),
  byVariant: z.array(PerformanceGroup),
  byCohort: z.array(PerformanceGroup),
  /** hard / soft / unknown decline. */
  byDecline: z.array(PerformanceGroup),
  /** The channel that acted last before recovery; `none` = recovered without action. */
  byChannel: z.array(PerformanceGroup),
  overTime: z.array(PerformancePeriod),
  /** Recovery curve per segment (and `all`). */
  curves: z.array(PerformanceCurve),
  cohortHeatmap: z.array(CohortCell),
  /** The baseline every segment is compared with (the Default strategy on the segmentation holdout, else invoices no run worked on); null without one. */
  baseline: z.object({ label: z.string(), figures: PerformanceFigures, comparisons: z.array(BaselineComparison) }).nullable(),
  /** Every segment and variant present in the data (for the filter pickers). */
  available: z.object({ segments: z.array(z.string()), variants: z.array(z.object({ key: z.string(), label: z.string() })) }),
  /** What each figure counts, in words. */
  definitions: z.array(z.object({ term: z.string(), text: z.string() })),
});
export type PerformanceReport = z.infer<typeof PerformanceReport>;

export const performanceRequests = {
  'performance.report': { input: WorkspaceRef.extend(PerformanceFilters.shape).strict(), output: PerformanceReport },
} as const;
export type PerformanceMethod = keyof typeof performanceRequests;
