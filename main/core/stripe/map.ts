import type Stripe from 'stripe';
import type { Sqlite } from '../db/sqlite';
import { keepExpanded, needsExpanded } from './expanded';
import { storedRaw } from './raw';

/**
 * Stripe object → row writers, one per object type, over the SDK's own types
 * for the pinned API version (2026-10-28.endive): a field Stripe removes fails
 * compilation here. Typed columns plus the raw JSON; each write marks the
 * affected customer dirty so its facts are recomputed.
 *
 * Where the pinned version moved things (https://docs.stripe.com/changelog/basil):
 * - invoice → subscription: `invoice.parent.subscription_details.subscription`;
 * - invoice ↔ payment: invoice payments (`/v1/invoice_payments`), since
 *   `invoice.payment_intent`, `charge.invoice` and `payment_intent.invoice` are gone;
 * - subscription discounts: `discounts[]` of discount objects (ids unless expanded),
 *   the coupon under `discount.source.coupon`;
 * - `current_period_*`: on subscription items.
 */
const id = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === 'string' ? v : v.id);
const b = (v: unknown): number => (v ? 1 : 0);

export const RESOURCES = ['products', 'prices', 'coupons', 'customers', 'subscriptions', 'invoices', 'invoice_payments', 'payment_intents', 'charges', 'payment_methods', 'refunds'] as const;
/**
 * Listed during the backfill. Stripe lists payment methods per customer only,
 * so cards arrive expanded on each customer (their default payment method)
 * and through payment_method.* events instead of one request per customer.
 */
export const BACKFILLED = RESOURCES.filter((r) => r !== 'payment_methods');
export type Resource = (typeof RESOURCES)[number];

/** Every object a writer accepts, by its `object` field. */
export type Writable =
  | Stripe.Customer
  | Stripe.DeletedCustomer
  | Stripe.Product
  | Stripe.DeletedProduct
  | Stripe.Price
  | Stripe.DeletedPrice
  | Stripe.Coupon
  | Stripe.DeletedCoupon
  | Stripe.Subscription
  | Stripe.Invoice
  | Stripe.DeletedInvoice
  | Stripe.InvoicePayment
  | Stripe.PaymentIntent
  | Stripe.Charge
  | Stripe.PaymentMethod
  | Stripe.Refund
  | Stripe.Discount
  | Stripe.DeletedDiscount
  | Stripe.Card
  | Stripe.DeletedCard;

/** What a write did: written, or skipped with a reason (never an exception for a missing id). */
export type WriteResult = { written: true } | { written: false; reason: string };
const ok: WriteResult = { written: true };
const skip = (reason: string): WriteResult => ({ written: false, reason });

