import type { Sqlite } from '../db/sqlite';
import { convertMinorExact } from '../../../shared/money';
import { chargeDeclineSql, isHardDecline } from './declines';
import { subscriptionMrrExact, type MrrOptions } from './mrr';
import { readMrrOptions } from './settings';
import { customerPlace } from './customer-place';
import { cardExpiryOf, idOf, invoiceInclusiveTaxShare, parseJson, readDiscount, readItems, readPauseCollection, subscriptionDiscounts, type CardExpiry, type CouponRow, type ItemInput } from './stripe-read';

/**
 * Derives customer_facts from the synced Stripe tables, for all customers, the
 * ones marked dirty by the sync (cleared in the same transaction), or a list.
 * Money is converted into the workspace reporting currency with fx_rates
 * (defaults below when the table is empty). Returns the customers recomputed
 * (`updated`) and the rows that were inserted or changed (`written`).
 */
/** Major units of each currency per 1 USD (used only while fx_rates is empty). */
const DEFAULT_PER_USD: Record<string, number> = {
  usd: 1, eur: 0.92, gbp: 0.79, cad: 1.36, aud: 1.52, jpy: 150, chf: 0.88, sek: 10.5, krw: 1350, vnd: 25_000, clp: 930,
  kwd: 0.307, bhd: 0.376, jod: 0.709, omr: 0.385, tnd: 3.1,
};
const RESERVED = new Set(['region', 'industry', 'account_manager', 'tags']);
const STATUS_RANK = ['active', 'past_due', 'unpaid', 'trialing', 'incomplete', 'paused', 'incomplete_expired', 'canceled'];
const DAY = 86_400;
const BATCH = 500;

/** The customer_facts columns recomputeFacts writes (the key first). */
const FACT_COLUMNS = [
  'customer_id', 'email', 'name', 'currency', 'plan', 'product_id', 'billing_interval', 'subscription_status', 'mrr', 'tenure_days', 'ltv',
  'failures_12m', 'failed_invoices_12m', 'last_decline_code', 'last_decline_hard', 'last_advice_code', 'card_expiry', 'card_expires_in_days',
  'open_past_due_count', 'amount_at_risk', 'days_since_first_failure', 'region', 'industry', 'account_manager', 'tags', 'country', 'state',
  'preferred_locales', 'tax_exempt', 'attrs', 'created',
] as const;

/**
 * One customer's facts, written only when something changed (#22): an unchanged row is not
 * touched, so its triggers do not fire — the customer is not marked for a membership
 * recompute and its name and email are not re-indexed for search (migration 22). A row is
 * rewritten for a new UTC day even when no value changed, so `computed_at` keeps telling
 * which day the row is exact for (facts/freshness.ts); within a day it keeps the time of
 * the first recompute that wrote it.
 * Never INSERT OR REPLACE: its implicit delete fires no trigger (migration 22).
 */
export const FACTS_UPSERT = `INSERT INTO customer_facts (${FACT_COLUMNS.join(', ')}, computed_at)
  VALUES (${FACT_COLUMNS.map((c) => `@${c}`).join(', ')}, @computed_at)
  ON CONFLICT (customer_id) DO UPDATE SET ${[...FACT_COLUMNS.slice(1), 'computed_at'].map((c) => `${c} = excluded.${c}`).join(', ')}
  WHERE ${FACT_COLUMNS.slice(1).map((c) => `${c} IS NOT excluded.${c}`).join(' OR ')} OR CAST(computed_at / ${DAY} AS INTEGER) != CAST(excluded.computed_at / ${DAY} AS INTEGER)`;

interface SubRow {
  id: string;
  customer_id: string;
  status: string;
  currency: string;
  start_date: number | null;
  created: number;
  trial_end: number | null;
  discount_end: number | null;
  percent_off: number | null;
  amount_off: number | null;
  coupon_currency: string | null;
  coupon_duration: string | null;
  latest_invoice_raw: string | null;
  raw: string;
}
interface ItemRow {
  id: string;
  subscription_id: string;
  price_raw: string | null;
  quantity: number;
  unit_amount: number | null;
  recurring_interval: string | null;
  recurring_interval_count: number | null;
  product_id: string | null;
  product_name: string | null;
}

