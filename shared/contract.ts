/**
 * The contract between the core and every shell (Electron IPC, browser-console
 * bridge, CLI). Each request has an input and an output schema; each event a
 * payload schema. `createCore` must provide a handler for every request here —
 * its type is derived from this object, so a missing handler is a compile error.
 */
import { z } from 'zod';
import { patchShape } from './patch';
import { AnnualSwitch } from './annual';
import { AmSettings, Outcome, TaskContext, TaskSummary, VoiceSettings, WebhookSettings } from './whiteglove';
import { experimentRequests } from './experiments';
import { performanceRequests } from './performance';
import { reviewRequests } from './review';
import { exportRequests } from './exports';

export const Mode = z.enum(['test', 'live']);
export type Mode = z.infer<typeof Mode>;

export const WorkspaceKind = z.enum(['stripe', 'demo']);

/** What the UI may know about the Stripe key: never the key itself. */
export const KeyInfo = z.object({
  configured: z.boolean(),
  mode: Mode,
  /** e.g. "rk_live_…a1b2" */
  masked: z.string(),
  last4: z.string(),
});

export const Workspace = z.object({
  id: z.string(),
  name: z.string(),
  kind: WorkspaceKind,
  mode: Mode,
  stripeAccountId: z.string().nullable(),
  currency: z.string(),
  key: KeyInfo.nullable(),
  createdAt: z.number().int(),
  lastSyncAt: z.number().int().nullable(),
});
export type Workspace = z.infer<typeof Workspace>;

const WorkspaceName = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(80, 'Name is at most 80 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'Name must not contain control characters');

const Currency = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}$/, 'Currency is a three-letter ISO code such as usd');

const Empty = z.object({}).strict();
const WorkspaceRef = z.object({ workspaceId: z.string().min(1) });

/**
 * One customer's derived facts. Keys are the facts catalog's field names (the
 * names `reclaim fields` lists and segment rules use), so a row read from any
 * machine output can be turned into a rule as it is. Money: integer minor units
 * in the workspace currency. Two keys are not facts: `attrs` (custom attributes;
 * rules address them as `attrs.<key>`) and `segment` (the winning segment).
 */
export const CustomerFacts = z.object({
  customer_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  currency: z.string().nullable(),
  plan: z.string().nullable(),
  product_id: z.string().nullable(),
  billing_interval: z.string().nullable(),
  subscription_status: z.string().nullable(),
  mrr: z.number().int(),
  tenure_days: z.number().int(),
  ltv: z.number().int(),
  failures_12m: z.number().int(),
  /** Failure episodes: distinct invoices with a failed payment in 12 months (failures_12m counts attempts). */
  failed_invoices_12m: z.number().int().default(0),
  last_decline_code: z.string().nullable(),
  last_decline_hard: z.boolean().nullable(),
  /** Stripe's outcome.advice_code on the last failed payment (do_not_try_again, try_again_later, confirm_card_data). */
  last_advice_code: z.string().nullable().default(null),
  card_expiry: z.string().nullable(),
  card_expires_in_days: z.number().int().nullable(),
  open_past_due_count: z.number().int(),
  amount_at_risk: z.number().int(),
  days_since_first_failure: z.number().int().nullable(),
  region: z.string().nullable(),
  industry: z.string().nullable(),
  account_manager: z.string().nullable(),
  tags: z.array(z.string()),
  /** The Stripe customer's address country (ISO 3166-1 alpha-2) and state; null without an address. */
  country: z.string().nullable().default(null),
  state: z.string().nullable().default(null),
  /** The Stripe customer's preferred locales, in order of preference. */
  preferred_locales: z.array(z.string()).default([]),
  /** Stripe's tax_exempt: none, exempt or reverse. */
  tax_exempt: z.string().nullable().default(null),
  attrs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  created: z.number().int(),
  /** Winning segment (null: Default strategy). */
  segment: z.object({ id: z.string(), name: z.string(), color: z.string() }).nullable(),
});
export type CustomerFacts = z.infer<typeof CustomerFacts>;

/** Keys of a customer row that are not catalog facts (see CustomerFacts). */
export const CUSTOMER_ROW_NON_FACTS = ['attrs', 'segment'] as const;

/** Facts the customers list sorts by (catalog names). */
export const SORTABLE = ['mrr', 'amount_at_risk', 'tenure_days', 'ltv', 'failures_12m', 'email', 'name', 'created', 'days_since_first_failure'] as const;

