/** Strategies: channels, steps, email tones, SMTP, contact policy (part of the contract in ./contract.ts). */
import { z } from 'zod';

// ── Strategies and runs (#12): data model ──

/** Every channel a strategy step can use. voice / am_task / webhook land with #13 (until then the engine reports "channel not available"). */
export const ChannelKind = z.enum(['email', 'retry', 'offer', 'voice', 'am_task', 'webhook']);
export type ChannelKind = z.infer<typeof ChannelKind>;

/** Email tone presets; each has default subject/body templates (see `recovery.tones`). */
export const Tone = z.enum(['white_glove', 'warm', 'concise', 'supportive', 'firm']);
export type Tone = z.infer<typeof Tone>;

/** When a step fires: an offset from the invoice's first failure, or from when the previous step fired. */
export const StepDelay = z.object({
  days: z.number().int().min(0).max(365).default(0),
  hours: z.number().int().min(0).max(23).default(0),
  from: z.enum(['first_failure', 'previous_step']).default('first_failure'),
});
export type StepDelay = z.infer<typeof StepDelay>;

/**
 * Conditions checked at plan time and again when the step fires. A step never
 * fires once the invoice is paid, void or uncollectible (not a condition: always true).
 * Money thresholds are minor units of the workspace currency.
 */
export const StepConditions = z.object({
  declineType: z.enum(['any', 'soft', 'hard']).default('any'),
  minAmountAtRisk: z.number().int().min(0).nullable().default(null),
  maxAmountAtRisk: z.number().int().min(0).nullable().default(null),
  minFailures12m: z.number().int().min(0).nullable().default(null),
  /** Escalation (#13): only if at least this many earlier email steps of this run got no payment. */
  afterUnansweredEmails: z.number().int().min(0).nullable().default(null),
  /** Escalation (#13): only if no call of this run for the invoice was answered (none made, no answer, failed). */
  lastCallNotAnswered: z.boolean().default(false),
});
export type StepConditions = z.infer<typeof StepConditions>;

const TemplateText = z.string().max(20_000);
export const EmailTemplate = z.object({
  subject: z.string().min(1, 'Subject is required').max(500),
  text: TemplateText.min(1, 'The plain-text body is required'),
  /** Optional HTML body; when empty, HTML is derived from the text (escaped). */
  html: TemplateText.default(''),
});
export type EmailTemplate = z.infer<typeof EmailTemplate>;

export const EmailConfig = z.object({
  tone: Tone.default('supportive'),
  /** 'account_manager' sends in the customer's account manager's name (falls back to the workspace sender). */
  sender: z.enum(['workspace', 'account_manager']).default('workspace'),
  template: EmailTemplate,
});
export const RetryConfig = z.object({
  aggressiveness: z.enum(['gentle', 'standard', 'aggressive']).default('standard'),
  /** Skip when the invoice already has this many payment attempts (Stripe's attempt_count). */
  maxAttempts: z.number().int().min(1).max(20).default(4),
  /** Hard declines are never retried: this email asks for a new card instead (default template when null). */
  newCardTemplate: EmailTemplate.nullable().default(null),
});
export const OfferConfig = z.object({
  kind: z.enum(['coupon', 'annual', 'payment_method']),
  percentOff: z.number().min(1).max(100).nullable().default(null),
  /** Minor units of `amountCurrency` (cents for USD, yen for JPY, fils for KWD). */
  amountOff: z.number().int().min(1).nullable().default(null),
  /** The currency `amountOff` is in (null: the workspace currency). Invoices in another currency use `currencyAmounts`; never converted. */
  amountCurrency: z.string().regex(/^[a-z]{3}$/, 'A currency is three lowercase letters (usd, jpy…)').nullable().optional(),
  /** The amount off for invoices in other currencies, in their minor units (Stripe's coupon `currency_options`); an invoice in a currency without one is not offered the coupon. */
  currencyAmounts: z.record(z.string().regex(/^[a-z]{3}$/), z.number().int().min(1)).optional(),
  duration: z.enum(['once', 'repeating', 'forever']).default('once'),
  durationInMonths: z.number().int().min(1).max(36).nullable().default(null),
  maxPerCustomer: z.number().int().min(1).max(10).default(1),
  /** At most this many offers of this step per run (null: no cap). */
  maxPerRun: z.number().int().min(1).nullable().default(null),
  /** The email announcing the offer. */
  template: EmailTemplate.nullable().default(null),
  tone: Tone.default('supportive'),
});
export type EmailConfig = z.infer<typeof EmailConfig>;
export type RetryConfig = z.infer<typeof RetryConfig>;
export type OfferConfig = z.infer<typeof OfferConfig>;

