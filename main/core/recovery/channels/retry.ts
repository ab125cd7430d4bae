import type Stripe from 'stripe';
import type { ActionContext, ActionResult, Channel, PlanEstimate } from '../channel';
import { idempotencyKey } from '../stripe-client';
import { missingWrite } from '../../stripe/write-permissions';
import { NEW_CARD_TEMPLATE } from '../templates';
import { deliver, emailSkip, recoverEmail, type ChannelDeps } from './deliver';
import { liveRetryBlock, localRetryBlock } from './retry-guards';
import { describeFailure, stripeFailure } from './stripe-errors';
import { prepared } from '../../db/statements';

/**
 * Retry step: `POST /v1/invoices/:id/pay` with an Idempotency-Key derived from
 * the outbox key and the row's attempt, so a resumed run never charges twice
 * and a genuinely new attempt is not answered with a saved error. A hard
 * decline is never retried (Stripe: lost/stolen/pickup card, incorrect number,
 * revoked authorization, transaction not allowed…; expired card and incorrect
 * CVC need a new card): the step asks for a new card by email instead.
 *
 * Not retried either (./retry-guards.ts): while Stripe's Smart Retries are
 * scheduled, while a payment is processing, when collection is paused.
 */
export const DECLINED = 'retried: declined';

/**
 * The retry cap counts Reclaim's own declined pays. Stripe's `attempt_count`
 * does not: "Any payment attempt counts as the first attempt, and subsequently
 * only automatic retries increment the attempt count. In other words, manual
 * payment attempts after the first attempt do not affect the retry schedule."
 */
function ownAttempts(action: ActionContext): number {
  if (action.reads?.covers(action.invoiceId)) return action.reads.ownAttempts(action.invoiceId, action.key);
  return prepared(action.db, `SELECT count(*) FROM recovery_outbox WHERE invoice_id = ? AND channel = 'retry' AND key <> ? AND detail LIKE ?`)
    .pluck()
    .get(action.invoiceId, action.key, `${DECLINED}%`) as number;
}

function retriesPlanned(action: ActionContext): number {
  // In a dry-run plan, earlier retry steps of the same plan that would run count too.
  return action.dryRun ? action.history.filter((h) => h.channel === 'retry' && h.status !== 'skipped').length : 0;
}

function attemptsMade(action: ActionContext): number {
  return action.invoice.attemptCount + ownAttempts(action) + retriesPlanned(action);
}

function capReached(action: ActionContext): string | null {
  if (action.step.channel !== 'retry') return null;
  const attempts = attemptsMade(action);
  const max = action.step.config.maxAttempts;
  return attempts >= max ? `retry cap reached (${attempts} of ${max} attempts made)` : null;
}

/** Keeps the local copy in step with what Stripe just told us (the next sync confirms it). */
function applyInvoice(action: ActionContext, inv: Stripe.Invoice): void {
  action.db
    .prepare(`UPDATE invoices SET status = ?, amount_paid = ?, amount_remaining = ?, attempt_count = ?, next_payment_attempt = ?, paid_at = coalesce(?, paid_at) WHERE id = ?`)
    .run(inv.status ?? 'open', inv.amount_paid, inv.amount_remaining, inv.attempt_count, inv.next_payment_attempt ?? null, inv.status === 'paid' ? action.now : null, action.invoiceId);
}

/** What a closed invoice means for the step: paid stops the sequence; void or uncollectible is not retried. */
function closedResult(action: ActionContext, inv: Stripe.Invoice): ActionResult | null {
  if (inv.status === 'open') return null;
  applyInvoice(action, inv);
  if (inv.status === 'paid') return { status: 'skipped', detail: 'the invoice was already paid', invoicePaid: true };
  return { status: 'skipped', detail: `not retried: the invoice is ${inv.status ?? 'not open'} in Stripe` };
}