export const FactField = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(['money', 'number', 'days', 'string', 'enum', 'boolean', 'tags', 'date']),
  unit: z.string().optional(),
  description: z.string().optional(),
  values: z.array(z.string()).optional(),
  source: z.enum(['fact', 'metadata', 'csv']),
  operators: z.array(z.object({ name: z.string(), label: z.string() })),
});
export type FactField = z.infer<typeof FactField>;

/** react-querybuilder RuleGroupType JSON; validated against the catalog on the main side. */
export const RuleJson = z.record(z.string(), z.unknown());

export const SyncProgress = z.object({
  workspaceId: z.string(),
  phase: z.enum(['starting', 'backfill', 'events', 'facts', 'done', 'canceled', 'failed']),
  resource: z.string().nullable(),
  synced: z.number().int(),
  total: z.number().int().nullable(),
  ratePerSec: z.number(),
  etaSec: z.number().nullable(),
  message: z.string().nullable(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const Segment = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  color: z.string(),
  rule: RuleJson,
  priority: z.number().int(),
  isDefault: z.boolean(),
  archived: z.boolean(),
  stats: z.object({ members: z.number().int(), mrr: z.number().int(), openInvoices: z.number().int(), amountAtRisk: z.number().int(), wins: z.number().int() }),
});
export type Segment = z.infer<typeof Segment>;

const SegmentInput = z.object({
  name: z.string().trim().min(1, 'Name is required').max(80),
  description: z.string().max(500).default(''),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Colour is a hex value such as #4c6ef5').default('#4c6ef5'),
  rule: RuleJson,
});

export const Preview = z.object({
  count: z.number().int(),
  mrr: z.number().int(),
  amountAtRisk: z.number().int(),
  sample: z.array(z.object({ customer_id: z.string(), email: z.string().nullable(), name: z.string().nullable(), mrr: z.number().int(), plan: z.string().nullable() })),
  tookMs: z.number(),
  /** A valid rule that probably is not what was meant, e.g. an enum value no customer has (`country = XX`). */
  warnings: z.array(z.string()).default([]),
});

export const Explanation: z.ZodType<{ path: string; matched: boolean; description: string; children?: unknown[] }> = z.lazy(() =>
  z.object({ path: z.string(), matched: z.boolean(), description: z.string(), children: z.array(Explanation).optional() }),
);

export const Membership = z.object({
  customer_id: z.string(),
  segments: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), priority: z.number().int(), matched: z.boolean(), explanation: Explanation })),
  winner: z.object({ id: z.string(), name: z.string() }).nullable(),
  why: z.string(),
});
export type Membership = z.infer<typeof Membership>;


/** Workspace MRR settings. Stripe's default counts only `forever` coupons. */
export const MrrSettings = z.object({
  /** true: active `once` / `repeating` coupons reduce MRR too (Stripe's default: false). */
  includeFiniteCoupons: z.boolean(),
  /** "How MRR is computed", one rule per line. */
  rules: z.array(z.string()),
});
export type MrrSettings = z.infer<typeof MrrSettings>;

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

const Money = z.object({ amount: z.number().int(), currency: z.string() });

export const PlanStep = z.object({
  stepId: z.string(),
  stepIndex: z.number().int(),
  /** The channel that will act (a retry on a hard decline shows 'email': "ask for a new card"). */
  channel: ChannelKind,
  label: z.string(),
  dueAt: z.number().int(),
  when: z.enum(['now', 'later', 'skip', 'done']),
  skipReason: z.string().nullable(),
  note: z.string().nullable(),
  estimatedCost: Money.nullable(),
});
export type PlanStep = z.infer<typeof PlanStep>;

export const PlanRow = z.object({
  invoiceId: z.string(),
  invoiceNumber: z.string().nullable(),
  customerId: z.string(),
  customerName: z.string().nullable(),
  email: z.string().nullable(),
  segmentId: z.string().nullable(),
  segmentName: z.string(),
  amountDue: z.number().int(),
  currency: z.string(),
  /** In the workspace currency. */
  amountAtRisk: z.number().int(),
  attemptCount: z.number().int(),
  firstFailureAt: z.number().int(),
  lastDeclineCode: z.string().nullable(),
  hardDecline: z.boolean(),
  steps: z.array(PlanStep),
  /** Set when the whole invoice is left out (e.g. already in an active run). */
  skipReason: z.string().nullable(),
  /** #20: the experiment (or 'segmentation-holdout') and arm whose strategy this row follows; null when none applies. */
  experimentId: z.string().nullable().default(null),
  arm: z.string().nullable().default(null),
});
export type PlanRow = z.infer<typeof PlanRow>;

