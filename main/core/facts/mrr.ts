/**
 * MRR per Stripe's Billing analytics definition
 * (https://docs.stripe.com/billing/subscriptions/analytics/glossary — "MRR is the sum of
 * the monthly-normalized value of all your active and past_due subscriptions. MRR
 * calculations exclude subscriptions in trial periods, any taxes applied to the
 * subscription, any subscribers on free plans, and any metered (usage based) products";
 * https://support.stripe.com/questions/billing-analytics — only `forever` coupons reduce
 * MRR, `unpaid` subscriptions no longer count). The rules shown to users live in
 * shared/mrr-rules.ts; keep the two in step.
 *
 * Amounts are minor units of the subscription's currency; nothing is rounded here
 * until `subscriptionMrr`, which rounds once, half up.
 */
export type Interval = 'day' | 'week' | 'month' | 'year';

const PER_MONTH: Record<Interval, number> = { day: 365 / 12, week: 52 / 12, month: 1, year: 1 / 12 };

/** Statuses that count towards MRR; everything else (unpaid, trialing, paused, canceled, incomplete…) counts 0. */
export const COUNTED_STATUSES = new Set(['active', 'past_due']);

/** Exact (unrounded) monthly amount of one price × quantity. */
export function monthlyExact(unitAmount: number, quantity: number, interval: Interval, intervalCount = 1): number {
  return (unitAmount * quantity * PER_MONTH[interval]) / Math.max(1, intervalCount);
}

export function monthlyAmount(p: { unitAmount: number; quantity: number; interval: Interval; intervalCount?: number }): number {
  return Math.round(monthlyExact(p.unitAmount, p.quantity, p.interval, p.intervalCount ?? 1));
}

export interface Tier {
  /** Inclusive upper bound of the tier; null = infinity. */
  upTo: number | null;
  unitAmount: number | null;
  flatAmount: number | null;
}
export interface PriceForMrr {
  /** unit_amount, or unit_amount_decimal parsed (may be fractional minor units). */
  unitAmount: number | null;
  billingScheme: 'per_unit' | 'tiered';
  tiersMode: 'graduated' | 'volume' | null;
  tiers: Tier[] | null;
  /** metered prices (usage_type metered, or a billing meter) are excluded from MRR. */
  metered: boolean;
  interval: Interval;
  intervalCount: number;
  transformQuantity: { divideBy: number; round: 'up' | 'down' } | null;
}
export interface DiscountForMrr {
  percentOff: number | null;
  amountOff: number | null;
  currency: string | null;
  duration: 'forever' | 'once' | 'repeating';
  /** When the discount stops applying (unix s); null = never. */
  end: number | null;
}
export interface ItemForMrr {
  price: PriceForMrr;
  quantity: number;
  /** Item-level discounts (subscription_item.discounts). */
  discounts: DiscountForMrr[];
  /**
   * Share of the item's amount that is tax, for tax-inclusive prices (0 when the tax is
   * added on top or there is none): inclusive tax rates p% give p / (100 + p).
   */
  inclusiveTaxShare: number;
}
export interface SubscriptionForMrr {
  status: string;
  currency: string;
  trialEnd: number | null;
  items: ItemForMrr[];
  /** Subscription-level discounts, in order (stacked), or the customer's discount when the subscription has none. */
  discounts: DiscountForMrr[];
  /** `pause_collection` (null or absent: collecting). */
  pauseCollection?: { behavior: string; resumesAt: number | null } | null;
}
export interface MrrOptions {
  /** Stripe's default counts only `forever` coupons; a workspace may also count active `once`/`repeating` ones. */
  includeFiniteCoupons: boolean;
}
export const DEFAULT_MRR_OPTIONS: MrrOptions = { includeFiniteCoupons: false };

/** Billed quantity after `transform_quantity` (packages of N units, rounded up or down). */
function billedQuantity(price: PriceForMrr, quantity: number): number {
  const t = price.transformQuantity;
  if (!t || t.divideBy <= 0) return quantity;
  const q = quantity / t.divideBy;
  return t.round === 'up' ? Math.ceil(q) : Math.floor(q);
}

/** Amount of one billing period of an item, before discounts (may be fractional). */
export function itemPeriodAmount(price: PriceForMrr, quantity: number): number {
  if (price.metered) return 0;
  const q = billedQuantity(price, quantity);
  if (price.billingScheme !== 'tiered') return (price.unitAmount ?? 0) * q;
  const tiers = price.tiers ?? [];
  if (tiers.length === 0) return 0;
  if (price.tiersMode === 'volume') {
    // Volume: every unit is priced at the tier the total quantity falls in.
    const tier = tiers.find((t) => t.upTo === null || q <= t.upTo) ?? tiers[tiers.length - 1]!;
    return q * (tier.unitAmount ?? 0) + (tier.flatAmount ?? 0);
  }
  // Graduated: each tier prices the units that fall inside it, plus its flat fee when reached.
  let total = 0;
  let lower = 0;
  for (const t of tiers) {
    if (q <= lower) break;
    const upper = t.upTo === null ? q : Math.min(q, t.upTo);
    const units = upper - lower;
    if (units > 0) total += units * (t.unitAmount ?? 0) + (t.flatAmount ?? 0);
    lower = upper;
    if (t.upTo === null) break;
  }
  return total;
}

