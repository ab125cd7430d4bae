import type { Sqlite } from '../../db/sqlite';
import type { ActionContext } from '../channel';
import type { Stripe } from '../stripe-client';
import { prepared } from '../../db/statements';

/**
 * When Reclaim must not retry an invoice although it is open and failed: Stripe
 * is already about to collect it, or the merchant asked it not to.
 *
 * - `invoice.next_payment_attempt` ("The time at which payment will next be
 *   attempted. This value will be `null` for invoices where
 *   `collection_method=send_invoice`."): set while Stripe's own Smart Retries
 *   are scheduled. A Reclaim retry on top charges the customer twice as often as
 *   the merchant configured; Reclaim waits until Stripe gives up (null).
 * - A PaymentIntent of the invoice that is `processing` (ACH, SEPA… a debit
 *   takes days): paying again could collect twice.
 * - `subscription.pause_collection` ("If specified, payment collection for
 *   this subscription will be paused."): the merchant paused collection.
 *
 * Each answer is a reason shown in the plan and on the action; null = retry.
 */
const fmtDate = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export const smartRetryReason = (at: number) => `Stripe's Smart Retries will retry this invoice on ${fmtDate(at)}; Reclaim does not retry on top of them`;
export const PROCESSING_REASON = 'a payment for this invoice is still processing (bank debit); retrying could collect twice';
export const pausedReason = (behavior: string | null) => `collection is paused on the subscription${behavior ? ` (${behavior})` : ''}; Reclaim does not retry it`;

/** The synced data localRetryBlock looks at, per invoice (a plan reads them for all its invoices at once: ../plan-reads.ts). */
export interface RetrySignals {
  /** invoices.next_payment_attempt (undefined: no such invoice). */
  nextPaymentAttempt(invoiceId: string): number | null | undefined;
  /** A PaymentIntent of the invoice is processing. */
  processing(invoiceId: string): boolean;
  /** The subscription's raw `pause_collection` as json_extract gives it (undefined: no such subscription). */
  pauseCollection(subscriptionId: string): string | null | undefined;
}

/** The same answers, one query each. */
export function sqlRetrySignals(db: Sqlite): RetrySignals {
  return {
    nextPaymentAttempt: (invoiceId) => prepared(db, `SELECT next_payment_attempt FROM invoices WHERE id = ?`).pluck().get(invoiceId) as number | null | undefined,
    processing: (invoiceId) =>
      prepared(
        db,
        `SELECT 1 FROM payment_intents WHERE status = 'processing' AND (invoice_id = ? OR id IN (SELECT payment_intent_id FROM invoice_payments WHERE invoice_id = ?)) LIMIT 1`,
      ).get(invoiceId, invoiceId) !== undefined,
    pauseCollection: (subscriptionId) =>
      prepared(db, `SELECT json_extract(raw, '$.pause_collection') FROM subscriptions WHERE id = ?`).pluck().get(subscriptionId) as string | null | undefined,
  };
}

/** From the synced data (the plan, and the first look before a retry). */
export function localRetryBlock(db: Sqlite, action: Pick<ActionContext, 'invoiceId' | 'now' | 'invoice'>, signals: RetrySignals = sqlRetrySignals(db)): string | null {
  const next = signals.nextPaymentAttempt(action.invoiceId);
  if (next && next > action.now) return smartRetryReason(next);
  if (signals.processing(action.invoiceId)) return PROCESSING_REASON;
  if (action.invoice.subscriptionId) {
    const pause = signals.pauseCollection(action.invoice.subscriptionId);
    if (pause) return pausedReason((JSON.parse(pause) as { behavior?: string }).behavior ?? null);
  }
  return null;
}

/**
 * The same questions asked of Stripe right before `invoices.pay` (the synced
 * copy can be hours old). Returns the invoice as Stripe has it now, and the
 * reason not to pay it, if any.
 */
export async function liveRetryBlock(stripe: Stripe, action: Pick<ActionContext, 'invoiceId' | 'now' | 'invoice'>): Promise<{ invoice: Stripe.Invoice; reason: string | null }> {
  const invoice = await stripe.invoices.retrieve(action.invoiceId);
  if (invoice.status !== 'open') return { invoice, reason: null };
  if (invoice.next_payment_attempt && invoice.next_payment_attempt > action.now) return { invoice, reason: smartRetryReason(invoice.next_payment_attempt) };
  // The invoice reaches its PaymentIntents through invoice payments in the pinned API version.
  const payments = await stripe.invoicePayments.list({ invoice: action.invoiceId, limit: 20 });
  for (const p of payments.data) {
    const pi = p.payment?.payment_intent;
    if (p.status !== 'open' || !pi) continue;
    const intent = typeof pi === 'string' ? await stripe.paymentIntents.retrieve(pi) : pi;
    if (intent.status === 'processing') return { invoice, reason: PROCESSING_REASON };
  }
  if (action.invoice.subscriptionId) {
    const sub = await stripe.subscriptions.retrieve(action.invoice.subscriptionId);
    if (sub.pause_collection) return { invoice, reason: pausedReason(sub.pause_collection.behavior) };
  }
  return { invoice, reason: null };
}
