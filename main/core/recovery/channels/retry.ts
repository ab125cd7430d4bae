import type Stripe from 'stripe';
import type { ActionContext, ActionResult, Channel, PlanEstimate } from '../channel';
import { idempotencyKey } from '../stripe-client';
import { NEW_CARD_TEMPLATE } from '../templates';
import { deliver, emailSkip, recoverEmail, type ChannelDeps } from './deliver';

/**
 * Retry step: `POST /v1/invoices/:id/pay` with an Idempotency-Key derived from
 * the outbox key, so a resumed run never charges twice. A hard decline is
 * never retried (Stripe: lost/stolen/pickup card, incorrect number, revoked
 * authorization, transaction not allowed…; expired card and incorrect CVC need
 * a new card): the step asks for a new card by email instead.
 */
function retriesBefore(action: ActionContext): number {
  return action.history.filter((h) => h.channel === 'retry' && (action.dryRun ? h.status !== 'skipped' : false)).length;
}

function capReached(action: ActionContext): string | null {
  if (action.step.channel !== 'retry') return null;
  const attempts = action.invoice.attemptCount + retriesBefore(action);
  const max = action.step.config.maxAttempts;
  return attempts >= max ? `retry cap reached (${attempts} of ${max} attempts made)` : null;
}

/** Keeps the local copy in step with what Stripe just told us (the next sync confirms it). */
function applyInvoice(action: ActionContext, inv: Stripe.Invoice): void {
  action.db
    .prepare(`UPDATE invoices SET status = ?, amount_paid = ?, amount_remaining = ?, attempt_count = ?, paid_at = coalesce(?, paid_at) WHERE id = ?`)
    .run(inv.status ?? 'open', inv.amount_paid, inv.amount_remaining, inv.attempt_count, inv.status === 'paid' ? action.now : null, action.invoiceId);
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
    return { skipReason: null, note: `invoice attempt ${action.invoice.attemptCount + retriesBefore(action) + 1} of at most ${action.step.config.maxAttempts}` };
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
        const inv = await stripe.invoices.pay(action.invoiceId, {}, { idempotencyKey: idempotencyKey(action.key, 'pay') });
        applyInvoice(action, inv);
        if (inv.status === 'paid') return { status: 'succeeded', detail: 'retried: paid', externalId: action.invoiceId, invoicePaid: true };
        return { status: 'failed', detail: `retried: invoice is ${inv.status}`, externalId: action.invoiceId };
      } catch (e) {
        const err = e as { type?: string; code?: string; decline_code?: string; message?: string; raw?: { charge?: string } };
        if (err.type === 'StripeCardError') {
          const code = err.decline_code ?? err.code ?? 'card_declined';
          action.db.prepare(`UPDATE invoices SET attempt_count = attempt_count + 1 WHERE id = ?`).run(action.invoiceId);
          if (err.raw?.charge) {
            action.db
              .prepare(
                `INSERT OR IGNORE INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw)
                 VALUES (?, ?, ?, ?, ?, 'failed', 0, ?, ?, ?, '{}')`,
              )
              .run(err.raw.charge, action.customerId, action.invoiceId, action.invoice.amountRemaining, action.invoice.currency, err.code ?? 'card_declined', code, action.now);
          }
          return { status: 'failed', detail: `retried: declined (${code})`, externalId: err.raw?.charge ?? action.invoiceId };
        }
        if (err.code === 'invoice_not_open' || /already paid/i.test(err.message ?? '')) {
          action.db.prepare(`UPDATE invoices SET status = 'paid', amount_remaining = 0 WHERE id = ? AND status = 'open'`).run(action.invoiceId);
          return { status: 'skipped', detail: 'the invoice was already paid', invoicePaid: true };
        }
        return { status: 'failed', detail: `Stripe did not answer the retry: ${err.message ?? String(e)}`, retryable: true };
      }
    },
    // The pay request carries an Idempotency-Key: repeating it after a crash is safe (Stripe replays the first answer).
    recover: (action) => (action.invoice.hardDecline ? recoverEmail(action) : 'execute'),
  };
}
