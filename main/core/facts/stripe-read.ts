import type { DiscountForMrr, Interval, ItemForMrr, PriceForMrr, Tier } from './mrr';

/**
 * Reads the raw Stripe JSON kept beside the typed columns into the shapes the fact
 * computations use. The current API version (2026-10-28.endive: `discounts[]` of
 * discount objects whose coupon sits under `source.coupon`, tiers on the price) is
 * read first; the older shapes still found in rows written before (`discount`,
 * `discount.coupon`) are read where it is cheap.
 */
type O = Record<string, unknown>;
const obj = (v: unknown): O | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as O) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const idOf = (v: unknown): string | null => str(v) ?? str(obj(v)?.id);

export function parseJson(text: string | null | undefined): O {
  if (!text) return {};
  try {
    return obj(JSON.parse(text)) ?? {};
  } catch {
    return {};
  }
}

/** A coupon row from the coupons table (typed columns). */
export interface CouponRow {
  id: string;
  percent_off: number | null;
  amount_off: number | null;
  currency: string | null;
  duration: string;
}

const DURATIONS = new Set(['forever', 'once', 'repeating']);
function couponFields(c: O | CouponRow): Omit<DiscountForMrr, 'end'> {
  const d = String((c as O).duration ?? 'forever');
  return {
    percentOff: num((c as O).percent_off),
    amountOff: num((c as O).amount_off),
    currency: str((c as O).currency),
    duration: (DURATIONS.has(d) ? d : 'forever') as DiscountForMrr['duration'],
  };
}

/**
 * A discount object (current: `source.coupon`; older: `coupon`) → its MRR effect.
 * The coupon may be expanded or an id looked up in the synced coupons. A bare
 * discount id (not expanded) cannot be read and yields null.
 */
export function readDiscount(d: unknown, coupons: (id: string) => CouponRow | undefined): DiscountForMrr | null {
  const o = obj(d);
  if (!o) return null;
  const source = obj(o.source);
  const c = source ? source.coupon : o.coupon;
  const co = obj(c) ?? (typeof c === 'string' ? coupons(c) : undefined);
  if (!co) return null;
  return { ...couponFields(co), end: num(o.end) };
}

export function readDiscounts(list: unknown, coupons: (id: string) => CouponRow | undefined): DiscountForMrr[] {
  if (!Array.isArray(list)) return [];
  return list.map((d) => readDiscount(d, coupons)).filter((d): d is DiscountForMrr => d !== null);
}

/** Subscription-level discounts: `discounts[]` (current), else the single `discount` (older versions). */
export function subscriptionDiscounts(sub: O, coupons: (id: string) => CouponRow | undefined): { discounts: DiscountForMrr[]; found: boolean } {
  const list = Array.isArray(sub.discounts) ? sub.discounts : [];
  const read = readDiscounts(list, coupons);
  if (read.length) return { discounts: read, found: true };
  const legacy = readDiscount(sub.discount, coupons);
  if (legacy) return { discounts: [legacy], found: true };
  return { discounts: [], found: list.length > 0 };
}

/** Typed price columns, used when the raw price is missing (rows written by hand or by older versions). */
export interface PriceColumns {
  unit_amount: number | null;
  recurring_interval: string | null;
  recurring_interval_count: number | null;
}

const INTERVALS = new Set(['day', 'week', 'month', 'year']);

/** A recurring price (raw JSON, falling back to typed columns); null when not recurring. */
export function readPrice(raw: O, cols: PriceColumns): PriceForMrr | null {
  const rec = obj(raw.recurring);
  const interval = str(rec?.interval) ?? cols.recurring_interval;
  if (!interval || !INTERVALS.has(interval)) return null;
  const tiers: Tier[] | null = Array.isArray(raw.tiers)
    ? (raw.tiers as unknown[]).map((t) => {
        const x = obj(t) ?? {};
        return { upTo: num(x.up_to), unitAmount: num(x.unit_amount) ?? num(x.unit_amount_decimal), flatAmount: num(x.flat_amount) ?? num(x.flat_amount_decimal) };
      })
    : null;
  const tq = obj(raw.transform_quantity);
  const divideBy = num(tq?.divide_by);
  return {
    unitAmount: num(raw.unit_amount) ?? num(raw.unit_amount_decimal) ?? cols.unit_amount,
    billingScheme: raw.billing_scheme === 'tiered' ? 'tiered' : 'per_unit',
    tiersMode: raw.tiers_mode === 'volume' ? 'volume' : raw.tiers_mode === 'graduated' ? 'graduated' : null,
    tiers,
    // A price billed from usage: usage_type metered (older versions) or attached to a billing meter.
    metered: rec?.usage_type === 'metered' || Boolean(rec?.meter),
    interval: interval as Interval,
    intervalCount: num(rec?.interval_count) ?? cols.recurring_interval_count ?? 1,
    transformQuantity: divideBy && divideBy > 1 ? { divideBy, round: tq?.round === 'up' ? 'up' : 'down' } : null,
  };
}