export const PlanTotals = z.object({
  invoices: z.number().int(),
  customers: z.number().int(),
  amountAtRisk: z.number().int(),
  actionsNow: z.number().int(),
  actionsLater: z.number().int(),
  skipped: z.number().int(),
  estimatedCost: z.number().int(),
  bySegment: z.array(z.object({ segmentId: z.string().nullable(), segmentName: z.string(), invoices: z.number().int(), amountAtRisk: z.number().int(), actions: z.number().int(), skipped: z.number().int(), estimatedCost: z.number().int() })),
  byChannel: z.array(z.object({ channel: ChannelKind, now: z.number().int(), later: z.number().int(), skipped: z.number().int(), estimatedCost: z.number().int() })),
  skipReasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
});
export type PlanTotals = z.infer<typeof PlanTotals>;

export const PlanFilters = z.object({
  /** Segment ids; the string 'default' selects customers that match no segment. Empty/absent: all. */
  segmentIds: z.array(z.string()).max(200).optional(),
  channels: z.array(ChannelKind).optional(),
  customerIds: z.array(z.string()).max(10_000).optional(),
  /**
   * Not a filter: do again the steps an earlier run already did for an invoice
   * (#17.10; `--repeat-done`). Without it they are skipped ("already sent 3 min ago").
   * The per-customer contact cap still applies.
   */
  repeatDone: z.boolean().optional(),
});
export type PlanFilters = z.infer<typeof PlanFilters>;

export const Plan = z.object({
  planId: z.string(),
  createdAt: z.number().int(),
  snapshotId: z.string(),
  mode: Mode,
  currency: z.string(),
  filters: PlanFilters,
  rows: z.array(PlanRow),
  totals: PlanTotals,
  warnings: z.array(z.string()),
});
export type Plan = z.infer<typeof Plan>;