/**
 * Minor units of `currency` → exact minor units of the reporting currency. Rates are per
 * major unit; each side uses its own minor-unit exponent (JPY 0, USD 2, KWD 3), so
 * ¥15,000 (amount 15000) at 150 JPY per USD is $100.00 (10000), not $1.00.
 */
export function converter(db: Sqlite, reporting: string): (amount: number, currency: string | null) => number {
  const rows = db.prepare('SELECT currency, per_unit_of_reporting AS r FROM fx_rates').all() as { currency: string; r: number }[];
  if (rows.length > 0) {
    const rate = new Map(rows.map((x) => [x.currency.toLowerCase(), x.r]));
    // A currency missing from the table falls back to the default cross rate (else 1).
    const fallback = (c: string) => (DEFAULT_PER_USD[c] !== undefined && DEFAULT_PER_USD[reporting] !== undefined ? DEFAULT_PER_USD[c]! / DEFAULT_PER_USD[reporting]! : 1);
    const per = (c: string) => (c.toLowerCase() === reporting ? 1 : (rate.get(c.toLowerCase()) ?? fallback(c.toLowerCase())));
    return (amount, currency) => convertMinorExact(amount, currency ?? reporting, reporting, per);
  }
  const perUsd = (c: string) => DEFAULT_PER_USD[c.toLowerCase()] ?? 1;
  return (amount, currency) => convertMinorExact(amount, currency ?? reporting, reporting, perUsd);
}

