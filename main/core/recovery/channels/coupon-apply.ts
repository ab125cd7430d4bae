import crypto from 'node:crypto';
import type { OfferConfig } from '../../../../shared/contract';
import { probePermission } from '../../stripe/connect';
import { WRITE_PERMISSIONS } from '../../stripe/write-permissions';
import type { ActionContext, ActionResult } from '../channel';
import { idempotencyKey, type Stripe } from '../stripe-client';
import { couponAmount } from './coupon-currency';
import { describeFailure, stripeFailure } from './stripe-errors';

/**
 * A discount offer in Stripe: a one-redemption coupon, then
 * `subscriptions.update({ discounts })`. The pinned SDK documents that list as
 * "A populated array overwrites the existing discounts on the subscription",
 * so the discounts the subscription already has (or inherits from its
 * customer: "If not specified or empty, inherits the discount from the
 * subscription's customer") are sent back as `{ discount: 'di_…' }` ("ID of
 * an existing discount on the object (or one of its ancestors) to reuse")
 * next to the new coupon. Nothing the customer already had is taken away.
 *
 * No coupon is created that cannot be applied: the key's write permissions are
 * checked first, and a coupon whose apply Stripe refused is deleted again (or,
 * if that fails too, named in the action's detail).
 */
/** Stripe applies at most 20 discounts to one subscription. */
const MAX_DISCOUNTS = 20;

type CouponConfig = OfferConfig & { kind: 'coupon' };

/** The coupon's id, one per action, so a new attempt finds the coupon an earlier one created. */
export const couponIdFor = (outboxKey: string) => `reclaim_${crypto.createHash('sha256').update(outboxKey).digest('hex').slice(0, 24)}`;

const couponOf = (d: Stripe.Discount): string | null => (typeof d.source.coupon === 'string' ? d.source.coupon : (d.source.coupon?.id ?? null));

/** Discounts to keep: the subscription's own, else the one it inherits from its customer. */
async function existingDiscounts(stripe: Stripe, sub: Stripe.Subscription): Promise<string[]> {
  const own = sub.discounts.map((d) => (typeof d === 'string' ? d : d.id));
  if (own.length) return own;
  const customerId = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const customer = await stripe.customers.retrieve(customerId);
  return !('deleted' in customer && customer.deleted) && customer.discount ? [customer.discount.id] : [];
}

export type CouponOutcome = { couponId: string } | { result: ActionResult };

export async function applyCouponOffer(stripe: Stripe, action: ActionContext, c: CouponConfig, offer: string): Promise<CouponOutcome> {
  const subId = action.invoice.subscriptionId!;
  const attempt = action.attempt ?? 1;
  const refused = (what: string, e: unknown): CouponOutcome => {
    const f = stripeFailure(e);
    return { result: { status: 'failed', detail: describeFailure(what, f), retryable: f.retryable } };
  };
  // 1. The key may write coupons and subscriptions (else nothing is created).
  for (const p of WRITE_PERMISSIONS.coupon) {
    try {
      const missing = await probePermission(stripe, p);
      if (missing) return { result: { status: 'failed', detail: `not offered: the Stripe key lacks the '${missing.permission}' permission (${p.label}); no coupon was created`, retryable: false } };
    } catch (e) {
      return refused('could not check the key before offering', e);
    }
  }
  // 2. What the subscription has now, and what the coupon would be worth in its currency.
  let keep: string[];
  let currency: string;
  const couponId = couponIdFor(action.key);
  try {
    const sub = await stripe.subscriptions.retrieve(subId, { expand: ['discounts'] });
    // An earlier attempt whose answer was lost (no answer, a 5xx) may have applied it already.
    if (sub.discounts.some((d) => typeof d !== 'string' && couponOf(d) === couponId)) return { couponId };
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return { result: { status: 'skipped', detail: `not offered: the subscription is ${sub.status}` } };
    keep = await existingDiscounts(stripe, sub);
    currency = sub.currency;
  } catch (e) {
    return refused('could not read the subscription before offering', e);
  }
  if (keep.length >= MAX_DISCOUNTS) return { result: { status: 'skipped', detail: `not offered: the subscription already has ${keep.length} discounts (Stripe allows ${MAX_DISCOUNTS})` } };
  const amount = c.percentOff ? null : couponAmount(c, currency, action.currency);
  if (amount && 'skip' in amount) return { result: { status: 'skipped', detail: `not offered: ${amount.skip}` } };
  // 3. The coupon (found again by its id on a later attempt).
  try {
    await stripe.coupons.create(
      {
        id: couponId,
        ...(amount ? amount.params : { percent_off: c.percentOff! }),
        duration: c.duration,
        ...(c.duration === 'repeating' ? { duration_in_months: c.durationInMonths! } : {}),
        max_redemptions: 1,
        name: `Reclaim: ${offer}`.slice(0, 40),
        metadata: { reclaim_run: action.runId, reclaim_invoice: action.invoiceId, reclaim_step: action.stepId },
      },
      { idempotencyKey: idempotencyKey(action.key, 'coupon', attempt) },
    );
  } catch (e) {
    const f = stripeFailure(e);
    if (!(attempt > 1 && f.code === 'resource_already_exists')) return refused('Stripe refused the coupon', e);
  }
  // 4. Applied next to the discounts the subscription keeps.
  try {
    await stripe.subscriptions.update(subId, { discounts: [...keep.map((id) => ({ discount: id })), { coupon: couponId }] }, { idempotencyKey: idempotencyKey(action.key, 'discount', attempt) });
  } catch (e) {
    const f = stripeFailure(e);
    let left = f.retryable ? `coupon ${couponId} is kept for the next attempt` : `coupon ${couponId} was deleted again`;
    if (!f.retryable) {
      try {
        await stripe.coupons.del(couponId);
      } catch (d) {
        left = `coupon ${couponId} was created but not applied, and could not be deleted (${stripeFailure(d).message}); delete it in the Stripe dashboard`;
      }
    }
    return { result: { status: 'failed', detail: `${describeFailure('Stripe refused to apply the offer', f)}; ${left}`, retryable: f.retryable } };
  }
  return { couponId };
}