export function createWriters(db: Sqlite) {
  const dirty = db.prepare('INSERT OR IGNORE INTO dirty_customers (customer_id) VALUES (?)');
  const mark = (cid: string | null) => cid && dirty.run(cid);
  const st = {
    customers: db.prepare(`INSERT OR REPLACE INTO customers (id, email, name, created, currency, default_payment_method, metadata, deleted, raw) VALUES (?,?,?,?,?,?,?,?,?)`),
    customerDeleted: db.prepare(`UPDATE customers SET deleted = 1 WHERE id = ?`),
    customerDeletedInsert: db.prepare(`INSERT OR IGNORE INTO customers (id, created, deleted, raw) VALUES (?, 0, 1, ?)`),
    products: db.prepare(`INSERT OR REPLACE INTO products (id, name, active, raw) VALUES (?,?,?,?)`),
    productDeleted: db.prepare(`UPDATE products SET active = 0 WHERE id = ?`),
    prices: db.prepare(`INSERT OR REPLACE INTO prices (id, product_id, currency, unit_amount, recurring_interval, recurring_interval_count, active, raw) VALUES (?,?,?,?,?,?,?,?)`),
    priceDeleted: db.prepare(`UPDATE prices SET active = 0 WHERE id = ?`),
    pricesIgnore: db.prepare(`INSERT OR IGNORE INTO prices (id, product_id, currency, unit_amount, recurring_interval, recurring_interval_count, active, raw) VALUES (?,?,?,?,?,?,?,?)`),
    coupons: db.prepare(`INSERT OR REPLACE INTO coupons (id, name, percent_off, amount_off, currency, duration, duration_in_months, valid, raw) VALUES (?,?,?,?,?,?,?,?,?)`),
    couponDeleted: db.prepare(`UPDATE coupons SET valid = 0 WHERE id = ?`),
    subscriptions: db.prepare(`INSERT OR REPLACE INTO subscriptions (id, customer_id, status, currency, created, start_date, trial_end, canceled_at, ended_at, coupon_id, discount_end, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`),
    itemsDelete: db.prepare(`DELETE FROM subscription_items WHERE subscription_id = ?`),
    items: db.prepare(`INSERT OR REPLACE INTO subscription_items (id, subscription_id, price_id, quantity, current_period_start, current_period_end) VALUES (?,?,?,?,?,?)`),
    discounts: db.prepare(`INSERT OR REPLACE INTO discounts (id, customer_id, subscription_id, subscription_item_id, coupon_id, start, "end", raw) VALUES (?,?,?,?,?,?,?,?)`),
    discountGet: db.prepare(`SELECT coupon_id, "end" FROM discounts WHERE id = ?`),
    discountDelete: db.prepare(`DELETE FROM discounts WHERE id = ?`),
    customerDiscountsDelete: db.prepare(`DELETE FROM discounts WHERE customer_id = ? AND subscription_id IS NULL`),
    invoices: db.prepare(`INSERT OR REPLACE INTO invoices (id, customer_id, subscription_id, status, currency, amount_due, amount_paid, amount_remaining, attempt_count, next_payment_attempt, due_date, created, paid_at, hosted_invoice_url, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
    invoiceDelete: db.prepare(`DELETE FROM invoices WHERE id = ? RETURNING customer_id`),
    invoicePayments: db.prepare(`INSERT OR REPLACE INTO invoice_payments (id, invoice_id, payment_intent_id, charge_id, status, amount_paid, amount_requested, currency, is_default, created, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?)`),
    invoiceOfPi: db.prepare(`SELECT invoice_id FROM invoice_payments WHERE payment_intent_id = ? ORDER BY is_default DESC, created DESC LIMIT 1`),
    invoiceOfCharge: db.prepare(`SELECT invoice_id FROM invoice_payments WHERE charge_id = ? ORDER BY is_default DESC, created DESC LIMIT 1`),
    linkCharges: db.prepare(`UPDATE charges SET invoice_id = ? WHERE (payment_intent_id = ? OR id = ?) AND invoice_id IS NOT ? RETURNING customer_id`),
    linkPis: db.prepare(`UPDATE payment_intents SET invoice_id = ? WHERE id = ? AND invoice_id IS NOT ? RETURNING customer_id`),
    payment_intents: db.prepare(`INSERT OR REPLACE INTO payment_intents (id, customer_id, invoice_id, status, amount, currency, last_error_code, last_decline_code, created, raw) VALUES (?,?,?,?,?,?,?,?,?,?)`),
    charges: db.prepare(`INSERT OR REPLACE INTO charges (id, customer_id, invoice_id, payment_intent_id, amount, amount_refunded, currency, status, paid, failure_code, decline_code, outcome_type, card_exp_month, card_exp_year, created, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
    piDecline: db.prepare(`SELECT last_decline_code FROM payment_intents WHERE id = ?`),
    payment_methods: db.prepare(`INSERT OR REPLACE INTO payment_methods (id, customer_id, type, card_brand, card_last4, exp_month, exp_year, created, raw) VALUES (?,?,?,?,?,?,?,?,?)`),
    pmOwner: db.prepare(`SELECT customer_id FROM payment_methods WHERE id = ?`),
    pmDelete: db.prepare(`DELETE FROM payment_methods WHERE id = ? RETURNING customer_id`),
    refunds: db.prepare(`INSERT OR REPLACE INTO refunds (id, charge_id, amount, currency, status, created, raw) VALUES (?,?,?,?,?,?,?)`),
    chargeCustomer: db.prepare(`SELECT customer_id FROM charges WHERE id = ?`),
  };
  // Keep expanded discounts, cards and tiers in the stored raw JSON (which the facts read) when an
  // event or a retrieve brings ids instead (./expanded.ts). Only the raw JSON is filled in: rows
  // written from the object itself (cards, discounts) come from what Stripe sent, so synced rows win.
  const rawOf = {
    prices: db.prepare('SELECT raw FROM prices WHERE id = ?').pluck(),
    subscriptions: db.prepare('SELECT raw FROM subscriptions WHERE id = ?').pluck(),
    customers: db.prepare('SELECT raw FROM customers WHERE id = ?').pluck(),
  };
  // keepExpanded works on loose JSON; it only swaps an id for the stored object with that id, so the type holds.
  const fill = <T extends { id: string }>(resource: keyof typeof rawOf, o: T): T => {
    const loose = o as unknown as Record<string, unknown>;
    return needsExpanded(resource, loose) ? (keepExpanded(resource, rawOf[resource].get(o.id) as string | undefined, loose) as unknown as T) : o;
  };
  const price = (p: Stripe.Price, ignore = false) => {
    const rec = p.recurring;
    (ignore ? st.pricesIgnore : st.prices).run(p.id, id(p.product), p.currency, p.unit_amount, rec ? rec.interval : null, rec ? rec.interval_count : null, b(p.active), storedRaw(p));
  };
  const couponOf = (d: Stripe.Discount): string | null => id(d.source?.coupon ?? null);
  const discount = (d: Stripe.Discount) => {
    const coupon = d.source?.coupon;
    if (coupon && typeof coupon === 'object') writers.coupon(coupon);
    st.discounts.run(d.id, id(d.customer), d.subscription, d.subscription_item, couponOf(d), d.start, d.end, storedRaw(d));
  };
  const invoiceFor = (pi: string | null, charge: string | null): string | null =>
    (pi ? (st.invoiceOfPi.get(pi) as { invoice_id: string } | undefined)?.invoice_id : undefined) ??
    (charge ? (st.invoiceOfCharge.get(charge) as { invoice_id: string } | undefined)?.invoice_id : undefined) ??
    null;

  const writers = {
    customer: (o: Stripe.Customer | Stripe.DeletedCustomer): WriteResult => {
      if (!o.id) return skip('customer without id');
      if ('deleted' in o && o.deleted) {
        // Customers deleted in Stripe are kept and marked deleted.
        st.customerDeleted.run(o.id);
        st.customerDeletedInsert.run(o.id, storedRaw(o));
        mark(o.id);
        return ok;
      }
      const c = o as Stripe.Customer;
      const pm = c.invoice_settings?.default_payment_method;
      if (pm && typeof pm === 'object') writers.payment_method({ ...pm, customer: pm.customer ?? c.id });
      const src = c.default_source;
      if (src && typeof src === 'object' && src.object === 'card') writers.card({ ...src, customer: src.customer ?? c.id });
      st.customerDiscountsDelete.run(c.id);
      if (c.discount) discount(c.discount);
      st.customers.run(c.id, c.email, c.name ?? null, c.created, c.currency ?? null, id(pm ?? null) ?? id(c.default_source), JSON.stringify(c.metadata ?? {}), 0, storedRaw(fill('customers', c)));
      mark(c.id);
      return ok;
    },
    product: (o: Stripe.Product | Stripe.DeletedProduct): WriteResult => {
      if ('deleted' in o && o.deleted) return void st.productDeleted.run(o.id), ok;
      const p = o as Stripe.Product;
      st.products.run(p.id, p.name ?? '', b(p.active), storedRaw(p));
      return ok;
    },
    price: (o: Stripe.Price | Stripe.DeletedPrice): WriteResult => {
      if ('deleted' in o && o.deleted) return void st.priceDeleted.run(o.id), ok;
      price(fill('prices', o as Stripe.Price));
      return ok;
    },
    coupon: (o: Stripe.Coupon | Stripe.DeletedCoupon): WriteResult => {
      if ('deleted' in o && o.deleted) return void st.couponDeleted.run(o.id), ok;
      const c = o as Stripe.Coupon;
      st.coupons.run(c.id, c.name, c.percent_off, c.amount_off, c.currency, c.duration, c.duration_in_months, b(c.valid), storedRaw(c));
      return ok;
    },
    subscription: (o: Stripe.Subscription): WriteResult => {
      if (!o.id) return skip('subscription without id');
      const customer = id(o.customer);
      if (!customer) return skip('subscription without customer');
      // The first subscription-level discount fills the coupon columns the facts read;
      // every discount is kept in `discounts` (stacked discounts).
      let first: { coupon_id: string | null; end: number | null } | null = null;
      for (const d of o.discounts ?? []) {
        if (typeof d === 'object') {
          discount(d);
          first ??= { coupon_id: couponOf(d), end: d.end };
        } else {
          first ??= (st.discountGet.get(d) as { coupon_id: string | null; end: number | null } | undefined) ?? null;
        }
      }
      // Cards kept on the subscription (expanded by the sync) are the customer's cards too.
      const pm = o.default_payment_method;
      if (pm && typeof pm === 'object') writers.payment_method({ ...pm, customer: pm.customer ?? customer });
      const src = o.default_source;
      if (src && typeof src === 'object' && src.object === 'card') writers.card({ ...src, customer: src.customer ?? customer });
      st.subscriptions.run(o.id, customer, o.status, o.currency, o.created, o.start_date, o.trial_end, o.canceled_at, o.ended_at, first?.coupon_id ?? null, first?.end ?? null, storedRaw(fill('subscriptions', o)));
      st.itemsDelete.run(o.id);
      for (const it of o.items?.data ?? []) {
        if (typeof it.price === 'object' && it.price?.id) price(it.price, true);
        st.items.run(it.id, o.id, id(it.price), it.quantity ?? 1, it.current_period_start ?? null, it.current_period_end ?? null);
      }
      mark(customer);
      return ok;
    },
    invoice: (o: Stripe.Invoice | Stripe.DeletedInvoice): WriteResult => {
      // invoice.upcoming carries a preview invoice without an id (https://docs.stripe.com/api/invoices/create_preview).
      if (!o.id) return skip('invoice without id (upcoming invoice preview)');
      if ('deleted' in o && o.deleted) {
        const row = st.invoiceDelete.get(o.id) as { customer_id: string } | undefined;
        mark(row?.customer_id ?? null);
        return ok;
      }
      const inv = o as Stripe.Invoice;
      const customer = id(inv.customer);
      if (!customer) return skip('invoice without customer');
      const sub = id(inv.parent?.subscription_details?.subscription ?? null);
      st.invoices.run(inv.id, customer, sub, inv.status ?? 'draft', inv.currency, inv.amount_due, inv.amount_paid, inv.amount_remaining, inv.attempt_count ?? 0, inv.next_payment_attempt, inv.due_date, inv.created, inv.status_transitions?.paid_at ?? null, inv.hosted_invoice_url ?? null, storedRaw(inv));
      for (const p of inv.payments?.data ?? []) writers.invoice_payment(p);
      mark(customer);
      return ok;
    },
    invoice_payment: (o: Stripe.InvoicePayment): WriteResult => {
      if (!o.id) return skip('invoice payment without id');
      const invoice = id(o.invoice);
      if (!invoice) return skip('invoice payment without invoice');
      const pi = id(o.payment?.payment_intent ?? null);
      const charge = id(o.payment?.charge ?? null);
      st.invoicePayments.run(o.id, invoice, pi, charge, o.status, o.amount_paid, o.amount_requested, o.currency, b(o.is_default), o.created, storedRaw(o));
      // Link payments that arrived before their invoice payment.
      for (const r of st.linkCharges.all(invoice, pi, charge, invoice) as { customer_id: string | null }[]) mark(r.customer_id);
      if (pi) for (const r of st.linkPis.all(invoice, pi, invoice) as { customer_id: string | null }[]) mark(r.customer_id);
      return ok;
    },
    payment_intent: (o: Stripe.PaymentIntent): WriteResult => {
      if (!o.id) return skip('payment intent without id');
      const err = o.last_payment_error;
      const customer = id(o.customer);
      st.payment_intents.run(o.id, customer, invoiceFor(o.id, null), o.status, o.amount, o.currency, err?.code ?? null, err?.decline_code ?? null, o.created, storedRaw(o));
      mark(customer);
      return ok;
    },
    charge: (o: Stripe.Charge): WriteResult => {
      if (!o.id) return skip('charge without id');
      const card = o.payment_method_details?.card;
      const pi = id(o.payment_intent);
      const piCode = pi ? ((st.piDecline.get(pi) as { last_decline_code: string | null } | undefined)?.last_decline_code ?? null) : null;
      const failed = o.status === 'failed';
      const decline = failed ? ((o.outcome?.type === 'issuer_declined' ? o.outcome.reason : null) ?? piCode ?? o.failure_code) : null;
      const customer = id(o.customer);
      st.charges.run(o.id, customer, invoiceFor(pi, o.id), pi, o.amount, o.amount_refunded, o.currency, o.status, b(o.paid), o.failure_code, decline, o.outcome?.type ?? null, card?.exp_month ?? null, card?.exp_year ?? null, o.created, storedRaw(o));
      mark(customer);
      return ok;
    },
    payment_method: (o: Stripe.PaymentMethod, previousOwner?: string | null): WriteResult => {
      if (!o.id) return skip('payment method without id');
      const customer = id(o.customer);
      const before = (st.pmOwner.get(o.id) as { customer_id: string | null } | undefined)?.customer_id ?? previousOwner ?? null;
      const card = o.card;
      st.payment_methods.run(o.id, customer, o.type ?? 'card', card?.brand ?? null, card?.last4 ?? null, card?.exp_month ?? null, card?.exp_year ?? null, o.created, storedRaw(o));
      // payment_method.detached: `customer` is null; the previous owner's facts change too.
      if (before && before !== customer) mark(before);
      mark(customer);
      return ok;
    },
    /** A card source (customer.source.*, customer.default_source): kept with the payment methods. */
    card: (o: Stripe.Card | Stripe.DeletedCard): WriteResult => {
      if (!o.id) return skip('card without id');
      if ('deleted' in o && o.deleted) {
        const row = st.pmDelete.get(o.id) as { customer_id: string | null } | undefined;
        mark(row?.customer_id ?? null);
        return ok;
      }
      const c = o as Stripe.Card;
      const customer = id(c.customer ?? null);
      st.payment_methods.run(c.id, customer, 'card', c.brand, c.last4, c.exp_month, c.exp_year, 0, storedRaw(c));
      mark(customer);
      return ok;
    },
    discount: (o: Stripe.Discount | Stripe.DeletedDiscount): WriteResult => {
      if (!o.id) return skip('discount without id');
      if ('deleted' in o && o.deleted) st.discountDelete.run(o.id);
      else discount(o as Stripe.Discount);
      mark(id(o.customer));
      return ok;
    },
    refund: (o: Stripe.Refund): WriteResult => {
      if (!o.id) return skip('refund without id');
      const ch = id(o.charge);
      st.refunds.run(o.id, ch, o.amount, o.currency, o.status ?? 'succeeded', o.created, storedRaw(o));
      if (ch) mark((st.chargeCustomer.get(ch) as { customer_id: string | null } | undefined)?.customer_id ?? null);
      return ok;
    },
  };

  /** Writes any supported object by its `object` field; unknown objects are skipped. */
  function write(o: Writable): WriteResult {
    switch (o.object) {
      case 'customer':
        return writers.customer(o);
      case 'product':
        return writers.product(o);
      case 'price':
        return writers.price(o);
      case 'coupon':
        return writers.coupon(o);
      case 'subscription':
        return writers.subscription(o);
      case 'invoice':
        return writers.invoice(o);
      case 'invoice_payment':
        return writers.invoice_payment(o);
      case 'payment_intent':
        return writers.payment_intent(o);
      case 'charge':
        return writers.charge(o);
      case 'payment_method':
        return writers.payment_method(o);
      case 'refund':
        return writers.refund(o);
      case 'discount':
        return writers.discount(o);
      case 'card':
        return writers.card(o);
      default:
        return skip(`unsupported object`);
    }
  }
  return { ...writers, write, knownDiscount: (d: string) => st.discountGet.get(d) !== undefined, pmOwner: (pm: string) => (st.pmOwner.get(pm) as { customer_id: string | null } | undefined)?.customer_id ?? null, invoiceOfPi: (pi: string) => invoiceFor(pi, null) };
}
export type Writers = ReturnType<typeof createWriters>;