function discountApplies(d: DiscountForMrr, now: number, opts: MrrOptions): boolean {
  if (d.end !== null && d.end <= now) return false;
  return d.duration === 'forever' || opts.includeFiniteCoupons;
}

/** Applies stacked discounts in order; amount_off is per invoice (= per billing period) and only in the same currency. */
function applyDiscounts(amount: number, discounts: DiscountForMrr[], currency: string, now: number, opts: MrrOptions): number {
  let a = amount;
  for (const d of discounts) {
    if (!discountApplies(d, now, opts)) continue;
    if (d.percentOff) a -= (a * d.percentOff) / 100;
    if (d.amountOff && (d.currency ?? currency).toLowerCase() === currency.toLowerCase()) a -= d.amountOff;
    a = Math.max(0, a);
  }
  return a;
}

/**
 * Whether payment collection is paused now. Stripe's doc on `pause_collection`: "If
 * specified, payment collection for this subscription will be paused. Note that the
 * subscription status will be unchanged and will not be updated to `paused`" — so an
 * `active` status alone is not revenue. Every `behavior` collects nothing while paused:
 * `void` voids the invoices, `mark_uncollectible` marks them uncollectible, and
 * `keep_as_draft` keeps them as drafts that are not charged (they may be finalized
 * later, which is revenue then, not now). Collection resumes at `resumes_at` ("The time
 * after which the subscription will resume collecting payments"); null = until resumed
 * by hand. Chosen: a paused subscription contributes no MRR until then (#17 item 9).
 */
export function collectionPaused(sub: Pick<SubscriptionForMrr, 'pauseCollection'>, now: number): boolean {
  const p = sub.pauseCollection;
  return !!p && (p.resumesAt === null || p.resumesAt > now);
}

/** Exact monthly recurring revenue of one subscription in its own currency (minor units, unrounded). */
export function subscriptionMrrExact(sub: SubscriptionForMrr, now: number, opts: MrrOptions = DEFAULT_MRR_OPTIONS): number {
  if (!COUNTED_STATUSES.has(sub.status) || (sub.trialEnd !== null && sub.trialEnd > now)) return 0;
  if (collectionPaused(sub, now)) return 0;
  // Items are grouped by billing period so that an invoice-level amount_off is spread over that period.
  const periods = new Map<string, { interval: Interval; count: number; amount: number }>();
  for (const it of sub.items) {
    const gross = itemPeriodAmount(it.price, it.quantity);
    if (gross <= 0) continue;
    const net = applyDiscounts(gross, it.discounts, sub.currency, now, opts) * (1 - it.inclusiveTaxShare);
    const key = `${it.price.interval}/${it.price.intervalCount}`;
    const p = periods.get(key) ?? { interval: it.price.interval, count: it.price.intervalCount, amount: 0 };
    p.amount += net;
    periods.set(key, p);
  }
  let monthly = 0;
  for (const p of periods.values()) monthly += monthlyExact(applyDiscounts(p.amount, sub.discounts, sub.currency, now, opts), 1, p.interval, p.count);
  return Math.max(0, monthly);
}

// ── Compatibility with the simple shape used before (one price per item, one coupon) ──

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
  duration?: 'forever' | 'once' | 'repeating';
}

export function simplePrice(unitAmount: number, interval: Interval, intervalCount = 1): PriceForMrr {
  return { unitAmount, billingScheme: 'per_unit', tiersMode: null, tiers: null, metered: false, interval, intervalCount, transformQuantity: null };
}

/** Monthly recurring revenue of one subscription in its own currency (minor units, rounded half up). */
export function subscriptionMrr(sub: SubForMrr, coupon: CouponForMrr | null, now: number, opts: MrrOptions = DEFAULT_MRR_OPTIONS): number {
  return Math.round(
    subscriptionMrrExact(
      {
        status: sub.status,
        currency: sub.currency,
        trialEnd: sub.trialEnd,
        items: sub.items.map((i) => ({ price: simplePrice(i.unitAmount, i.interval, i.intervalCount), quantity: i.quantity, discounts: [], inclusiveTaxShare: 0 })),
        discounts: coupon ? [{ percentOff: coupon.percentOff, amountOff: coupon.amountOff, currency: coupon.currency, duration: coupon.duration ?? 'forever', end: sub.discountEnd }] : [],
      },
      now,
      opts,
    ),
  );
}
