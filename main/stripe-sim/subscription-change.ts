import { DAY, HARD_DECLINES, invoicePayment, makeCharge, makePaymentIntent, subscriptionParent, type Obj, type Rng, type SimData } from './generator';
import { shape } from './shapes';
import { SimStripeError } from './writes';

/**
 * The local Stripe server's subscription price changes (#17 item 13), as the
 * `stripe` SDK documents them for the pinned version:
 *
 * - `POST /v1/subscriptions/:id` with `items[n][id]` + `items[n][price]`
 *   (+ `quantity`): "When changing a subscription item's price, `quantity` is
 *   set to 1 unless a `quantity` parameter is provided."
 * - `proration_behavior` (`create_prorations` default | `always_invoice` |
 *   `none`) and `proration_date` ("prorations will be calculated as though the
 *   subscription was updated at the given time").
 * - A change of billing interval (monthly → yearly): "we apply a credit for the
 *   unused time on the previous price, immediately charge the customer using the
 *   new price, and reset the billing date"; with `none`, "we don't generate any
 *   credits for the old subscription's unused time. We still reset the billing
 *   date and bill immediately". The immediate invoice has billing_reason
 *   `subscription_update`.
 * - `payment_behavior=pending_if_incomplete`: when that payment fails the
 *   subscription keeps its items and carries `pending_update` (the items it
 *   would get, `expires_at`); the invoice stays open.
 * - `POST /v1/invoices/create_preview` with `subscription` and
 *   `subscription_details[items]…`, `[proration_behavior]`, `[proration_date]`:
 *   the invoice the change would create, id prefixed `upcoming_in`, lines with
 *   `parent.subscription_item_details.proration`, and
 *   `parent.subscription_details.subscription_proration_date`.
 *
 * Simplifications (said, not hidden): a price change within the same interval
 * swaps the price with no proration invoice items; a credit larger than the new
 * charge is not moved to the customer balance (amount due is floored at 0).
 * The immediate payment succeeds unless the customer's card is expired or the
 * subscription's last failed payment was a hard decline (that card will not work).
 */
export interface ChangeContext {
  data: SimData;
  byId: Map<string, Obj>;
  now(): number;
  rng: Rng;
  insert(list: 'invoices' | 'invoice_payments' | 'payment_intents' | 'charges', o: Obj): void;
  emit(type: string, o: Obj): void;
  touch(): void;
}

const invalid = (message: string, extra: Record<string, unknown> = {}) => new SimStripeError(400, { type: 'invalid_request_error', message, ...extra });
const one = (body: Map<string, string[]>, k: string) => body.get(k)?.[0];

interface ItemChange {
  item: Obj;
  price: Obj;
  quantity: number;
}

interface Planned {
  changes: ItemChange[];
  behavior: 'create_prorations' | 'always_invoice' | 'none';
  prorationDate: number;
  intervalChanged: boolean;
  lines: Line[];
  amountDue: number;
}

type Line = Record<string, unknown> & { amount: number };
type Recurring = { interval: string; interval_count: number };
const rec = (price: Obj) => price.recurring as Recurring;