export const RunStatus = z.enum(['running', 'paused', 'canceled', 'completed', 'failed']);
export const RunSummary = z.object({
  id: z.string(),
  planId: z.string(),
  status: RunStatus,
  mode: Mode,
  createdAt: z.number().int(),
  startedBy: z.string(),
  filters: PlanFilters,
  invoices: z.number().int(),
  /** Per action status. */
  counts: z.object({ scheduled: z.number().int(), in_flight: z.number().int(), pending: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), skipped: z.number().int(), canceled: z.number().int() }),
  /** Actions due now or earlier and not done yet. */
  dueNow: z.number().int(),
  nextDueAt: z.number().int().nullable(),
  /** Paid invoices of the run and their amount due, converted to the workspace currency (minor units). */
  recovered: z.object({ invoices: z.number().int(), amount: z.number().int() }),
  /** Voice and offer costs, converted to the workspace currency (minor units). */
  cost: z.number().int(),
  message: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const ActionStatusEnum = z.enum(['scheduled', 'in_flight', 'pending', 'succeeded', 'failed', 'skipped', 'canceled']);
export const RunAction = z.object({
  key: z.string(),
  runId: z.string(),
  invoiceId: z.string(),
  customerId: z.string(),
  customerName: z.string().nullable(),
  segmentName: z.string(),
  stepId: z.string(),
  stepIndex: z.number().int(),
  channel: ChannelKind,
  dueAt: z.number().int(),
  status: ActionStatusEnum,
  detail: z.string().nullable(),
  externalId: z.string().nullable(),
  cost: Money.nullable(),
  updatedAt: z.number().int(),
});
export type RunAction = z.infer<typeof RunAction>;

export const CapturedEmailSummary = z.object({
  id: z.string(),
  messageId: z.string(),
  runId: z.string().nullable(),
  actionKey: z.string().nullable(),
  customerId: z.string().nullable(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  transport: z.enum(['capture', 'smtp']),
  createdAt: z.number().int(),
});
export const CapturedEmail = CapturedEmailSummary.extend({ text: z.string(), html: z.string(), headers: z.record(z.string(), z.string()) });

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.number().int(),
  actor: z.string(),
  kind: z.string(),
  runId: z.string().nullable(),
  customerId: z.string().nullable(),
  invoiceId: z.string().nullable(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const TimelineEntry = z.object({
  at: z.number().int(),
  kind: z.enum(['failure', 'payment', 'action', 'run']),
  title: z.string(),
  detail: z.string().nullable(),
  status: z.string().nullable(),
  channel: ChannelKind.nullable(),
  invoiceId: z.string().nullable(),
  runId: z.string().nullable(),
});

export const RenderedEmail = z.object({
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  from: z.string(),
  to: z.string().nullable(),
  variables: z.record(z.string(), z.string()),
});

const RunRef = WorkspaceRef.extend({ runId: z.string().min(1) });
const SegmentKey = z.string().min(1).describe("a segment id, or 'default' for the Default strategy");
const Page = { offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) };

// ── White-glove outreach (#13): data model (schemas in ./whiteglove.ts) ──
export const WhiteGloveSettingsView = z.object({
  voice: VoiceSettings.extend({ authTokenSet: z.boolean() }),
  webhook: WebhookSettings.extend({ secretSet: z.boolean() }),
  am: AmSettings,
});
export type WhiteGloveSettingsView = z.infer<typeof WhiteGloveSettingsView>;

export const contract = {
  'app.info': {
    input: Empty,
    output: z.object({
      version: z.string(),
      shell: z.enum(['electron', 'console', 'cli', 'test']),
      dataDir: z.string(),
      secretsBackend: z.string(),
      // #10: how well the key is protected here, said plainly; and whether the data folder is read-only.
      secretsNote: z.string().nullable().default(null),
      readonly: z.boolean().default(false),
    }),
  },
  'workspaces.list': {
    input: Empty,
    output: z.array(Workspace),
  },
  'workspaces.create': {
    input: z
      .object({
        name: WorkspaceName,
        mode: Mode.default('test'),
        currency: Currency.default('usd'),
      })
      .strict(),
    output: Workspace,
  },
  'workspaces.rename': {
    input: z.object({ id: z.string().min(1), name: WorkspaceName }).strict(),
    output: Workspace,
  },
  'workspaces.remove': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ removed: z.literal(true), id: z.string() }),
  },
  'workspaces.connect': {
    input: z
      .object({
        key: z.string().trim().min(1, 'Paste a restricted key (rk_live_… or rk_test_…)').max(300),
        /** Stripe API base; only for the local Stripe server in tests and demos. */
        apiBase: z.string().url().optional(),
        name: WorkspaceName.optional(),
        workspaceId: z.string().optional(),
      })
      .strict(),
    output: z.object({ workspace: Workspace, warning: z.string().nullable() }),
  },
  'workspaces.disconnect': {
    input: WorkspaceRef.strict(),
    output: Workspace,
  },
  'demo.create': {
    input: z
      .object({
        customers: z.number().int().min(10).max(200_000).default(2000),
        seed: z.number().int().default(42),
        name: z.string().optional(),
        /** #19: replay ~95 days of recovery runs through the engine after the sync (false: the synced data only, faster). */
        history: z.boolean().default(true),
      })
      .strict(),
    output: Workspace,
  },
  'sync.start': {
    input: WorkspaceRef.strict(),
    output: z.object({ started: z.boolean(), message: z.string() }),
  },
  'sync.cancel': {
    input: WorkspaceRef.strict(),
    output: z.object({ canceled: z.boolean() }),
  },
  'sync.status': {
    input: WorkspaceRef.strict(),
    output: z.object({ running: z.boolean(), last: SyncProgress.nullable(), lastSyncAt: z.number().int().nullable(), customers: z.number().int() }),
  },
  'customers.list': {
    input: WorkspaceRef.extend({
      search: z.string().max(200).optional(),
      segmentId: z.string().optional(),
      sort: z.enum(SORTABLE).default('amount_at_risk'),
      dir: z.enum(['asc', 'desc']).default('desc'),
      /** Rows to skip: reads and discards them, so far-in pages are slower (the CLI's --offset). */
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
      /** The `next` of the previous page (same sort): the page after it, by index at any depth (offset is ignored). */
      after: z.string().max(2000).optional(),
    }).strict(),
    /** next: the cursor of the page after this one (null on the last page). */
    output: z.object({ total: z.number().int(), rows: z.array(CustomerFacts), next: z.string().nullable() }),
  },
  'customers.get': {
    input: WorkspaceRef.extend({ customerId: z.string().min(1) }).strict(),
    output: z.object({
      facts: CustomerFacts,
      stripeUrl: z.string(),
      subscriptions: z.array(z.object({ id: z.string(), status: z.string(), plan: z.string().nullable(), mrr: z.number().int(), currency: z.string(), created: z.number().int(), url: z.string() })),
      invoices: z.array(z.object({ id: z.string(), status: z.string(), amountDue: z.number().int(), amountRemaining: z.number().int(), currency: z.string(), attemptCount: z.number().int(), nextPaymentAttempt: z.number().int().nullable(), created: z.number().int(), hostedInvoiceUrl: z.string().nullable(), url: z.string() })),
      charges: z.array(z.object({ id: z.string(), status: z.string(), amount: z.number().int(), amountRefunded: z.number().int(), currency: z.string(), failureCode: z.string().nullable(), declineCode: z.string().nullable(), adviceCode: z.string().nullable().default(null), hard: z.boolean().nullable(), created: z.number().int(), url: z.string() })),
    }),
  },
  'facts.catalog': {
    input: WorkspaceRef.strict(),
    output: z.array(FactField),
  },
  'attributes.previewCsv': {
    input: WorkspaceRef.extend({ csv: z.string().max(50_000_000), match: z.enum(['id', 'email']).default('id') }).strict(),
    output: z.object({
      columns: z.array(z.object({ key: z.string(), type: z.enum(['number', 'string', 'boolean']) })),
      rows: z.number().int(),
      matched: z.number().int(),
      errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
      // #10: existing attributes whose type the import would change, and the segments using them.
      typeChanges: z.array(z.object({ key: z.string(), from: z.string(), to: z.string(), segments: z.array(z.string()) })).default([]),
    }),
  },
  'attributes.importCsv': {
    input: WorkspaceRef.extend({
      csv: z.string().max(50_000_000),
      match: z.enum(['id', 'email']).default('id'),
      // #10: an import that changes an attribute's type is refused unless confirmed.
      allowTypeChange: z.boolean().default(false),
    }).strict(),
    output: z.object({ imported: z.number().int(), columns: z.array(z.string()) }),
  },
  'segments.list': {
    input: WorkspaceRef.extend({ includeArchived: z.boolean().default(false) }).strict(),
    output: z.object({ segments: z.array(Segment), overlap: z.array(z.array(z.number().int())), defaultWins: z.number().int(), total: z.number().int() }),
  },
  /** `warnings`: as in segments.preview (the segment is saved all the same). */
  'segments.create': { input: WorkspaceRef.extend(SegmentInput.shape).strict(), output: Segment.extend({ warnings: z.array(z.string()).default([]) }) },
  'segments.update': {
    input: WorkspaceRef.extend({ id: z.string(), ...SegmentInput.partial().shape }).strict(),
    output: Segment.extend({ warnings: z.array(z.string()).default([]) }),
  },
  'segments.duplicate': { input: WorkspaceRef.extend({ id: z.string() }).strict(), output: Segment },
  'segments.archive': { input: WorkspaceRef.extend({ id: z.string(), archived: z.boolean().default(true) }).strict(), output: Segment },
  'segments.remove': { input: WorkspaceRef.extend({ id: z.string() }).strict(), output: z.object({ removed: z.literal(true), id: z.string() }) },
  'segments.reorder': { input: WorkspaceRef.extend({ ids: z.array(z.string()).min(1) }).strict(), output: z.array(Segment) },
  'segments.preview': { input: WorkspaceRef.extend({ rule: RuleJson }).strict(), output: Preview },
  'segments.evaluate': {
    input: WorkspaceRef.extend({ rule: RuleJson, limit: z.number().int().min(0).max(1_000_000).default(100_000) }).strict(),
    output: z.object({ count: z.number().int(), mrr: z.number().int(), amountAtRisk: z.number().int(), ids: z.array(z.string()), warnings: z.array(z.string()).default([]) }),
  },
  'segments.membership': { input: WorkspaceRef.extend({ customerId: z.string() }).strict(), output: Membership },
  'segments.export': { input: WorkspaceRef.strict(), output: z.object({ json: z.string() }) },
  'segments.import': { input: WorkspaceRef.extend({ json: z.string().max(5_000_000) }).strict(), output: z.object({ imported: z.number().int() }) },

  // ── Facts: MRR settings (#9) ──
  /** How MRR is computed in this workspace: the setting and the rules, as shown to users. */
  'facts.mrrSettings': { input: WorkspaceRef.strict(), output: MrrSettings },
  /** Change whether once/repeating coupons reduce MRR; facts and segment membership are recomputed. */
  'facts.setMrrSettings': { input: WorkspaceRef.extend({ includeFiniteCoupons: z.boolean() }).strict(), output: MrrSettings },

  // ── Strategies and runs (#12) ──
  'strategies.list': { input: WorkspaceRef.strict(), output: z.array(Strategy.extend({ color: z.string(), priority: z.number().int().nullable() })) },
  'strategies.get': { input: WorkspaceRef.extend({ segmentId: SegmentKey }).strict(), output: Strategy },
  'strategies.set': { input: WorkspaceRef.extend({ segmentId: SegmentKey, strategy: StrategyInput }).strict(), output: Strategy },
  'strategies.resetDefault': { input: WorkspaceRef.extend({ segmentId: SegmentKey }).strict(), output: Strategy },
  /** Which channel kinds the engine can run now (the others are skipped as "channel not available"). */
  'recovery.channels': { input: WorkspaceRef.strict(), output: z.array(z.object({ kind: ChannelKind, available: z.boolean() })) },
  'recovery.tones': { input: WorkspaceRef.strict(), output: z.array(z.object({ tone: Tone, label: z.string(), description: z.string(), template: EmailTemplate })) },
  /** Renders a template on a real customer (and their open invoice, or the one named). */
  'templates.preview': {
    input: WorkspaceRef.extend({ customerId: z.string().min(1), invoiceId: z.string().optional(), template: EmailTemplate, sender: z.enum(['workspace', 'account_manager']).default('workspace') }).strict(),
    output: RenderedEmail,
  },
  /** Sends the rendered template to the operator's own address (never to the customer). */
  'templates.testSend': {
    input: WorkspaceRef.extend({ customerId: z.string().min(1), to: z.string().email().optional(), template: EmailTemplate, sender: z.enum(['workspace', 'account_manager']).default('workspace') }).strict(),
    output: z.object({ messageId: z.string(), to: z.string(), transport: z.enum(['capture', 'smtp']) }),
  },
  'smtp.get': { input: WorkspaceRef.strict(), output: SmtpSettings },
  /** A patch: an omitted field keeps its stored value. Password is write-only: omitted keeps the stored one, '' deletes it. */
  'smtp.set': {
    input: WorkspaceRef.extend({
      transport: z.enum(['capture', 'smtp']).optional(),
      host: z.string().trim().min(1).max(255).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      tls: z.enum(['starttls', 'tls', 'none']).optional(),
      user: z.string().max(255).nullable().optional(),
      password: z.string().max(1000).optional(),
      from: z.string().email('From is an email address').optional(),
      fromName: z.string().max(120).nullable().optional(),
      replyTo: z.string().email().nullable().optional(),
      ratePerMinute: z.number().int().min(1).max(10_000).optional(),
    }).strict(),
    output: SmtpSettings,
  },
  'recovery.settings.get': { input: WorkspaceRef.strict(), output: RecoverySettings },
  'recovery.settings.set': {
    input: WorkspaceRef.extend({ operatorName: z.string().trim().min(1).max(120).optional(), operatorEmail: z.string().email().nullable().optional(), contactPolicy: ContactPolicy.partial().strict().optional() }).strict(),
    output: RecoverySettings,
  },
  'suppressions.list': { input: WorkspaceRef.strict(), output: z.array(z.object({ email: z.string(), reason: z.string(), createdAt: z.number().int() })) },
  'suppressions.add': { input: WorkspaceRef.extend({ email: z.string().email(), reason: z.string().max(200).default('unsubscribed') }).strict(), output: z.object({ email: z.string(), added: z.boolean() }) },
  'suppressions.remove': { input: WorkspaceRef.extend({ email: z.string() }).strict(), output: z.object({ email: z.string(), removed: z.boolean() }) },
  /** Dry run: nothing is sent. The plan is stored so `runs.start` executes exactly what was shown. */
  'runs.plan': { input: WorkspaceRef.extend(PlanFilters.shape).strict(), output: Plan },
  'runs.planGet': { input: WorkspaceRef.extend({ planId: z.string().min(1) }).strict(), output: Plan },
  'runs.planExport': {
    input: WorkspaceRef.extend({ planId: z.string().min(1), format: z.enum(['csv', 'json']).default('csv') }).strict(),
    output: z.object({ filename: z.string(), text: z.string() }),
  },
  /** Executes a stored plan (confirm must be true). In live mode the confirmation names the mode. */
  'runs.start': {
    input: WorkspaceRef.extend({ planId: z.string().min(1), confirm: z.literal(true, { message: 'Confirm the run (confirm: true)' }), wait: z.boolean().default(false).describe('resolve after the actions due now are done (CLI)') }).strict(),
    output: RunSummary,
  },
  'runs.status': { input: RunRef.strict(), output: RunSummary },
  'runs.list': { input: WorkspaceRef.extend({ limit: z.number().int().min(1).max(500).default(50) }).strict(), output: z.array(RunSummary) },
  'runs.pause': { input: RunRef.strict(), output: RunSummary },
  'runs.resume': { input: RunRef.extend({ wait: z.boolean().default(false) }).strict(), output: RunSummary },
  'runs.cancel': { input: RunRef.strict(), output: RunSummary },
  'runs.actions': {
    input: RunRef.extend({ status: ActionStatusEnum.optional(), customerId: z.string().optional(), ...Page }).strict(),
    output: z.object({ total: z.number().int(), rows: z.array(RunAction) }),
  },
  /** Fires every due step of every running run (what the in-app ticker and `reclaim run tick` do). */
  'runs.tick': {
    input: WorkspaceRef.strict(),
    output: z.object({ runs: z.number().int(), fired: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), skipped: z.number().int(), joined: z.number().int(), stopped: z.number().int() }),
  },
  'outbox.list': {
    input: WorkspaceRef.extend({ runId: z.string().optional(), customerId: z.string().optional(), search: z.string().max(200).optional(), ...Page }).strict(),
    output: z.object({ total: z.number().int(), rows: z.array(CapturedEmailSummary) }),
  },
  'outbox.get': { input: WorkspaceRef.extend({ id: z.string().min(1) }).strict(), output: CapturedEmail },
  /** `since`/`until`: milliseconds since the epoch (`at` in entries is the same unit). */
  'audit.list': {
    input: WorkspaceRef.extend({ since: z.number().int().optional(), until: z.number().int().optional(), kind: z.string().optional(), runId: z.string().optional(), customerId: z.string().optional(), ...Page }).strict(),
    output: z.object({ total: z.number().int(), rows: z.array(AuditEntry) }),
  },
  'audit.export': {
    input: WorkspaceRef.extend({ since: z.number().int().optional(), until: z.number().int().optional(), format: z.enum(['csv', 'json']).default('csv') }).strict(),
    output: z.object({ filename: z.string(), text: z.string() }),
  },
  /**
   * Checks the audit log's hash chain (#18 item 6): `ok` with the number of entries and the last hash,
   * or the first entry where the chain breaks and why.
   */
  'audit.verify': {
    input: WorkspaceRef.strict(),
    output: z.object({
      ok: z.boolean(),
      count: z.number().int(),
      head: z.string().nullable(),
      broken: z.object({ id: z.number().int(), at: z.number().int(), reason: z.string() }).nullable(),
    }),
  },
  'customers.timeline': { input: WorkspaceRef.extend({ customerId: z.string().min(1) }).strict(), output: z.array(TimelineEntry) },
  /**
   * Accepts the annual-billing offer (#17 item 13): without `confirm`, Stripe's preview of what the customer
   * pays now; with `confirm`, the switch (pass the preview's `prorationDate` to be charged exactly that).
   */
  'recovery.switchToAnnual': {
    input: WorkspaceRef.extend({
      customerId: z.string().min(1),
      subscriptionId: z.string().min(1).optional(),
      confirm: z.boolean().default(false),
      prorationDate: z.number().int().positive().optional(),
    }).strict(),
    output: AnnualSwitch,
  },
  // ── White-glove outreach (#13) ──
  /** The white-glove queue: open tasks first, by amount at risk. `mine` is an account manager's address. */
  'queue.list': {
    input: WorkspaceRef.extend({
      mine: z.string().trim().max(200).optional(),
      overdue: z.boolean().default(false),
      segmentId: z.string().optional(),
      status: z.enum(['open', 'done', 'all']).default('open'),
    }).strict(),
    output: z.object({ rows: z.array(TaskSummary), now: z.number().int(), /** Reporting currency of amounts at risk. */ currency: z.string() }),
  },
  /** One task with the customer's whole context. */
  'queue.get': { input: WorkspaceRef.extend({ taskId: z.string().min(1) }).strict(), output: TaskContext },
  /** Logs an outcome; "promised" needs `promisedDate` and holds the invoice's remaining steps until then. */
  'queue.outcome': {
    input: WorkspaceRef.extend({
      taskId: z.string().min(1),
      outcome: Outcome,
      promisedDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'The promised date is YYYY-MM-DD').optional(),
      note: z.string().max(5000).default(''),
      by: z.string().max(200).optional(),
    }).strict(),
    output: TaskSummary,
  },
  /** Sends the task's personal email (edited draft) in the account manager's name, through the run's outbox. */
  'queue.sendEmail': {
    input: WorkspaceRef.extend({ taskId: z.string().min(1), subject: z.string().trim().min(1).max(500).optional(), text: z.string().min(1).max(20_000).optional() }).strict(),
    output: z.object({ messageId: z.string(), to: z.string(), transport: z.enum(['capture', 'smtp']), task: TaskSummary }),
  },
  'whiteglove.settings.get': { input: WorkspaceRef.strict(), output: WhiteGloveSettingsView },
  /** Voice provider and budgets; `authToken` is write-only (omitted keeps the stored one, '' deletes it). */
  'whiteglove.voice.set': {
    input: WorkspaceRef.extend({ ...patchShape(VoiceSettings), authToken: z.string().max(500).optional() }).strict(),
    output: WhiteGloveSettingsView,
  },
  /** Webhook URL; a signing secret is created with the first URL (or on `rotateSecret`) and shown only in this answer. */
  'whiteglove.webhook.set': {
    input: WorkspaceRef.extend({ ...patchShape(WebhookSettings), rotateSecret: z.boolean().default(false) }).strict(),
    /** `warning`: the URL is accepted but points into a private network (10/8, 172.16/12, 192.168/16, fc00::/7). Link-local and cloud metadata addresses are refused. */
    output: z.object({ settings: WhiteGloveSettingsView, secret: z.string().nullable(), warning: z.string().nullable() }),
  },
  'whiteglove.am.set': { input: WorkspaceRef.extend(patchShape(AmSettings)).strict(), output: WhiteGloveSettingsView },
  /** Reads the provider's status of unfinished calls; records results and final cost. */
  'voice.poll': { input: WorkspaceRef.strict(), output: z.object({ updated: z.number().int() }) },

  // ── A/B experiments inside a segment (#20; schemas in shared/experiments.ts) ──
  ...experimentRequests,

  // ── Performance reporting (#19; schemas in shared/performance.ts) ──
  ...performanceRequests,

  // ── Exports (#19; schemas in shared/exports.ts) ──
  ...exportRequests,

  // ── Offline review (#19; schemas in shared/review.ts) ──
  ...reviewRequests,
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export type Contract = typeof contract;
export type Method = keyof Contract;
/** What a caller sends (defaults not yet applied). */
export type Input<M extends Method> = z.input<Contract[M]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