/** Tax share of a tax-inclusive amount from inclusive tax rates (p% → p / (100 + p)). */
export function inclusiveTaxShare(taxRates: unknown): number {
  if (!Array.isArray(taxRates)) return 0;
  let pct = 0;
  for (const t of taxRates) {
    const o = obj(t);
    if (o && o.inclusive === true) pct += num(o.effective_percentage) ?? num(o.percentage) ?? 0;
  }
  return pct > 0 ? pct / (100 + pct) : 0;
}

/**
 * Tax share of the subscription's latest invoice for prices with `tax_behavior: inclusive`
 * under Stripe Tax (no tax rate objects to read): inclusive tax amounts / total.
 * Current shape: `total_taxes[]` with `tax_behavior`; older: `total_tax_amounts[]` with `inclusive`.
 */
export function invoiceInclusiveTaxShare(invoice: O): number {
  const total = num(invoice.total);
  if (!total || total <= 0) return 0;
  let tax = 0;
  for (const t of Array.isArray(invoice.total_taxes) ? invoice.total_taxes : []) {
    const o = obj(t);
    if (o?.tax_behavior === 'inclusive') tax += num(o.amount) ?? 0;
  }
  for (const t of Array.isArray(invoice.total_tax_amounts) ? invoice.total_tax_amounts : []) {
    const o = obj(t);
    if (o?.inclusive === true) tax += num(o.amount) ?? 0;
  }
  return Math.min(1, Math.max(0, tax / total));
}

export interface ItemInput {
  id: string;
  quantity: number;
  priceRaw: O;
  priceCols: PriceColumns;
}

/** The subscription's items as MRR inputs: typed rows, enriched by the raw subscription item. */
export function readItems(sub: O, rows: ItemInput[], coupons: (id: string) => CouponRow | undefined, invoiceTaxShare: number): { item: ItemForMrr; row: ItemInput }[] {
  const rawItems = new Map<string, O>();
  for (const it of (obj(sub.items)?.data as unknown[] | undefined) ?? []) {
    const o = obj(it);
    if (o && typeof o.id === 'string') rawItems.set(o.id, o);
  }
  const defaultRates = sub.default_tax_rates;
  const out: { item: ItemForMrr; row: ItemInput }[] = [];
  for (const row of rows) {
    const rawItem = rawItems.get(row.id) ?? {};
    // Prefer the synced price (it carries `tiers`, which Stripe returns only when expanded on prices).
    const embedded = obj(rawItem.price) ?? {};
    const priceRaw = Object.keys(row.priceRaw).length ? { ...embedded, ...row.priceRaw } : embedded;
    const price = readPrice(priceRaw, row.priceCols);
    if (!price) continue;
    const rates = Array.isArray(rawItem.tax_rates) && rawItem.tax_rates.length ? rawItem.tax_rates : defaultRates;
    let taxShare = inclusiveTaxShare(rates);
    if (taxShare === 0 && priceRaw.tax_behavior === 'inclusive') taxShare = invoiceTaxShare;
    out.push({ row, item: { price, quantity: row.quantity, discounts: readDiscounts(rawItem.discounts, coupons), inclusiveTaxShare: taxShare } });
  }
  return out;
}

export interface CardExpiry {
  expMonth: number;
  expYear: number;
}

/** Expiry of an expanded payment method (`card.exp_*`), card source (`exp_*`) or source (`card.exp_*`). */
export function cardExpiryOf(v: unknown): CardExpiry | null {
  const o = obj(v);
  if (!o) return null;
  const card = obj(o.card) ?? (o.object === 'card' ? o : null);
  const m = num(card?.exp_month);
  const y = num(card?.exp_year);
  return m && y ? { expMonth: m, expYear: y } : null;
}

/** A subscription's `pause_collection` ({ behavior, resumes_at } or null). */
export function readPauseCollection(sub: O): { behavior: string; resumesAt: number | null } | null {
  const p = obj(sub.pause_collection);
  if (!p) return null;
  return { behavior: str(p.behavior) ?? 'void', resumesAt: num(p.resumes_at) };
}
