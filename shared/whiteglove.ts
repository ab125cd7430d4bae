/**
 * Schemas of white-glove outreach (#13): voice, webhook and account-manager
 * queue settings, tasks and outcomes. The contract's `White-glove outreach`
 * block names the requests; the core validates stored settings with the same
 * schemas.
 */
import { z } from 'zod';
import { WorkspaceRef } from './base';
import { patchShape } from './patch';

const Minor = z.number().int().min(0);

export const VoiceSettings = z
  .object({
    /** 'http': place calls through the provider API; 'call_list': turn each call into a queue task for a human. */
    provider: z.enum(['http', 'call_list']).default('call_list'),
    /**
     * Which API 'http' speaks (#17 item 15): 'twilio' (Twilio-shaped: the call speaks the script) or 'bland'
     * (Bland AI voice agent: gets the script, the customer's context and the pay link; `authToken` is the API key,
     * `apiBase` defaults to https://api.bland.ai, no account id).
     */
    api: z.enum(['twilio', 'bland']).default('twilio'),
    /** Base URL of the telephony API (https, or http to loopback for the local fake provider). */
    apiBase: z.string().url().nullable().default(null),
    /** Provider account id (the auth token is a secret, stored like the Stripe key). */
    accountId: z.string().max(200).nullable().default(null),
    /** Caller id the provider dials from, E.164. */
    fromNumber: z.string().max(32).nullable().default(null),
    /** Budgeted cost of one call in minor units of `currency`; reserved before the call is placed. */
    costPerCall: Minor.default(150),
    currency: z.string().regex(/^[a-z]{3}$/).default('usd'),
    /** No call below this customer value: max(MRR, amount at risk), minor units of the reporting currency. */
    minCustomerValue: Minor.default(50_000),
    /** Spend caps in minor units; null = no cap. */
    dailyBudget: Minor.nullable().default(5_000),
    perRunBudget: Minor.nullable().default(2_000),
  })
  .strict();
export type VoiceSettings = z.infer<typeof VoiceSettings>;

export const WebhookSettings = z
  .object({
    url: z.string().url().nullable().default(null),
    /** Attempts per delivery inside one execution (then the engine may retry later). */
    maxAttempts: z.number().int().min(1).max(10).default(4),
    /** First backoff in ms; doubles each attempt, with jitter. */
    backoffMs: z.number().int().min(0).max(60_000).default(500),
  })
  .strict();
export type WebhookSettings = z.infer<typeof WebhookSettings>;

export const AmSettings = z
  .object({
    /** Account managers for round-robin when a customer has no account_manager fact. */
    managers: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
    /** A task is due this many hours after it lands in the queue. */
    dueHours: z.number().int().min(1).max(24 * 30).default(24),
    /** SLA: hours to first outcome before the task is shown as breached. */
    slaHours: z.number().int().min(1).max(24 * 30).default(4),
    /**
     * The personal email (#17 item 16): 'reply_to' sends from the workspace address in the
     * manager's name with Reply-To the manager; 'from' sends From the manager's own address
     * (the mail server must be allowed to send as it; the workspace address stays the Sender).
     */
    sendAs: z.enum(['reply_to', 'from']).default('reply_to'),
  })
  .strict();
export type AmSettings = z.infer<typeof AmSettings>;

export const WhiteGloveSettings = z.object({ voice: VoiceSettings, webhook: WebhookSettings, am: AmSettings });
export type WhiteGloveSettings = z.infer<typeof WhiteGloveSettings>;

export const OUTCOMES = ['reached', 'promised', 'updated', 'refused', 'wrong_contact', 'no_answer'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;
export const OUTCOME_LABELS: Record<Outcome, string> = {
  reached: 'Reached',
  promised: 'Promised to pay',
  updated: 'Card updated',
  refused: 'Refused',
  wrong_contact: 'Wrong contact',
  no_answer: 'No answer',
};

export const TaskSummary = z.object({
  id: z.string(),
  kind: z.enum(['am', 'call']),
  status: z.enum(['open', 'done']),
  customerId: z.string(),
  customerName: z.string().nullable(),
  customerEmail: z.string().nullable(),
  invoiceId: z.string(),
  segment: z.object({ id: z.string(), name: z.string(), color: z.string() }).nullable(),
  assignee: z.string().nullable(),
  /** Amount at risk in the reporting currency (minor units): the priority. */
  amountAtRisk: z.number().int(),
  mrr: z.number().int(),
  createdAt: z.number().int(),
  dueAt: z.number().int(),
  slaAt: z.number().int(),
  overdue: z.boolean(),
  slaBreached: z.boolean(),
  outcome: Outcome.nullable(),
  promisedDate: z.string().nullable(),
  emailSentAt: z.number().int().nullable(),
  runId: z.string(),
  stepId: z.string(),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

export const TaskContext = z.object({
  task: TaskSummary,
  facts: z.record(z.string(), z.unknown()),
  currency: z.string(),
  openInvoices: z.array(z.object({ id: z.string(), number: z.string().nullable(), status: z.string(), amountRemaining: z.number().int(), currency: z.string(), attemptCount: z.number().int(), created: z.number().int(), hostedInvoiceUrl: z.string().nullable() })),
  payments: z.array(z.object({ id: z.string(), created: z.number().int(), amount: z.number().int(), currency: z.string(), status: z.string(), declineCode: z.string().nullable(), hard: z.boolean().nullable() })),
  segmentWhy: z.string(),
  timeline: z.array(z.object({ at: z.number().int(), channel: z.string(), title: z.string(), detail: z.string() })),
  callScript: z.string(),
  emailDraft: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    subject: z.string(),
    text: z.string(),
    /** The From header the customer sees, and where the customer's reply goes (#17 item 16). */
    fromHeader: z.string(),
    repliesGoTo: z.string(),
    repliesReachManager: z.boolean(),
  }),
  log: z.array(z.object({ at: z.number().int(), outcome: Outcome, promisedDate: z.string().nullable(), note: z.string(), by: z.string().nullable() })),
});
export type TaskContext = z.infer<typeof TaskContext>;

// ── White-glove outreach (#13): data model (schemas in ./whiteglove.ts) ──
export const WhiteGloveSettingsView = z.object({
  voice: VoiceSettings.extend({ authTokenSet: z.boolean() }),
  webhook: WebhookSettings.extend({ secretSet: z.boolean() }),
  am: AmSettings,
});
export type WhiteGloveSettingsView = z.infer<typeof WhiteGloveSettingsView>;


export const whitegloveRequests = {
  // ── White-glove outreach (#13) ──
  /** The white-glove queue: open tasks first, by amount at risk. `mine` is an account manager's address, or true: the operator signed in on this desktop (#23). */
  'queue.list': {
    input: WorkspaceRef.extend({
      mine: z.union([z.literal(true), z.string().trim().max(200)]).optional(),
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

} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