export function recomputeFacts(
  db: Sqlite,
  opts: { now: number; reportingCurrency: string; customerIds?: string[] | 'dirty' | 'all'; mrr?: MrrOptions },
): { updated: number; written: number } {
  const { now } = opts;
  const target = opts.customerIds ?? 'all';
  const exact = converter(db, opts.reportingCurrency.toLowerCase());
  const toReporting = (amount: number, currency: string | null) => Math.round(exact(amount, currency));
  const mrrOptions = opts.mrr ?? readMrrOptions(db);
  const q = {
    customers: db.prepare(`SELECT id, email, name, created, currency, default_payment_method, metadata, deleted, raw FROM customers WHERE id IN (SELECT value FROM json_each(?))`),
    subs: db.prepare(`SELECT s.id, s.customer_id, s.status, s.currency, s.start_date, s.created, s.trial_end, s.discount_end,
        c.percent_off, c.amount_off, c.currency AS coupon_currency, c.duration AS coupon_duration, s.raw,
        (SELECT li.raw FROM invoices li WHERE li.id = json_extract(s.raw, '$.latest_invoice')) AS latest_invoice_raw
      FROM subscriptions s LEFT JOIN coupons c ON c.id = s.coupon_id WHERE s.customer_id IN (SELECT value FROM json_each(?))`),
    items: db.prepare(`SELECT i.id, i.subscription_id, i.quantity, p.raw AS price_raw, p.unit_amount, p.recurring_interval, p.recurring_interval_count, p.product_id, pr.name AS product_name
      FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
      LEFT JOIN prices p ON p.id = i.price_id LEFT JOIN products pr ON pr.id = p.product_id
      WHERE s.customer_id IN (SELECT value FROM json_each(?))`),
    // `+status`: looked up by customer (invoices_customer), not by status — invoices_open would read every paid invoice of the workspace for each batch (#22: 3.3 s of a 10k-customer demo's facts).
    paid: db.prepare(`SELECT customer_id, currency, sum(amount_paid) AS paid FROM invoices WHERE +status = 'paid' AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id, currency`),
    refunded: db.prepare(`SELECT customer_id, currency, sum(amount_refunded) AS refunded FROM charges WHERE amount_refunded > 0 AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id, currency`),
    // failures_12m counts every failed attempt (Stripe's own retries of one invoice too);
    // failed_invoices_12m counts failure episodes: distinct invoices with a failed payment
    // (a failed charge outside any invoice is an episode of its own). #17 item 14.
    failures: db.prepare(`SELECT customer_id, count(*) AS n, count(DISTINCT coalesce(invoice_id, 'charge:' || id)) AS episodes
      FROM charges WHERE status = 'failed' AND created >= ? AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id`),
    // SQLite takes the bare columns from the row of max(created): the newest failure's code.
    lastFailure: db.prepare(`SELECT c.customer_id, ${chargeDeclineSql('c', 'p')} AS code, c.advice_code, max(c.created) AS at
      FROM charges c LEFT JOIN payment_intents p ON p.id = c.payment_intent_id
      WHERE c.status = 'failed' AND c.customer_id IN (SELECT value FROM json_each(?)) GROUP BY c.customer_id`),
    pastDue: db.prepare(`SELECT customer_id, currency, count(*) AS n, sum(amount_remaining) AS remaining, min(created) AS first_created
      FROM invoices WHERE status = 'open' AND (attempt_count > 0 OR (due_date IS NOT NULL AND due_date < ?)) AND customer_id IN (SELECT value FROM json_each(?))
      GROUP BY customer_id, currency`),
    firstFailureOpen: db.prepare(`SELECT i.customer_id, min(c.created) AS first FROM invoices i JOIN charges c ON c.invoice_id = i.id AND c.status = 'failed'
      WHERE i.status = 'open' AND i.customer_id IN (SELECT value FROM json_each(?)) GROUP BY i.customer_id`),
    cards: db.prepare(`SELECT id, customer_id, exp_month, exp_year, created FROM payment_methods WHERE type = 'card' AND customer_id IN (SELECT value FROM json_each(?)) ORDER BY created DESC`),
    pmOwner: db.prepare(`SELECT customer_id FROM payment_methods WHERE id = ?`),
    csv: db.prepare(`SELECT customer_id, key, value_text, value_num FROM custom_attributes WHERE customer_id IN (SELECT value FROM json_each(?))`),
    upsert: db.prepare(FACTS_UPSERT),
    remove: db.prepare(`DELETE FROM customer_facts WHERE customer_id IN (SELECT value FROM json_each(?))`),
    catalog: db.prepare(`INSERT OR IGNORE INTO attribute_catalog (key, type, source, label) VALUES (?, 'string', 'metadata', ?)`),
    coupon: db.prepare(`SELECT id, percent_off, amount_off, currency, duration FROM coupons WHERE id = ?`),
  };
  // Metadata keys already put in the attribute catalog by this recompute (one INSERT per key, not per customer and key).
  const cataloged = new Set<string>();
  const couponCache = new Map<string, CouponRow | undefined>();
  const coupons = (id: string): CouponRow | undefined => {
    if (!couponCache.has(id)) couponCache.set(id, q.coupon.get(id) as CouponRow | undefined);
    return couponCache.get(id);
  };

  const group = <T extends { customer_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.customer_id);
      if (list) list.push(r);
      else m.set(r.customer_id, [r]);
    }
    return m;
  };

  /** Rows inserted or changed (an unchanged customer's row is left alone). */
  let written = 0;
  const processBatch = (ids: string[]): number => {
    const json = JSON.stringify(ids);
    const customers = q.customers.all(json) as { id: string; email: string | null; name: string | null; created: number; currency: string | null; default_payment_method: string | null; metadata: string; deleted: number; raw: string }[];
    const subs = group(q.subs.all(json) as SubRow[]);
    const itemsBySub = new Map<string, ItemRow[]>();
    for (const it of q.items.all(json) as ItemRow[]) {
      const l = itemsBySub.get(it.subscription_id);
      if (l) l.push(it);
      else itemsBySub.set(it.subscription_id, [it]);
    }
    const paid = group(q.paid.all(json) as { customer_id: string; currency: string; paid: number }[]);
    const refunded = group(q.refunded.all(json) as { customer_id: string; currency: string; refunded: number }[]);
    const failures = new Map((q.failures.all(now - 365 * DAY, json) as { customer_id: string; n: number; episodes: number }[]).map((r) => [r.customer_id, r]));
    const lastFailure = new Map((q.lastFailure.all(json) as { customer_id: string; code: string | null; advice_code: string | null }[]).map((r) => [r.customer_id, r]));
    const pastDue = group(q.pastDue.all(now, json) as { customer_id: string; currency: string; n: number; remaining: number }[]);
    const firstFailure = new Map((q.firstFailureOpen.all(json) as { customer_id: string; first: number }[]).map((r) => [r.customer_id, r.first]));
    const cards = group(q.cards.all(json) as { id: string; customer_id: string; exp_month: number | null; exp_year: number | null }[]);
    const csv = group(q.csv.all(json) as { customer_id: string; key: string; value_text: string | null; value_num: number | null }[]);

    const gone = customers.filter((c) => c.deleted).map((c) => c.id);
    if (gone.length) q.remove.run(JSON.stringify(gone));
    let n = 0;
    for (const c of customers) {
      if (c.deleted) continue;
      let mrrExact = 0;
      let best: { mrr: number; plan: string | null; product: string | null; interval: string | null; sub: Record<string, unknown> } | null = null;
      let status = 'none';
      let start = c.created;
      const customerRaw = parseJson(c.raw);
      // A customer-level discount applies to subscriptions without discounts of their own
      // (https://docs.stripe.com/api/subscriptions/create#create_subscription-discounts: "If not
      // specified or empty, inherits the discount from the subscription's customer").
      const customerDiscount = readDiscount(customerRaw.discount, coupons);
      for (const s of subs.get(c.id) ?? []) {
        const raw = parseJson(s.raw);
        const rows = itemsBySub.get(s.id) ?? [];
        const read = readItems(
          raw,
          rows.map((i): ItemInput & { src: ItemRow } => ({ id: i.id, quantity: i.quantity, priceRaw: parseJson(i.price_raw), priceCols: i, src: i })),
          coupons,
          invoiceInclusiveTaxShare(parseJson(s.latest_invoice_raw)),
        );
        const own = subscriptionDiscounts(raw, coupons);
        const discounts = own.found
          ? own.discounts
          : s.percent_off !== null || s.amount_off !== null
            ? [{ percentOff: s.percent_off, amountOff: s.amount_off, currency: s.coupon_currency, duration: (s.coupon_duration ?? 'forever') as 'forever', end: s.discount_end }]
            : customerDiscount
              ? [customerDiscount]
              : [];
        const subMrr = subscriptionMrrExact({ status: s.status, currency: s.currency, trialEnd: s.trial_end, items: read.map((x) => x.item), discounts, pauseCollection: readPauseCollection(raw) }, now, mrrOptions);
        const converted = exact(subMrr, s.currency);
        mrrExact += converted;
        if (STATUS_RANK.indexOf(s.status) !== -1 && (status === 'none' || STATUS_RANK.indexOf(s.status) < STATUS_RANK.indexOf(status))) status = s.status;
        start = Math.min(start, s.start_date ?? s.created);
        const first = (read[0]?.row as (ItemInput & { src: ItemRow }) | undefined)?.src;
        if (s.status !== 'canceled' && s.status !== 'incomplete_expired' && first && (!best || converted > best.mrr)) {
          best = { mrr: converted, plan: first.product_name, product: first.product_id, interval: first.recurring_interval, sub: raw };
        }
      }
      const mrr = Math.round(mrrExact);
      const ltv =
        (paid.get(c.id) ?? []).reduce((a, r) => a + toReporting(r.paid, r.currency), 0) -
        (refunded.get(c.id) ?? []).reduce((a, r) => a + toReporting(r.refunded, r.currency), 0);
      const due = pastDue.get(c.id) ?? [];
      const failure = lastFailure.get(c.id);
      const code = failure?.code ?? null;
      const card = chargedCard(best?.sub ?? null, c.default_payment_method, customerRaw, cards.get(c.id) ?? [], (pm) => {
        const row = q.pmOwner.get(pm) as { customer_id: string | null } | undefined;
        return row !== undefined && row.customer_id !== c.id;
      });
      const expiry = card ? `${card.expYear}-${String(card.expMonth).padStart(2, '0')}` : null;
      // A card is valid through the last day of its expiry month.
      const expiresIn = card ? Math.floor((Date.UTC(card.expYear, card.expMonth, 1) / 1000 - now) / DAY) : null;
      let metadata: Record<string, unknown> = {};
      try {
        metadata = JSON.parse(c.metadata) as Record<string, unknown>;
      } catch {
        metadata = {};
      }
      // No prototype: a key such as __proto__ or constructor is an own property like any other.
      const attrs = Object.create(null) as Record<string, string | number | boolean | null>;
      for (const [k, v] of Object.entries(metadata)) {
        if (RESERVED.has(k)) continue;
        attrs[k] = typeof v === 'string' ? v : JSON.stringify(v);
        if (!cataloged.has(k)) {
          q.catalog.run(k, k);
          cataloged.add(k);
        }
      }
      for (const a of csv.get(c.id) ?? []) attrs[a.key] = a.value_num ?? a.value_text;
      const tags = [...new Set(String(metadata.tags ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))];
      const first = firstFailure.get(c.id);
      written += q.upsert.run({
        customer_id: c.id,
        email: c.email,
        name: c.name,
        currency: c.currency ?? subs.get(c.id)?.[0]?.currency ?? null,
        plan: best?.plan ?? null,
        product_id: best?.product ?? null,
        billing_interval: best?.interval ?? null,
        subscription_status: status,
        mrr,
        tenure_days: Math.max(0, Math.floor((now - start) / DAY)),
        ltv: Math.max(0, ltv),
        failures_12m: failures.get(c.id)?.n ?? 0,
        failed_invoices_12m: failures.get(c.id)?.episodes ?? 0,
        last_decline_code: code,
        last_decline_hard: code === null ? null : isHardDecline(code, failure?.advice_code ?? null) ? 1 : 0,
        last_advice_code: failure?.advice_code ?? null,
        card_expiry: expiry,
        card_expires_in_days: expiresIn,
        open_past_due_count: due.reduce((a, r) => a + r.n, 0),
        amount_at_risk: due.reduce((a, r) => a + toReporting(r.remaining, r.currency), 0),
        days_since_first_failure: due.length && first !== undefined ? Math.max(0, Math.floor((now - first) / DAY)) : null,
        region: typeof metadata.region === 'string' ? metadata.region : null,
        industry: typeof metadata.industry === 'string' ? metadata.industry : null,
        account_manager: typeof metadata.account_manager === 'string' ? metadata.account_manager : null,
        tags: JSON.stringify(tags),
        ...customerPlace(customerRaw),
        attrs: JSON.stringify(attrs),
        created: c.created,
        computed_at: now,
      }).changes;
      n++;
    }
    return n;
  };

  const ids: string[] =
    target === 'all'
      ? (db.prepare('SELECT id FROM customers').pluck().all() as string[])
      : target === 'dirty'
        ? (db.prepare('SELECT customer_id FROM dirty_customers').pluck().all() as string[])
        : target;
  let updated = 0;
  const clearDirty = db.prepare('DELETE FROM dirty_customers WHERE customer_id IN (SELECT value FROM json_each(?))');
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    updated += db.transaction(() => {
      const n = processBatch(batch);
      if (target === 'dirty') clearDirty.run(JSON.stringify(batch));
      return n;
    })();
  }
  return { updated, written };
}

