import type { Sqlite } from '../db/sqlite';
import { keepExpanded, needsExpanded } from './expanded';

/**
 * Stripe object → row writers, one per table: typed columns plus the raw JSON.
 * Each write marks the affected customer dirty so its facts are recomputed.
 */
type O = Record<string, unknown>;
const s = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as O).id === 'string' ? ((v as O).id as string) : null);
const n = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const b = (v: unknown): number => (v ? 1 : 0);

export const RESOURCES = ['products', 'prices', 'coupons', 'customers', 'subscriptions', 'invoices', 'payment_intents', 'charges', 'payment_methods', 'refunds'] as const;
/**
 * Listed during the backfill. Stripe lists payment methods per customer only,
 * so cards arrive expanded on each customer (their default payment method)
 * and through payment_method.* events instead of one request per customer.
 */
export const BACKFILLED = RESOURCES.filter((r) => r !== 'payment_methods');
export type Resource = (typeof RESOURCES)[number];

export function createWriters(db: Sqlite) {
  const dirty = db.prepare('INSERT OR IGNORE INTO dirty_customers (customer_id) VALUES (?)');
  const mark = (id: string | null) => id && dirty.run(id);
  const st = {
    customers: db.prepare(`INSERT OR REPLACE INTO customers (id, email, name, created, currency, default_payment_method, metadata, deleted, raw) VALUES (?,?,?,?,?,?,?,?,?)`),
    products: db.prepare(`INSERT OR REPLACE INTO products (id, name, active, raw) VALUES (?,?,?,?)`),
    prices: db.prepare(`INSERT OR REPLACE INTO prices (id, product_id, currency, unit_amount, recurring_interval, recurring_interval_count, active, raw) VALUES (?,?,?,?,?,?,?,?)`),
    coupons: db.prepare(`INSERT OR REPLACE INTO coupons (id, name, percent_off, amount_off, currency, duration, duration_in_months, valid, raw) VALUES (?,?,?,?,?,?,?,?,?)`),
    subscriptions: db.prepare(`INSERT OR REPLACE INTO subscriptions (id, customer_id, status, currency, created, start_date, trial_end, canceled_at, ended_at, coupon_id, discount_end, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`),
    itemsDelete: db.prepare(`DELETE FROM subscription_items WHERE subscription_id = ?`),
    items: db.prepare(`INSERT OR REPLACE INTO subscription_items (id, subscription_id, price_id, quantity) VALUES (?,?,?,?)`),
    pricesIgnore: db.prepare(`INSERT OR IGNORE INTO prices (id, product_id, currency, unit_amount, recurring_interval, recurring_interval_count, active, raw) VALUES (?,?,?,?,?,?,?,?)`),
    invoices: db.prepare(`INSERT OR REPLACE INTO invoices (id, customer_id, subscription_id, status, currency, amount_due, amount_paid, amount_remaining, attempt_count, next_payment_attempt, due_date, created, paid_at, hosted_invoice_url, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
    payment_intents: db.prepare(`INSERT OR REPLACE INTO payment_intents (id, customer_id, invoice_id, status, amount, currency, last_error_code, last_decline_code, created, raw) VALUES (?,?,?,?,?,?,?,?,?,?)`),
    charges: db.prepare(`INSERT OR REPLACE INTO charges (id, customer_id, invoice_id, payment_intent_id, amount, amount_refunded, currency, status, paid, failure_code, decline_code, outcome_type, card_exp_month, card_exp_year, created, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
    piDecline: db.prepare(`SELECT last_decline_code FROM payment_intents WHERE id = ?`),
    payment_methods: db.prepare(`INSERT OR REPLACE INTO payment_methods (id, customer_id, type, card_brand, card_last4, exp_month, exp_year, created, raw) VALUES (?,?,?,?,?,?,?,?,?)`),
    refunds: db.prepare(`INSERT OR REPLACE INTO refunds (id, charge_id, amount, currency, status, created, raw) VALUES (?,?,?,?,?,?,?)`),
    chargeCustomer: db.prepare(`SELECT customer_id FROM charges WHERE id = ?`),
  };
  // Keep expanded discounts, cards and tiers when an event or retrieve brings ids (./expanded.ts).
  const rawOf = { prices: db.prepare('SELECT raw FROM prices WHERE id = ?').pluck(), subscriptions: db.prepare('SELECT raw FROM subscriptions WHERE id = ?').pluck(), customers: db.prepare('SELECT raw FROM customers WHERE id = ?').pluck() };
  const fill = (resource: keyof typeof rawOf, o: O): O => (needsExpanded(resource, o) ? keepExpanded(resource, rawOf[resource].get(o.id) as string | undefined, o) : o);
  const price = (p: O, ignore = false) => {
    const rec = (p.recurring ?? null) as O | null;
    (ignore ? st.pricesIgnore : st.prices).run(p.id, s(p.product), p.currency, n(p.unit_amount), rec ? (rec.interval as string) : null, rec ? n(rec.interval_count) : null, b(p.active), JSON.stringify(p));
  };
  const writers: Record<Resource, (o: O) => void> = {
    customers: (given) => {
      const o = fill('customers', given);
      const settings = (o.invoice_settings ?? {}) as O;
      const pm = settings.default_payment_method;
      if (pm && typeof pm === 'object') writers.payment_methods({ customer: o.id, ...(pm as O) });
      st.customers.run(o.id, s(o.email), s(o.name), n(o.created) ?? 0, s(o.currency), s(settings.default_payment_method) ?? s(o.default_source), JSON.stringify(o.metadata ?? {}), b(o.deleted), JSON.stringify(o));
      mark(o.id as string);
    },
    products: (o) => st.products.run(o.id, String(o.name ?? ''), b(o.active), JSON.stringify(o)),
    prices: (o) => price(fill('prices', o)),
    coupons: (o) => st.coupons.run(o.id, s(o.name), n(o.percent_off), n(o.amount_off), s(o.currency), String(o.duration ?? 'once'), n(o.duration_in_months), b(o.valid), JSON.stringify(o)),
    subscriptions: (given) => {
      const o = fill('subscriptions', given);
      const discount = (o.discount ?? null) as O | null;
      const coupon = discount ? ((discount.coupon ?? null) as O | null) : null;
      if (coupon) writers.coupons(coupon);
      st.subscriptions.run(o.id, s(o.customer), o.status, o.currency, n(o.created) ?? 0, n(o.start_date), n(o.trial_end), n(o.canceled_at), n(o.ended_at), coupon ? coupon.id : null, discount ? n(discount.end) : null, JSON.stringify(o));
      st.itemsDelete.run(o.id);
      for (const it of (((o.items ?? {}) as O).data ?? []) as O[]) {
        const p = (it.price ?? {}) as O;
        if (p.id) price(p, true);
        st.items.run(it.id, o.id, s(it.price), n(it.quantity) ?? 1);
      }
      mark(s(o.customer));
    },
    invoices: (o) => {
      const tr = (o.status_transitions ?? {}) as O;
      st.invoices.run(o.id, s(o.customer), s(o.subscription), o.status, o.currency, n(o.amount_due) ?? 0, n(o.amount_paid) ?? 0, n(o.amount_remaining) ?? 0, n(o.attempt_count) ?? 0, n(o.next_payment_attempt), n(o.due_date), n(o.created) ?? 0, n(tr.paid_at), s(o.hosted_invoice_url), JSON.stringify(o));
      mark(s(o.customer));
    },
    payment_intents: (o) => {
      const err = (o.last_payment_error ?? null) as O | null;
      st.payment_intents.run(o.id, s(o.customer), s(o.invoice), o.status, n(o.amount) ?? 0, o.currency, err ? s(err.code) : null, err ? s(err.decline_code) : null, n(o.created) ?? 0, JSON.stringify(o));
      mark(s(o.customer));
    },
    charges: (o) => {
      const outcome = (o.outcome ?? {}) as O;
      const card = (((o.payment_method_details ?? {}) as O).card ?? {}) as O;
      const pi = s(o.payment_intent);
      const piCode = pi ? ((st.piDecline.get(pi) as { last_decline_code: string | null } | undefined)?.last_decline_code ?? null) : null;
      const failed = o.status === 'failed';
      const decline = failed ? (outcome.type === 'issuer_declined' ? s(outcome.reason) : null) ?? piCode ?? s(o.failure_code) : null;
      st.charges.run(o.id, s(o.customer), s(o.invoice), pi, n(o.amount) ?? 0, n(o.amount_refunded) ?? 0, o.currency, o.status, b(o.paid), s(o.failure_code), decline, s(outcome.type), n(card.exp_month), n(card.exp_year), n(o.created) ?? 0, JSON.stringify(o));
      mark(s(o.customer));
    },
    payment_methods: (o) => {
      const card = (o.card ?? {}) as O;
      st.payment_methods.run(o.id, s(o.customer), String(o.type ?? 'card'), s(card.brand), s(card.last4), n(card.exp_month), n(card.exp_year), n(o.created) ?? 0, JSON.stringify(o));
      mark(s(o.customer));
    },
    refunds: (o) => {
      st.refunds.run(o.id, s(o.charge), n(o.amount) ?? 0, o.currency, String(o.status ?? 'succeeded'), n(o.created) ?? 0, JSON.stringify(o));
      const ch = s(o.charge);
      if (ch) mark((st.chargeCustomer.get(ch) as { customer_id: string | null } | undefined)?.customer_id ?? null);
    },
  };
  return writers;
}

/** Which writer handles the object inside an event (by its `object` field). */
export function resourceOf(obj: O): Resource | null {
  const map: Record<string, Resource> = {
    customer: 'customers', product: 'products', price: 'prices', coupon: 'coupons', subscription: 'subscriptions', invoice: 'invoices',
    payment_intent: 'payment_intents', charge: 'charges', payment_method: 'payment_methods', refund: 'refunds',
  };
  return map[String(obj.object)] ?? null;
}
