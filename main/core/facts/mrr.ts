/**
 * MRR normalisation. Amounts are integer minor units; rounding happens once, at
 * the end, half up. past_due and unpaid subscriptions still count: they are the
 * revenue recovery is about. Trials, canceled and incomplete subscriptions count 0.
 */
export type Interval = 'day' | 'week' | 'month' | 'year';

const PER_MONTH: Record<Interval, number> = { day: 365 / 12, week: 52 / 12, month: 1, year: 1 / 12 };

/** Exact (unrounded) monthly amount of one price × quantity. */
export function monthlyExact(unitAmount: number, quantity: number, interval: Interval, intervalCount = 1): number {
  return (unitAmount * quantity * PER_MONTH[interval]) / Math.max(1, intervalCount);
}

export function monthlyAmount(p: { unitAmount: number; quantity: number; interval: Interval; intervalCount?: number }): number {
  return Math.round(monthlyExact(p.unitAmount, p.quantity, p.interval, p.intervalCount ?? 1));
}

export interface SubForMrr {
  status: string;
  currency: string;
  trialEnd: number | null;
  discountEnd: number | null;
  items: { unitAmount: number; quantity: number; interval: Interval; intervalCount: number }[];
}
export interface CouponForMrr {
  percentOff: number | null;
  amountOff: number | null;
  currency: string | null;
}

const EXCLUDED = new Set(['canceled', 'incomplete', 'incomplete_expired', 'trialing', 'paused']);

/** Monthly recurring revenue of one subscription in its own currency (minor units). */
export function subscriptionMrr(sub: SubForMrr, coupon: CouponForMrr | null, now: number): number {
  if (EXCLUDED.has(sub.status) || (sub.trialEnd !== null && sub.trialEnd > now)) return 0;
  let monthly = sub.items.reduce((sum, i) => sum + monthlyExact(i.unitAmount, i.quantity, i.interval, i.intervalCount), 0);
  const active = coupon && (sub.discountEnd === null || sub.discountEnd > now);
  if (active && coupon.percentOff) monthly *= 1 - coupon.percentOff / 100;
  if (active && coupon.amountOff && coupon.currency === sub.currency) {
    // amount_off comes off each invoice; spread over the billing period of the first item.
    const first = sub.items[0];
    const perMonth = first ? monthlyExact(coupon.amountOff, 1, first.interval, first.intervalCount) : 0;
    monthly -= perMonth;
  }
  return Math.max(0, Math.round(monthly));
}