/**
 * The card an invoice payment would use, in Stripe's order: the subscription's
 * `default_payment_method`, then the customer's `invoice_settings.default_payment_method`,
 * then the customer's `default_source` (https://docs.stripe.com/api/subscriptions/object#subscription_object-default_payment_method:
 * "takes precedence over default_source. If neither are set, invoices will use the
 * customer's invoice_settings.default_payment_method or default_source").
 * Each may be expanded (read directly) or an id of a synced payment method; when none
 * resolves, the customer's newest card is shown. A synced row wins over an expanded copy:
 * a payment method synced as detached (payment_method.detached sets `customer` to null) or
 * attached to someone else cannot be charged, even if a stored subscription still carries it.
 */
function chargedCard(
  sub: Record<string, unknown> | null,
  customerDefaultPm: string | null,
  customer: Record<string, unknown>,
  cards: { id: string; exp_month: number | null; exp_year: number | null }[],
  notTheirs: (id: string) => boolean,
): CardExpiry | null {
  const fromList = (id: string | null): CardExpiry | null => {
    const c = id ? cards.find((p) => p.id === id) : undefined;
    return c?.exp_month && c.exp_year ? { expMonth: c.exp_month, expYear: c.exp_year } : null;
  };
  // The synced payment method row first (payment_method.* events keep it current), then the expanded copy.
  const resolve = (v: unknown): CardExpiry | null => {
    const id = idOf(v);
    return fromList(id) ?? (id && notTheirs(id) ? null : cardExpiryOf(v));
  };
  const settings = (customer.invoice_settings ?? {}) as Record<string, unknown>;
  const newest = cards.find((p) => p.exp_month && p.exp_year);
  return (
    (sub ? resolve(sub.default_payment_method) ?? resolve(sub.default_source) : null) ??
    resolve(settings.default_payment_method) ??
    fromList(customerDefaultPm) ??
    resolve(customer.default_source) ??
    (newest ? { expMonth: newest.exp_month!, expYear: newest.exp_year! } : null)
  );
}
