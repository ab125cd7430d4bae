/** Plans, runs, actions and the audit log: schemas, and the requests for strategies and runs (part of the contract in ./contract.ts). */
import { z } from 'zod';
import { AnnualSwitch } from './annual';
import { Mode, WorkspaceRef } from './base';
import { ChannelKind, ContactPolicy, EmailTemplate, RecoverySettings, SmtpSettings, Strategy, StrategyInput, Tone } from './strategies';

// ── Plans, runs, actions and the audit log (#12) ──

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


export const recoveryRequests = {
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
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
