/**
 * A/B experiments inside a segment (#20): schemas and the requests, spread
 * into `contract` by shared/contract.ts (this file imports nothing from it,
 * so there is no import cycle; arm strategies are checked against the
 * contract's StrategyInput by the core).
 */
import { z } from 'zod';

const WorkspaceRef = z.object({ workspaceId: z.string().min(1) });
const ArmName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'An arm name is 1–32 letters, digits, - or _ (e.g. control, b, voice)')
  .refine((s) => s.toLowerCase() !== 'holdout', 'holdout is the name of the held-out group; choose another arm name');
const Seed = z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'A seed is 1–64 letters, digits, _ : . -');

export const ArmInput = z
  .object({
    name: ArmName,
    /** Percent of the (non-held-out) segment; arms sum to 100. */
    weight: z.number().int().min(1).max(99),
    /** A strategy (StrategyInput JSON) for this arm; absent: see `strategyFrom`. */
    strategy: z.record(z.string(), z.unknown()).optional(),
    /**
     * Where the arm's strategy comes from when no `strategy` is given: 'segment' (the segment's
     * current strategy, live — the control's default), 'copy' (a copy of it taken now — other arms'
     * default), 'default' (the Default strategy) or another segment's id (a copy of its strategy).
     */
    strategyFrom: z.string().min(1).optional(),
  })
  .strict();
export type ArmInput = z.infer<typeof ArmInput>;

export const ExperimentDraft = z.object({
  segmentId: z.string().min(1),
  arms: z.array(ArmInput).min(2, 'An experiment has at least 2 arms').max(8, 'An experiment has at most 8 arms'),
  /** Percent of the segment held out (gets the segment's current strategy). */
  holdout: z.number().int().min(0).max(50).default(0),
  /** Hash seed; default: a random one. Reproduce arms with GrowthBook using this seed. */
  seed: Seed.optional(),
});

export const ArmView = z.object({
  name: z.string(),
  weight: z.number().int(),
  strategy: z.object({
    name: z.string(),
    /** 'segment' = the segment's current strategy at plan time; otherwise a stored copy ('copy', 'default', 'segment:<id>', 'custom'). */
    source: z.string(),
    channels: z.array(z.string()),
  }),
});
export type ArmView = z.infer<typeof ArmView>;

export const ExperimentStatus = z.enum(['running', 'stopped', 'shipped']);

export const Experiment = z.object({
  id: z.string(),
  /** The GrowthBook experiment key. */
  key: z.string(),
  name: z.string(),
  segmentId: z.string(),
  segmentName: z.string(),
  seed: z.string(),
  hashVersion: z.literal(2),
  holdout: z.number().int(),
  arms: z.array(ArmView),
  status: ExperimentStatus,
  winner: z.string().nullable(),
  createdAt: z.number().int(),
  stoppedAt: z.number().int().nullable(),
});
export type Experiment = z.infer<typeof Experiment>;

export const Srm = z.object({ statistic: z.number(), df: z.number().int(), pValue: z.number(), flagged: z.boolean(), message: z.string() });

export const PreviewArm = z.object({
  arm: z.string(),
  /** Share of the segment planned for this arm (0–1). */
  share: z.number(),
  customers: z.number().int(),
  expected: z.number(),
  /** customers − expected, and the standard deviation hashing alone gives (√(n·p·(1−p))). */
  deviation: z.number(),
  expectedSd: z.number(),
  mrr: z.number().int(),
  amountAtRisk: z.number().int(),
  /** Customers already treated (their arm is fixed). */
  treated: z.number().int(),
});

export const ExperimentPreview = z.object({
  seed: z.string(),
  segmentName: z.string(),
  currency: z.string(),
  members: z.number().int(),
  arms: z.array(PreviewArm),
  /** Chi-square on the arm counts of the current members against the planned split. */
  srm: Srm,
});
export type ExperimentPreview = z.infer<typeof ExperimentPreview>;

export const ResultArm = z.object({
  arm: z.string(),
  customers: z.number().int(),
  entered: z.number().int(),
  recovered: z.number().int(),
  rate: z.number().nullable(),
  amountEntered: z.number().int(),
  amountRecovered: z.number().int(),
  rateByAmount: z.number().nullable(),
  /** Median seconds from first failure to payment, recovered invoices with a paid time. */
  medianSecondsToRecovery: z.number().nullable(),
  recoveredRevenue: z.number().int(),
  offerCost: z.number().int(),
  /** Against control (null for control itself or when either side is empty). */
  vsControl: z
    .object({ diff: z.number(), ciLow: z.number(), ciHigh: z.number(), pValue: z.number() })
    .nullable(),
  verdict: z.string(),
});

