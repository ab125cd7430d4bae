/**
 * The seam between the recovery step engine and the channels that act on the
 * world (email, Stripe invoice retry, offer, voice call, account-manager task,
 * webhook). The engine decides *whether and when* a step fires; a channel
 * decides *how* it is carried out. Every side effect is keyed by the outbox row
 * committed before it (see outbox), so a channel must be idempotent on
 * `action.key`: calling `execute` twice with the same key performs the effect
 * at most once (Stripe Idempotency-Key, email Message-ID, provider request id,
 * webhook delivery id all derive from it).
 */
import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';

export type ChannelKind = 'email' | 'retry' | 'offer' | 'voice' | 'am_task' | 'webhook';

/** Money in integer minor units with its currency. */
export interface Money {
  amount: number;
  currency: string;
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
}

/** What the dry-run plan shows for a step before anything is sent. */
export interface PlanEstimate {
  /** Null when the step would run; otherwise the reason it is skipped (shown in the plan). */
  skipReason: string | null;
  estimatedCost?: Money;
}

export interface Channel {
  readonly kind: ChannelKind;
  /** Pure look at the data: would this step run, and at what cost. No side effects. */
  estimate(action: ActionContext): PlanEstimate;
  /** Carries the action out, at most once per `action.key`. */
  execute(action: ActionContext): Promise<ActionResult>;
}
