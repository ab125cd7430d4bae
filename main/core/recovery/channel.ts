/**
 * The seam between the recovery step engine and the channels that act on the
 * world (email, Stripe invoice retry, offer, voice call, account-manager task,
 * webhook). The engine decides *whether and when* a step fires; a channel
 * decides *how* it is carried out. Every side effect is keyed by the outbox row
 * committed before it (see outbox), so a channel must be idempotent on
 * `action.key`: calling `execute` twice with the same key performs the effect
 * at most once (Stripe Idempotency-Key, email Message-ID, provider request id,
 * webhook delivery id all derive from it).
 *
 * Adding a channel: implement `Channel`, then add one line to
 * `channels/index.ts` (`createChannels`). The engine looks channels up by kind;
 * a step whose channel is not registered is skipped with "channel not available".
 */
import type { ChannelKind as ContractChannelKind, Mode, Step } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';
import type { PlanReads } from './plan-reads';

export type ChannelKind = ContractChannelKind;

/** Money in integer minor units with its currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** The invoice an action is about, as known locally when the action runs. */
export interface InvoiceInfo {
  id: string;
  number: string | null;
  status: string;
  subscriptionId: string | null;
  amountDue: number;
  amountRemaining: number;
  currency: string;
  attemptCount: number;
  hostedInvoiceUrl: string | null;
  /** Unix seconds of the first failed charge (invoice creation when none is known). */
  firstFailureAt: number;
  lastDeclineCode: string | null;
  hardDecline: boolean;
}

/** The customer an action is about (facts; money in the workspace currency). */
export interface CustomerInfo {
  id: string;
  email: string | null;
  name: string | null;
  plan: string | null;
  accountManager: string | null;
  mrr: number;
  failures12m: number;
  tenureDays: number;
  amountAtRisk: number;
}

/** What a channel knows about the action it carries out. */
export interface ActionContext {
  workspaceId: string;
  runId: string;
  /** Deterministic outbox key: `${runId}:${invoiceId}:${stepId}`. */
  key: string;
  stepId: string;
  customerId: string;
  invoiceId: string;
  /** Winning segment at plan time (null = Default strategy). */
  segmentId: string | null;
  /** The step's channel-specific settings, as stored in the strategy. */
  config: Record<string, unknown>;
  db: Sqlite;
  logger: Logger;
  /** Unix seconds. */
  now: number;
  // ── added by #12 (the engine always provides them) ──
  /** The whole step as stored in the strategy. */
  step: Step;
  segmentName: string;
  invoice: InvoiceInfo;
  customer: CustomerInfo;
  mode: Mode;
  /** Workspace reporting currency (facts money). */
  currency: string;
  /** The operator name written into the audit log. */
  actor: string;
  /** True during a dry-run plan: `estimate` only, never `execute`. */
  dryRun: boolean;
  /** Earlier actions of this run for the same invoice, oldest first (for escalation rules). */
  history: { stepId: string; channel: ChannelKind; status: ActionStatus; at: number }[];
  /**
   * Which attempt of the outbox row this is (1 = the first; a resumed in-flight
   * row keeps its attempt). Stripe Idempotency-Keys include it, so a genuinely
   * new attempt after "will try again" is not answered with a saved error.
   */
  attempt?: number;
  /**
   * A dry-run plan's answers read once for all its invoices (#22); `estimate`
   * asks these instead of one query per action. Absent when a run executes.
   */
  reads?: PlanReads;
}

export type ActionStatus =
  /** Done; `detail` says what happened (e.g. "sent", "paid"). */
  | 'succeeded'
  /** Handed off, outcome arrives later (a queued call, an open AM task). */
  | 'pending'
  /** Tried and failed; `retryable` decides whether the engine tries again. */
  | 'failed'
  /** Not carried out on purpose (budget, threshold, suppressed, hard decline). */
  | 'skipped';

export interface ActionResult {
  status: ActionStatus;
  detail: string;
  retryable?: boolean;
  /** What this action cost (voice minutes, offer value), recorded as channel cost. */
  cost?: Money;
  /** The provider's id for it: Stripe invoice/charge id, SMTP Message-ID, call id, task id. */
  externalId?: string;
  /** The invoice was paid by this action (a successful retry): the engine stops the remaining steps. */
  invoicePaid?: boolean;
}

/** What the dry-run plan shows for a step before anything is sent. */
export interface PlanEstimate {
  /** Null when the step would run; otherwise the reason it is skipped (shown in the plan). */
  skipReason: string | null;
  estimatedCost?: Money;
  /** Shown beside the step in the plan (e.g. "hard decline: asks for a new card instead"). */
  note?: string;
  /** When the step is carried out through another channel (a retry on a hard decline becomes an email). */
  actsAs?: ChannelKind;
}

export interface Channel {
  readonly kind: ChannelKind;
  /**
   * True when `execute` may safely be called again for an action interrupted
   * mid-effect (a crash between the outbox commit and the result): the
   * provider deduplicates on `key` (Stripe Idempotency-Key). When false or
   * absent, an interrupted action is NOT repeated; it is recorded as failed
   * with "interrupted" so nobody gets the same email twice.
   */
  readonly idempotent?: boolean;
  /** Pure look at the data: would this step run, and at what cost. No side effects. */
  estimate(action: ActionContext): PlanEstimate;
  /** Carries the action out, at most once per `action.key`. */
  execute(action: ActionContext): Promise<ActionResult>;
  /**
   * Optional: for an action found in flight after a crash, say what happened
   * (a result), or 'execute' to run it again. Without it the engine uses
   * `idempotent`.
   */
  recover?(action: ActionContext): ActionResult | 'execute' | Promise<ActionResult | 'execute'>;
}