export function retryChannel(deps: ChannelDeps): Channel {
  const estimate = (action: ActionContext): PlanEstimate => {
    if (action.step.channel !== 'retry') return { skipReason: 'not a retry step' };
    if (action.invoice.hardDecline) {
      const skip = emailSkip(action);
      return skip
        ? { skipReason: `hard decline (${action.invoice.lastDeclineCode}) is never retried, and ${skip}`, actsAs: 'email' }
        : { skipReason: null, actsAs: 'email', note: `hard decline (${action.invoice.lastDeclineCode}): never retried; asks for a new card instead` };
    }
    const cap = capReached(action);
    if (cap) return { skipReason: cap };
    const r = action.reads?.covers(action.invoiceId) ? action.reads : null;
    const blocked = r
      ? (localRetryBlock(action.db, action, r.retrySignals) ?? r.missingWrite(action.step))
      : (localRetryBlock(action.db, action) ?? missingWrite(action.db, action.step));
    if (blocked) return { skipReason: blocked };
    return { skipReason: null, note: `invoice attempt ${attemptsMade(action) + 1} of at most ${action.step.config.maxAttempts}` };
  };
  return {
    kind: 'retry',
    estimate,
    execute: async (action): Promise<ActionResult> => {
      if (action.step.channel !== 'retry') throw new Error('retry channel got a non-retry step');
      if (action.invoice.hardDecline) {
        const r = await deliver(action, deps, { template: action.step.config.newCardTemplate ?? NEW_CARD_TEMPLATE, sender: 'workspace' });
        return r.status === 'succeeded' ? { ...r, detail: `hard decline (${action.invoice.lastDeclineCode}), not retried: asked for a new card; ${r.detail}` } : r;
      }
      const cap = capReached(action);
      if (cap) return { status: 'skipped', detail: cap };
      const stripe = await deps.stripe(action.workspaceId);
      try {
        const live = await liveRetryBlock(stripe, action);
        const closed = closedResult(action, live.invoice);
        if (closed) return closed;
        if (live.reason) {
          applyInvoice(action, live.invoice);
          return { status: 'skipped', detail: live.reason };
        }
      } catch (e) {
        const f = stripeFailure(e);
        return { status: 'failed', detail: describeFailure('could not check the invoice before retrying', f), retryable: f.retryable };
      }
      try {
        const inv = await stripe.invoices.pay(action.invoiceId, {}, { idempotencyKey: idempotencyKey(action.key, 'pay', action.attempt ?? 1) });
        applyInvoice(action, inv);
        if (inv.status === 'paid') return { status: 'succeeded', detail: 'retried: paid', externalId: action.invoiceId, invoicePaid: true };
        return { status: 'failed', detail: `retried: invoice is ${inv.status}`, externalId: action.invoiceId };
      } catch (e) {
        const f = stripeFailure(e);
        if (f.type === 'StripeCardError') {
          // Stripe's decline_code is '' when the issuer gave none: the error code stands in.
          const code = f.declineCode ?? f.code ?? 'card_declined';
          if (f.charge) {
            action.db
              .prepare(
                `INSERT OR IGNORE INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw)
                 VALUES (?, ?, ?, ?, ?, 'failed', 0, ?, ?, ?, '{}')`,
              )
              .run(f.charge, action.customerId, action.invoiceId, action.invoice.amountRemaining, action.invoice.currency, f.code ?? 'card_declined', code, action.now);
          }
          return { status: 'failed', detail: `${DECLINED} (${code})`, externalId: f.charge ?? action.invoiceId };
        }
        if (f.status === 400) {
          // Stripe names no error code for "this invoice cannot be paid": the invoice itself says why.
          try {
            const closed = closedResult(action, await stripe.invoices.retrieve(action.invoiceId));
            if (closed) return closed;
          } catch {
            /* the refusal below says what happened */
          }
        }
        return { status: 'failed', detail: describeFailure('retry', f), retryable: f.retryable };
      }
    },
    // The pay request carries an Idempotency-Key: repeating it after a crash is safe (Stripe replays the first answer).
    recover: (action) => (action.invoice.hardDecline ? recoverEmail(action) : 'execute'),
  };
}
