import { DAY, type Obj, type Rng } from './generator';
import { shape } from './shapes';

/**
 * `POST /v1/subscriptions/:id` discounts, as the pinned SDK documents them
 * (SubscriptionUpdateParams.discounts): "The coupons to redeem into discounts
 * for the subscription. A populated array overwrites the existing discounts on
 * the subscription. If not specified or empty array, it leaves the
 * subscription's discounts unchanged. If empty string, it clears the
 * subscription's discounts." Each entry is `{coupon}` (a new discount),
 * `{discount}` ("ID of an existing discount on the object (or one of its
 * ancestors) to reuse") or `{promotion_code}`.
 *
 * The pinned version has no top-level `coupon` parameter: Stripe refuses it as
 * an unknown parameter.
 */
export interface DiscountContext {
  byId: Map<string, Obj>;
  rng: Rng;
  now(): number;
  insert(o: Obj): void;
}

type Invalid = (status: number, message: string, extra?: Record<string, unknown>) => Error;

export function applyDiscounts(d: DiscountContext, sub: Obj, body: Map<string, string[]>, invalid: Invalid): void {
  if (body.has('coupon')) throw invalid(400, 'Received unknown parameter: coupon', { param: 'coupon' });
  const cleared = body.get('discounts')?.[0] === '';
  const entries = new Map<number, { coupon?: string; discount?: string; promotion_code?: string }>();
  for (const [k, v] of body) {
    const m = /^discounts\[(\d+)\]\[(coupon|discount|promotion_code)\]$/.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    entries.set(i, { ...(entries.get(i) ?? {}), [m[2]!]: v[0]! });
  }
  if (cleared) {
    sub.discounts = [];
    return;
  }
  if (entries.size === 0) return;
  const current = (sub.discounts as string[] | undefined) ?? [];
  const customer = d.byId.get(sub.customer as string);
  const ancestors = new Set([...current, ...(customer?.discount ? [(customer.discount as Obj).id] : [])]);
  const next: string[] = [];
  for (const i of [...entries.keys()].sort((a, b) => a - b)) {
    const e = entries.get(i)!;
    if (e.promotion_code) throw invalid(400, `No such promotion code: '${e.promotion_code}'`, { code: 'resource_missing', param: `discounts[${i}][promotion_code]` });
    if (e.discount) {
      if (!ancestors.has(e.discount)) throw invalid(400, `No such discount: '${e.discount}'`, { code: 'resource_missing', param: `discounts[${i}][discount]` });
      next.push(e.discount);
      continue;
    }
    const couponId = e.coupon;
    const coupon = couponId ? d.byId.get(couponId) : undefined;
    if (!coupon || coupon.object !== 'coupon') throw invalid(400, `No such coupon: '${couponId ?? ''}'`, { code: 'resource_missing', param: `discounts[${i}][coupon]` });
    const max = coupon.max_redemptions as number | null;
    if (max !== null && (coupon.times_redeemed as number) >= max) throw invalid(400, `Coupon ${coupon.id} has reached its maximum number of redemptions.`, { code: 'coupon_expired' });
    if (coupon.amount_off !== null && coupon.currency && coupon.currency !== sub.currency) {
      const opts = (coupon.currency_options as Record<string, unknown> | undefined) ?? {};
      if (!opts[sub.currency as string]) throw invalid(400, `The coupon's currency (${String(coupon.currency)}) does not match the subscription's currency (${String(sub.currency)}).`, { param: `discounts[${i}][coupon]` });
    }
    coupon.times_redeemed = (coupon.times_redeemed as number) + 1;
    const end = coupon.duration === 'repeating' ? d.now() + (coupon.duration_in_months as number) * 30 * DAY : null;
    // A discount object in the pinned version: the coupon under source.coupon; the subscription lists its id.
    const discount = shape('discount', {
      id: d.rng.id('di_'), object: 'discount', customer: sub.customer, start: d.now(), end, subscription: sub.id, subscription_item: null, invoice: null,
      invoice_item: null, promotion_code: null, checkout_session: null, source: { coupon: coupon.id, type: 'coupon' },
    }) as unknown as Obj;
    d.insert(discount);
    next.push(discount.id);
  }
  // "A populated array overwrites the existing discounts on the subscription."
  sub.discounts = next;
}