/** One day of an arm's recovery curve (Kaplan–Meier: invoices still open are censored, not failures). */
export const CurvePoint = z.object({
  /** Whole days since the invoice entered the run. */
  day: z.number().int(),
  /** Share of entered invoices recovered by the end of this day (1 − S(day)). */
  recovered: z.number(),
  atRisk: z.number().int(),
  recoveredToday: z.number().int(),
});

export const ExperimentResultArm = ResultArm.extend({
  /** P(this arm's recovery rate > control's), posteriors Beta(1 + recovered, 1 + not recovered); null for control or when either side is empty. */
  chanceToBeatControl: z.number().nullable(),
  /** Recovered share by day since entry, days 0..min(curveDays, last day observed); empty without invoices. */
  curve: z.array(CurvePoint),
});

export const ExperimentResults = z.object({
  experiment: Experiment,
  currency: z.string(),
  arms: z.array(ExperimentResultArm),
  /** The recovery curves' window in days. */
  curveDays: z.number().int(),
  /** Chi-square on the stored (treated) assignments against the planned split, flagged at p < 0.001. */
  srm: Srm,
  mde: z.number(),
  power: z.number(),
  /** Invoices needed per arm to detect `mde` at α = 0.05 with `power`, from the control's rate (or 0.5 without data). */
  neededPerArm: z.number().int(),
  /** At the rate invoices entered so far; null without data. */
  moreDays: z.number().nullable(),
  summary: z.string(),
});
export type ExperimentResults = z.infer<typeof ExperimentResults>;

export const ExperimentSettings = z.object({
  /** Percent of all customers, workspace-wide, that get the Default strategy (the one-size-fits-all baseline). */
  segmentationHoldout: z.number().int().min(0).max(50),
  seed: z.string(),
});

export const SegmentationResults = z.object({
  segmentationHoldout: z.number().int(),
  /** When the holdout was turned on (ms); runs from then on count. */
  since: z.number().int().nullable(),
  currency: z.string(),
  /** 'segmentation_holdout' (the Default strategy: the baseline) and 'segmented' (each segment's own strategy or experiment). */
  arms: z.array(ResultArm),
  /** (segmented rate − holdout rate) / holdout rate. */
  relativeLift: z.number().nullable(),
  summary: z.string(),
});
export type SegmentationResults = z.infer<typeof SegmentationResults>;

const ExpRef = WorkspaceRef.extend({ id: z.string().min(1) });

export const experimentRequests = {
  'experiments.list': { input: WorkspaceRef.strict(), output: z.array(Experiment) },
  'experiments.get': { input: ExpRef.strict(), output: Experiment },
  'experiments.create': { input: WorkspaceRef.extend({ name: z.string().trim().min(1).max(80) }).extend(ExperimentDraft.shape).strict(), output: Experiment },
  /** Preview of a stored experiment (id) or of a draft before launch. */
  'experiments.preview': {
    input: WorkspaceRef.extend({ id: z.string().min(1).optional(), draft: ExperimentDraft.strict().optional() })
      .strict()
      .refine((v) => Boolean(v.id) !== Boolean(v.draft), 'Give either an experiment id or a draft'),
    output: ExperimentPreview,
  },
  /** Every current member of the segment with its arm (stored arm for treated customers, the hash otherwise). */
  'experiments.assign': { input: ExpRef.strict(), output: z.array(z.object({ customerId: z.string(), arm: z.string() })) },
  'experiments.results': {
    input: ExpRef.extend({
      mde: z.number().gt(0).lt(1).default(0.05),
      power: z.number().gt(0.5).lt(1).default(0.8),
      /** Window of the recovery curves, days since entry. */
      curveDays: z.number().int().min(1).max(365).default(30),
    }).strict(),
    output: ExperimentResults,
  },
  'experiments.stop': { input: ExpRef.strict(), output: Experiment },
  /** New split percentages for the same arms (and holdout); customers already treated keep their arm. */
  'experiments.setSplit': {
    input: ExpRef.extend({ arms: z.array(z.object({ name: z.string(), weight: z.number().int().min(1).max(99) }).strict()).min(2), holdout: z.number().int().min(0).max(50).optional() }).strict(),
    output: Experiment,
  },
  /** Makes an arm's strategy the segment's strategy and ends the experiment; without `arm`, the significantly best arm. */
  'experiments.ship': { input: ExpRef.extend({ arm: z.string().optional() }).strict(), output: Experiment },
  /** Segmented strategies vs the one-size-fits-all Default strategy, measured on the segmentation holdout. */
  'experiments.segmentationResults': { input: WorkspaceRef.strict(), output: SegmentationResults },
  'experiments.settings.get': { input: WorkspaceRef.strict(), output: ExperimentSettings },
  'experiments.settings.set': { input: WorkspaceRef.extend({ segmentationHoldout: z.number().int().min(0).max(50) }).strict(), output: ExperimentSettings },
} as const;

export type ExperimentMethod = keyof typeof experimentRequests;