const StepId = z.string().trim().min(1).max(40).regex(/^[a-z0-9_-]+$/i, 'Step ids are letters, digits, _ and -');
const stepBase = {
  id: StepId,
  label: z.string().max(120).default(''),
  delay: StepDelay.default({ days: 0, hours: 0, from: 'first_failure' }),
  conditions: StepConditions.default({ declineType: 'any', minAmountAtRisk: null, maxAmountAtRisk: null, minFailures12m: null, afterUnansweredEmails: null, lastCallNotAnswered: false }),
};
export const Step = z.discriminatedUnion('channel', [
  z.object({ ...stepBase, channel: z.literal('email'), config: EmailConfig }),
  z.object({ ...stepBase, channel: z.literal('retry'), config: RetryConfig.default({ aggressiveness: 'standard', maxAttempts: 4, newCardTemplate: null }) }),
  z.object({ ...stepBase, channel: z.literal('offer'), config: OfferConfig }),
  // #13 refines these configs; until then they are free-form.
  z.object({ ...stepBase, channel: z.literal('voice'), config: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ ...stepBase, channel: z.literal('am_task'), config: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ ...stepBase, channel: z.literal('webhook'), config: z.record(z.string(), z.unknown()).default({}) }),
]);
export type Step = z.infer<typeof Step>;
export type StepInput = z.input<typeof Step>;

export const StrategyInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    description: z.string().max(500).default(''),
    enabled: z.boolean().default(true),
    steps: z.array(Step).max(30),
  })
  .refine((s) => new Set(s.steps.map((x) => x.id)).size === s.steps.length, { message: 'Step ids must be unique within a strategy', path: ['steps'] });
export type StrategyInput = z.input<typeof StrategyInput>;

/** A strategy as stored: per segment (segmentId null = Default strategy). */
export const Strategy = z.object({
  segmentId: z.string().nullable(),
  segmentName: z.string(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  steps: z.array(Step),
  /** False while it is still the built-in default (reset-default brings it back). */
  customized: z.boolean(),
  updatedAt: z.number().int().nullable(),
});
export type Strategy = z.infer<typeof Strategy>;

export const SmtpSettings = z.object({
  /** 'capture': messages are stored in the workspace and viewable in the app (demo default); 'smtp': real delivery. */
  transport: z.enum(['capture', 'smtp']),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  tls: z.enum(['starttls', 'tls', 'none']),
  user: z.string().nullable(),
  /** Never the password itself. */
  passwordSet: z.boolean(),
  from: z.string().nullable(),
  fromName: z.string().nullable(),
  replyTo: z.string().nullable(),
  /** Emails per minute across a run. */
  ratePerMinute: z.number().int(),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

/** At most `maxEmails` emails and `maxCalls` calls to one customer in any `windowHours`. */
export const ContactPolicy = z.object({
  windowHours: z.number().int().min(1).max(720),
  maxEmails: z.number().int().min(0).max(50),
  maxCalls: z.number().int().min(0).max(50),
});
export type ContactPolicy = z.infer<typeof ContactPolicy>;

export const RecoverySettings = z.object({
  /** Who acts, written into the audit log. */
  operatorName: z.string(),
  /** The operator's own address for test sends. */
  operatorEmail: z.string().nullable(),
  /** #17.10: per customer, across runs, channels and the queue (see README "Contact policy"). */
  contactPolicy: ContactPolicy,
});