export const events = {
  'workspaces.changed': z.object({ ids: z.array(z.string()) }),
  'sync.progress': SyncProgress,
  'segments.changed': z.object({ workspaceId: z.string() }),
  // ── Strategies and runs (#12) ──
  'runs.progress': z.object({ workspaceId: z.string(), run: RunSummary }),
  'runs.changed': z.object({ workspaceId: z.string(), runId: z.string().nullable() }),
  'strategies.changed': z.object({ workspaceId: z.string(), segmentId: z.string().nullable() }),
  'outbox.changed': z.object({ workspaceId: z.string() }),
  // ── Membership recompute progress (#11) ──
  /** A full membership recompute in slices: `done` of `total` customers (done = total when finished). */
  'segments.recompute': z.object({ workspaceId: z.string(), done: z.number().int(), total: z.number().int() }),
  // ── White-glove outreach (#13) ──
  'queue.changed': z.object({ workspaceId: z.string(), taskId: z.string().nullable() }),
  // ── The demo's history (#19) ──
  /** Replaying the demo history: simulated `day` of `days`, with a line to show ("Building the demo history: day 40 of 95…"). */
  'demo.progress': z.object({ workspaceId: z.string(), day: z.number().int(), days: z.number().int(), message: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methods = Object.keys(contract) as Method[];
export const isMethod = (name: string): name is Method => Object.prototype.hasOwnProperty.call(contract, name);

/** One reply envelope for every transport. */
export type ErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'unavailable' | 'internal';
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Field-level problems for bad_request, e.g. [{ path: 'name', message: 'Name is required' }] */
  issues?: { path: string; message: string }[];
}
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** The object every renderer gets, whatever the transport. */
export interface ReclaimClient {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  readonly transport: 'ipc' | 'http';
}

export class ClientError extends Error {
  readonly code: ErrorCode;
  readonly issues: { path: string; message: string }[] | undefined;
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ClientError';
    this.code = body.code;
    this.issues = body.issues;
  }
}

/** Turns an envelope into a value or a thrown ClientError. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new ClientError(envelope.error);
}
