import { formatMoney } from '../../../../shared/money';
import type { ActionContext, ActionResult, Channel, Money, PlanEstimate } from '../channel';
import { missingWrite } from '../../stripe/write-permissions';
import { OFFER_TEMPLATES } from '../templates';
import { applyCouponOffer } from './coupon-apply';
import { couponAmount } from './coupon-currency';
import { annualSkipReason } from './annual';
import { deliver, emailSkip, recoverEmail, type ChannelDeps } from './deliver';

/**
 * Offer step: a discount coupon created in Stripe and applied to the
 * subscription (capped per customer and per run), annual billing, or paying
 * another way through the hosted invoice page. Each is announced by email; the
 * offer's value is recorded per customer (recovery_offers) for reporting.
 */
type OfferStep = Extract<ActionContext['step'], { channel: 'offer' }>;

/** The amount off per invoice, in the invoice currency (null: the coupon has no amount for that currency). */
function perInvoice(step: OfferStep, action: ActionContext): number | null {
  const c = step.config;
  if (c.percentOff) return Math.round((action.invoice.amountDue * c.percentOff) / 100);
  const a = couponAmount(c, action.invoice.currency, action.currency);
  return a && 'amount' in a ? Math.min(a.amount, action.invoice.amountDue) : null;
}

export function offerValue(step: OfferStep, action: ActionContext): Money {
  const c = step.config;
  const months = c.duration === 'repeating' ? (c.durationInMonths ?? 1) : c.duration === 'forever' ? 12 : 1;
  if (c.kind !== 'coupon') return { amount: 0, currency: action.invoice.currency };
  return { amount: (perInvoice(step, action) ?? 0) * months, currency: action.invoice.currency };
}

export function describeOffer(step: OfferStep, action: ActionContext): string {
  const c = step.config;
  if (c.kind === 'annual') return 'annual billing';
  if (c.kind === 'payment_method') return 'paying another way';
  const off = c.percentOff ? `${c.percentOff}% off` : `${formatMoney(perInvoice(step, action) ?? c.amountOff ?? 0, action.invoice.currency)} off`;
  const span = c.duration === 'once' ? 'your next invoice' : c.duration === 'forever' ? 'every invoice' : `the next ${c.durationInMonths} months`;
  return `${off} ${span}`;
}

function offersToCustomer(action: ActionContext, kind: string): number {
  if (action.reads) return action.reads.offersToCustomer(action.customerId, kind, action.key);
  return action.db.prepare(`SELECT count(*) FROM recovery_offers WHERE customer_id = ? AND kind = ? AND outbox_key <> ?`).pluck().get(action.customerId, kind, action.key) as number;
}

function offersInRun(action: ActionContext): number {
  return action.db
    .prepare(`SELECT count(*) FROM recovery_offers WHERE run_id = ? AND outbox_key LIKE ? AND outbox_key <> ?`)
    .pluck()
    .get(action.runId, `${action.runId}:%:${action.stepId}`, action.key) as number;
}

export function offerChannel(deps: ChannelDeps): Channel {
  const estimate = (action: ActionContext): PlanEstimate => {
    if (action.step.channel !== 'offer') return { skipReason: 'not an offer step' };
    const step = action.step;
    const skip = emailSkip(action);
    if (skip) return { skipReason: skip };
    if (step.config.kind === 'coupon') {
      if (!action.invoice.subscriptionId) return { skipReason: 'no subscription to discount' };
      const amount = step.config.percentOff ? null : couponAmount(step.config, action.invoice.currency, action.currency);
      if (amount && 'skip' in amount) return { skipReason: amount.skip };
      const lacking = action.reads ? action.reads.missingWrite(step) : missingWrite(action.db, step);
      if (lacking) return { skipReason: lacking };
    }
    if (step.config.kind === 'annual') {
      const why = annualSkipReason(action.db, action.customerId, action.invoice.subscriptionId);
      if (why) return { skipReason: why };
    }
    if (offersToCustomer(action, step.config.kind) >= step.config.maxPerCustomer) return { skipReason: 'offer cap reached for this customer' };
    // A dry-run plan counts its own offers per run (plan.ts runOfferCounts).
    if (!action.dryRun && step.config.maxPerRun !== null && offersInRun(action) >= step.config.maxPerRun) return { skipReason: `offer cap reached for this run (${step.config.maxPerRun})` };
    return { skipReason: null, estimatedCost: offerValue(step, action), note: describeOffer(step, action) };
  };
  return {
    kind: 'offer',
    estimate,
    execute: async (action): Promise<ActionResult> => {
      if (action.step.channel !== 'offer') throw new Error('offer channel got a non-offer step');
      const step = action.step;
      const e = estimate(action);
      if (e.skipReason) return { status: 'skipped', detail: e.skipReason };
      const c = step.config;
      const value = offerValue(step, action);
      const offer = describeOffer(step, action);
      let couponId: string | null = null;
      if (c.kind === 'coupon') {
        const applied = await applyCouponOffer(await deps.stripe(action.workspaceId), action, { ...c, kind: 'coupon' }, offer);
        if ('result' in applied) return applied.result;
        couponId = applied.couponId;
      }
      action.db
        .prepare(`INSERT OR IGNORE INTO recovery_offers (outbox_key, run_id, customer_id, invoice_id, kind, coupon_id, value_amount, currency, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(action.key, action.runId, action.customerId, action.invoiceId, c.kind, couponId, value.amount, value.currency, deps.nowMs());
      const sent = await deliver(action, deps, { template: c.template ?? OFFER_TEMPLATES[c.kind], sender: 'workspace', offer });
      if (sent.status !== 'succeeded') return couponId ? { ...sent, detail: `coupon ${couponId} applied; ${sent.detail}`, cost: value } : sent;
      return { status: 'succeeded', detail: `offered ${offer}${couponId ? ` (coupon ${couponId} applied)` : ''}; ${sent.detail}`, cost: value, ...(sent.externalId ? { externalId: sent.externalId } : {}) };
    },
    // Coupon (a fixed id) and discount carry Idempotency-Keys and the offer row is keyed: only the email decides.
    recover: (action) => recoverEmail(action),
  };
}