export function createSubscriptionChanges(c: ChangeContext) {
  /** Reads `<prefix>items[n][…]` and checks it against the subscription. */
  function plan(sub: Obj, body: Map<string, string[]>, prefix: string): Planned | null {
    const changes: ItemChange[] = [];
    const items = (sub.items as { data: Obj[] }).data;
    // Form keys: items[0][price] on the update, subscription_details[items][0][price] on the preview.
    const field = (...path: (string | number)[]) => (prefix ? `${prefix}[${path.join('][')}]` : `${path[0]}${path.slice(1).map((x) => `[${x}]`).join('')}`);
    for (let n = 0; ; n++) {
      const k = (f: string) => field('items', n, f);
      if (![...body.keys()].some((key) => key.startsWith(field('items', n)))) break;
      const priceId = one(body, k('price'));
      if (!priceId) continue; // quantity-only or metadata changes are not modelled here
      const itemId = one(body, k('id'));
      const item = itemId ? items.find((i) => i.id === itemId) : undefined;
      if (itemId && !item) throw invalid(`No such subscription item: '${itemId}'`, { code: 'resource_missing', param: k('id') });
      if (!item) throw invalid('Adding an item (items without id) is not modelled by the local Stripe server.', { param: k('id') });
      const price = c.byId.get(priceId);
      if (!price || price.object !== 'price') throw invalid(`No such price: '${priceId}'`, { code: 'resource_missing', param: k('price') });
      if (price.active === false) throw invalid(`The price specified is inactive. This field only accepts active prices.`, { param: k('price') });
      if (price.currency !== sub.currency) throw invalid(`The price specified (${priceId}) is in ${String(price.currency)}, but the subscription is in ${String(sub.currency)}.`, { param: k('price') });
      const q = one(body, k('quantity'));
      // SDK doc (SubscriptionUpdateParams.Item.price): "quantity is set to 1 unless a quantity parameter is provided".
      changes.push({ item, price, quantity: q !== undefined ? Number(q) : 1 });
    }
    if (changes.length === 0) return null;
    const behavior = (one(body, field('proration_behavior')) ?? 'create_prorations') as Planned['behavior'];
    if (!['create_prorations', 'always_invoice', 'none'].includes(behavior)) throw invalid(`Invalid proration_behavior: must be one of create_prorations, always_invoice, or none`, { param: field('proration_behavior') });
    const now = c.now();
    const rawDate = one(body, field('proration_date'));
    const prorationDate = rawDate !== undefined ? Number(rawDate) : now;
    const lines: Line[] = [];
    let intervalChanged = false;
    for (const ch of changes) {
      const old = ch.item.price as Obj;
      const start = ch.item.current_period_start as number;
      const end = ch.item.current_period_end as number;
      if (rawDate !== undefined && (!Number.isInteger(prorationDate) || prorationDate < start || prorationDate > end)) {
        throw invalid('proration_date must be within the current subscription period.', { param: field('proration_date') });
      }
      const changed = rec(old).interval !== rec(ch.price).interval || rec(old).interval_count !== rec(ch.price).interval_count;
      intervalChanged ||= changed;
      if (!changed) continue;
      const oldQty = ch.item.quantity as number;
      if (behavior !== 'none' && end > prorationDate) {
        const credit = Math.round(((old.unit_amount as number) * oldQty * (end - prorationDate)) / Math.max(1, end - start));
        lines.push(line(sub, ch.item, old, -credit, oldQty, `Unused time on ${oldQty} × ${String(old.nickname ?? old.id)} after ${day(prorationDate)}`, true, prorationDate, end));
      }
      const next = periodEnd(prorationDate, rec(ch.price));
      lines.push(line(sub, ch.item, ch.price, (ch.price.unit_amount as number) * ch.quantity, ch.quantity, `${ch.quantity} × ${String(ch.price.nickname ?? ch.price.id)} (from ${day(prorationDate)} to ${day(next)})`, false, prorationDate, next));
    }
    const amountDue = Math.max(0, lines.reduce((s, l) => s + l.amount, 0));
    return { changes, behavior, prorationDate, intervalChanged, lines, amountDue };
  }

  function line(sub: Obj, item: Obj, price: Obj, amount: number, quantity: number, description: string, proration: boolean, start: number, end: number): Line {
    return {
      id: c.rng.id('il_'), object: 'line_item', amount, currency: sub.currency, description, discount_amounts: [], discountable: !proration, discounts: [], invoice: null, livemode: false, metadata: {},
      parent: { type: 'subscription_item_details', invoice_item_details: null, subscription_item_details: { invoice_item: null, proration, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id } },
      period: { start, end }, pretax_credit_amounts: [], pricing: { price_details: { price: price.id, product: price.product }, type: 'price_details', unit_amount_decimal: String(price.unit_amount) },
      quantity, subtotal: amount, taxes: [],
    };
  }

  function invoiceFor(sub: Obj, p: Planned, id: string, preview: boolean): Obj {
    const customer = c.byId.get(sub.customer as string)!;
    const parent = subscriptionParent(sub.id) as { subscription_details: Record<string, unknown> };
    if (preview) parent.subscription_details.subscription_proration_date = p.prorationDate;
    const subtotal = p.lines.reduce((s, l) => s + l.amount, 0);
    return shape('invoice', {
      id, object: 'invoice', account_country: 'US', account_name: c.data.account.name, amount_due: p.amountDue, amount_paid: 0, amount_remaining: p.amountDue, attempt_count: 0, attempted: false,
      auto_advance: !preview, billing_reason: preview ? 'upcoming' : 'subscription_update', collection_method: 'charge_automatically', created: c.now(), currency: sub.currency, customer: customer.id,
      customer_email: customer.email, customer_name: customer.name, description: null, due_date: null, effective_at: preview ? null : c.now(),
      hosted_invoice_url: preview ? null : `https://invoice.stripe.com/i/${c.data.account.id}/test_${id.slice(3)}`, invoice_pdf: null,
      lines: { object: 'list', data: p.lines.map((l) => ({ ...l, invoice: preview ? null : id })), has_more: false, url: `/v1/invoices/${id}/lines` },
      livemode: false, metadata: {}, next_payment_attempt: null, number: preview ? null : `${String(customer.invoice_prefix)}-U${String(c.data.invoices.length).padStart(4, '0')}`,
      parent, period_end: p.prorationDate, period_start: p.prorationDate, status: preview ? 'draft' : 'open',
      status_transitions: { finalized_at: preview ? null : c.now(), marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal, subtotal_excluding_tax: subtotal, total: subtotal, total_excluding_tax: subtotal, webhooks_delivered_at: null,
    });
  }

  /** Whether the customer's card takes the immediate payment (see the module comment). */
  function cardWorks(sub: Obj): boolean {
    const pm = c.data.payment_methods.find((m) => m.customer === sub.customer);
    const card = (pm?.card ?? { exp_month: 12, exp_year: 2031 }) as { exp_month: number; exp_year: number };
    const ym = Number(new Date(c.now() * 1000).toISOString().slice(0, 7).replace('-', ''));
    if (card.exp_year * 100 + card.exp_month < ym) return false;
    const failed = c.data.charges.filter((ch) => ch.customer === sub.customer && ch.status === 'failed').sort((a, b) => b.created - a.created)[0];
    const code = (failed?.outcome as { reason?: string } | undefined)?.reason ?? null;
    return !(code && HARD_DECLINES.includes(code));
  }

  function applyItems(sub: Obj, p: Planned) {
    const items = sub.items as { data: Obj[] };
    for (const ch of p.changes) {
      const idx = items.data.findIndex((i) => i.id === ch.item.id);
      const r = rec(ch.price);
      const plan = { ...((items.data[idx]!.plan as Obj | undefined) ?? {}), id: ch.price.id, amount: ch.price.unit_amount, amount_decimal: ch.price.unit_amount_decimal, interval: r.interval, interval_count: r.interval_count, nickname: ch.price.nickname };
      const reset = p.intervalChanged ? { current_period_start: p.prorationDate, current_period_end: periodEnd(p.prorationDate, r) } : {};
      items.data[idx] = { ...items.data[idx]!, price: ch.price, plan, quantity: ch.quantity, ...reset };
    }
    // "reset the billing date" on an interval change.
    if (p.intervalChanged) sub.billing_cycle_anchor = p.prorationDate;
    sub.pending_update = null;
  }

  /** What a pending update will set, kept until its invoice is paid (the update's own shape has only the items). */
  const pendingPlans = new Map<string, { invoiceId: string; plan: Planned }>();

  return {
    /**
     * The invoice of a pending update was paid (e.g. on the hosted page): the update applies
     * unless past `expires_at` (SDK, Subscription.PendingUpdate.expires_at: "The point after which the
     * changes reflected by this update will be discarded and no longer applied").
     */
    invoicePaid(invoice: Obj) {
      const subId = (invoice.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details?.subscription;
      const pending = subId ? pendingPlans.get(subId) : undefined;
      const sub = subId ? c.byId.get(subId) : undefined;
      if (!pending || !sub || pending.invoiceId !== invoice.id || !sub.pending_update) return;
      pendingPlans.delete(subId!);
      if (((sub.pending_update as { expires_at: number }).expires_at ?? 0) < c.now()) {
        sub.pending_update = null;
        return;
      }
      applyItems(sub, pending.plan);
      c.emit('customer.subscription.updated', sub);
    },

    /** `POST /v1/invoices/create_preview` for a change of an existing subscription. */
    preview(body: Map<string, string[]>): Obj {
      const subId = one(body, 'subscription');
      if (!subId) throw invalid('Previewing a new subscription or a customer-wide upcoming invoice is not modelled by the local Stripe server; pass subscription.', { param: 'subscription' });
      const sub = c.byId.get(subId);
      if (!sub || sub.object !== 'subscription') throw invalid(`No such subscription: '${subId}'`, { code: 'resource_missing', param: 'subscription' });
      const customer = one(body, 'customer');
      if (customer && customer !== sub.customer) throw invalid(`The subscription ${subId} does not belong to customer ${customer}.`, { param: 'customer' });
      if (one(body, 'subscription_details[proration_date]') !== undefined && one(body, 'subscription_details[proration_behavior]') === 'none') {
        throw invalid("subscription_details.proration_behavior cannot be 'none' when proration_date is set.", { param: 'subscription_details[proration_behavior]' });
      }
      const p = plan(sub, body, 'subscription_details');
      if (!p) throw invalid('Pass subscription_details[items] to preview a change.', { param: 'subscription_details[items]' });
      return invoiceFor(sub, p, `upcoming_in_${c.rng.id('', 24)}`, true);
    },

    /** The item part of `POST /v1/subscriptions/:id`; false when the body changes no item's price. */
    apply(sub: Obj, body: Map<string, string[]>): boolean {
      const p = plan(sub, body, '');
      if (!p) return false;
      if (!p.intervalChanged && p.behavior !== 'always_invoice') {
        applyItems(sub, p);
        return true;
      }
      const invId = c.rng.id('in_');
      const invoice = invoiceFor(sub, p, invId, false);
      c.insert('invoices', invoice);
      sub.latest_invoice = invId;
      c.emit('invoice.created', invoice);
      c.emit('invoice.finalized', invoice);
      if (p.amountDue === 0) {
        Object.assign(invoice, { status: 'paid', paid: true });
        (invoice.status_transitions as Record<string, unknown>).paid_at = c.now();
        c.emit('invoice.paid', invoice);
        applyItems(sub, p);
        return true;
      }
      const pm = c.data.payment_methods.find((m) => m.customer === sub.customer);
      const card = (pm?.card ?? { exp_month: 12, exp_year: 2031 }) as { exp_month: number; exp_year: number };
      const piId = c.rng.id('pi_', 24);
      const pi = makePaymentIntent({ id: piId, cusId: sub.customer as string, pmId: pm?.id ?? '', amount: p.amountDue, currency: sub.currency as string, created: c.now(), description: `Invoice ${String(invoice.number)}` });
      c.insert('payment_intents', pi);
      const works = cardWorks(sub);
      const inpay = invoicePayment(c.rng, { invoice: invId, pi: piId, amount: p.amountDue, currency: sub.currency as string, created: c.now(), paidAt: works ? c.now() : null });
      c.insert('invoice_payments', inpay);
      const charge = makeCharge(c.rng, {
        cusId: sub.customer as string, piId, pmId: pm?.id ?? '', amount: p.amountDue, currency: sub.currency as string, created: c.now(), status: works ? 'succeeded' : 'failed',
        failureCode: works ? null : 'card_declined', declineCode: works ? null : 'generic_decline', card: { expMonth: card.exp_month, expYear: card.exp_year },
      });
      c.insert('charges', charge);
      Object.assign(invoice, { attempt_count: 1, attempted: true });
      if (works) {
        Object.assign(pi, { status: 'succeeded', amount_received: p.amountDue, latest_charge: charge.id });
        Object.assign(invoice, { status: 'paid', paid: true, amount_paid: p.amountDue, amount_remaining: 0 });
        (invoice.status_transitions as Record<string, unknown>).paid_at = c.now();
        c.emit('charge.succeeded', charge);
        c.emit('payment_intent.succeeded', pi);
        c.emit('invoice.paid', invoice);
        c.emit('invoice_payment.paid', inpay);
        applyItems(sub, p);
        return true;
      }
      Object.assign(pi, { latest_charge: charge.id, last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', type: 'card_error', charge: charge.id } });
      c.emit('charge.failed', charge);
      c.emit('payment_intent.payment_failed', pi);
      c.emit('invoice.payment_failed', invoice);
      if (one(body, 'payment_behavior') === 'pending_if_incomplete') {
        // The update waits for payment: the items stay, pending_update says what would change.
        sub.pending_update = {
          billing_cycle_anchor: p.intervalChanged ? p.prorationDate : null, expires_at: c.now() + 23 * 3600, trial_end: null, trial_from_plan: null, cancel_at_period_end: null, discount: null, discounts: null, metadata: null,
          subscription_items: p.changes.map((ch) => ({ ...ch.item, price: ch.price, quantity: ch.quantity })),
        };
        pendingPlans.set(sub.id, { invoiceId: invId, plan: p });
      } else {
        // allow_incomplete (the default): the change applies and the subscription is past due.
        applyItems(sub, p);
        sub.status = 'past_due';
      }
      return true;
    },
  };
}

function periodEnd(start: number, r: Recurring): number {
  const d = new Date(start * 1000);
  if (r.interval === 'year') d.setUTCFullYear(d.getUTCFullYear() + r.interval_count);
  else if (r.interval === 'month') d.setUTCMonth(d.getUTCMonth() + r.interval_count);
  else return start + (r.interval === 'week' ? 7 : 1) * DAY * r.interval_count;
  return Math.floor(d.getTime() / 1000);
}

function day(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 10);
}

export type SubscriptionChanges = ReturnType<typeof createSubscriptionChanges>;
