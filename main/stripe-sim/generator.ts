/**
 * A believable SaaS business, deterministic by seed: products and prices in
 * several currencies, customers with tenures from days to years, trials,
 * coupons, metadata, cards (some expiring), invoices with a realistic failure
 * mix and decline codes (soft and hard), refunds, and 30 days of events.
 */
import { PINNED_VERSION, shape } from './shapes';

export type Obj = Record<string, unknown> & { id: string; object: string; created: number };

export interface SimData {
  account: { id: string; name: string; currency: string };
  products: Obj[];
  prices: Obj[];
  coupons: Obj[];
  customers: Obj[];
  subscriptions: Obj[];
  invoices: Obj[];
  invoice_payments: Obj[];
  payment_intents: Obj[];
  charges: Obj[];
  payment_methods: Obj[];
  refunds: Obj[];
  events: Obj[];
  /** Discount objects (subscriptions and customers refer to them by id). */
  discounts: Obj[];
}

export const DAY = 86_400;
/** The local server's clock when none is given (2026-11-01 00:00 UTC). */
export const SIM_DEFAULT_NOW = 1_793_491_200;
export const SOFT_DECLINES = ['insufficient_funds', 'generic_decline', 'do_not_honor', 'try_again_later', 'processing_error'];
export const HARD_DECLINES = ['lost_card', 'stolen_card', 'pickup_card', 'incorrect_number', 'expired_card', 'fraudulent'];

export function prng(seed: number) {
  let a = seed >>> 0 || 1;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
    id: (prefix: string, n = 14) => {
      const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      let s = prefix;
      for (let i = 0; i < n; i++) s += abc[Math.floor(next() * abc.length)];
      return s;
    },
  };
}
export type Rng = ReturnType<typeof prng>;

const PLANS = [
  { key: 'starter', name: 'Starter', usd: 2900, weight: 0.6 },
  { key: 'growth', name: 'Growth', usd: 19900, weight: 0.28 },
  { key: 'enterprise', name: 'Enterprise', usd: 99900, weight: 0.12 },
] as const;
const FX: Record<string, number> = { usd: 1, eur: 0.92, gbp: 0.79 };
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jonas', 'Keiko', 'Liam', 'Maya', 'Nils', 'Omar', 'Priya'];
const LAST = ['Lovelace', 'Okafor', 'Martin', 'Shah', 'Rossi', 'Haddad', 'Hopper', 'Meyer', 'Tanaka', 'Novak', 'Silva', 'Kim', 'Berg', 'Costa'];
const COMPANY = ['Labs', 'Works', 'Cloud', 'Analytics', 'Health', 'Media', 'Retail', 'Logistics', 'Studio', 'Systems'];
const INDUSTRIES = ['saas', 'ecommerce', 'fintech', 'health', 'education', 'media', 'logistics'];
const REGIONS = ['na', 'emea', 'apac', 'latam'];
const MANAGERS = ['alice.wong@reclaim-demo.test', 'bruno.diaz@reclaim-demo.test', 'chen.li@reclaim-demo.test'];
const TAGS = ['beta', 'priority', 'partner', 'nonprofit', 'usage-heavy'];

export function priceId(plan: string, interval: 'month' | 'year', currency: string): string {
  return `price_${plan}_${interval}_${currency}`;
}

/**
 * #19: the demo's history. Within the last `days` days a share (`openShare`) of
 * the invoices that would have been paid at once fail once instead and stay
 * open: what happens to them next is the demo history's (main/core/demo/),
 * replayed through the recovery engine. Invoices Stripe's own retries
 * recovered (outcome 'recovered', 6% of all) stay as they are: "recovered
 * without action". Drawn from a sequence of its own, so every other object
 * (customers, ids, amounts) is the same as without it.
 */
export interface HistoryOptions {
  days: number;
  openShare: number;
}
export const DEMO_HISTORY: HistoryOptions = { days: 100, openShare: 0.06 };

export interface GenerateOptions {
  seed: number;
  customers: number;
  now: number;
  apiVersion?: string;
  history?: HistoryOptions;
  /**
   * false: events carry no copy of their object (`data.object` is null), for a reader that needs
   * only their ids, types and times (the demo builder's event cursors); the same ids are drawn.
   */
  eventObjects?: boolean;
}

/** The objects of one generated customer (or, first, the catalog), in the lists the server serves. */
export type BusinessPart = Omit<SimData, 'account'>;
const emptyPart = (): BusinessPart => ({ products: [], prices: [], coupons: [], customers: [], subscriptions: [], invoices: [], invoice_payments: [], payment_intents: [], charges: [], payment_methods: [], refunds: [], events: [], discounts: [] });

export function generateBusiness(opts: GenerateOptions): SimData {
  const all = emptyPart();
  const account = generateBusinessParts(opts, (part) => {
    for (const k of Object.keys(part) as (keyof BusinessPart)[]) for (const o of part[k]) all[k].push(o);
  });
  return { account, ...all };
}

/**
 * The same business as `generateBusiness`, handed over one part at a time — the catalog
 * (products, prices, coupons) first, then each customer with its subscription, invoices,
 * payments, refunds and events — so a reader can write it without holding all of it
 * (the demo builder, main/core/demo/build.ts).
 */
export function generateBusinessParts(opts: GenerateOptions, onPart: (part: BusinessPart) => void): SimData['account'] {
  const parts = businessParts(opts);
  for (let n = parts.next(); ; n = parts.next()) {
    if (n.done) return n.value;
    onPart(n.value);
  }
}

/** The same parts, pulled one at a time: a reader may yield to its event loop between them (the demo builder). */
export function* businessParts(opts: GenerateOptions): Generator<BusinessPart, SimData['account']> {
  const r = prng(opts.seed);
  const hr = prng(opts.seed * 977 + 11);
  const hist = opts.history ?? null;
  const { now } = opts;
  const account = { id: `acct_${prng(opts.seed * 7919).id('', 16)}`, name: 'Northwind Software (demo)', currency: 'usd' };
  const catalog = emptyPart();
  let data = catalog;
  const epoch = now - 6 * 365 * DAY;

  for (const p of PLANS) {
    data.products.push(shape('product', { id: `prod_${p.key}`, object: 'product', active: true, name: p.name, description: `${p.name} plan`, created: epoch, updated: epoch, livemode: false, metadata: {}, type: 'service', default_price: priceId(p.key, 'month', 'usd') }));
    for (const cur of ['usd', 'eur', 'gbp']) {
      for (const interval of ['month', 'year'] as const) {
        const monthly = Math.round((p.usd * FX[cur]!) / 100) * 100;
        const unit = interval === 'month' ? monthly : monthly * 10;
        data.prices.push(shape('price', {
          id: priceId(p.key, interval, cur), object: 'price', active: true, billing_scheme: 'per_unit', created: epoch, currency: cur, livemode: false,
          lookup_key: null, metadata: {}, nickname: `${p.name} ${interval}ly`, product: `prod_${p.key}`,
          recurring: { interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
          tax_behavior: 'unspecified', type: 'recurring', unit_amount: unit, unit_amount_decimal: String(unit),
        }));
      }
    }
  }
  const coupon = (id: string, extra: Record<string, unknown>) =>
    data.coupons.push({ id, object: 'coupon', amount_off: null, currency: null, duration: 'forever', duration_in_months: null, created: epoch, livemode: false, max_redemptions: null, metadata: {}, name: id, percent_off: null, redeem_by: null, times_redeemed: 0, valid: true, ...extra });
  coupon('LOYAL20', { percent_off: 20, name: '20% loyalty discount' });
  coupon('WELCOME50', { percent_off: 50, duration: 'repeating', duration_in_months: 3, name: '50% for 3 months' });
  coupon('USD50OFF', { amount_off: 5000, currency: 'usd', name: '$50 off' });

  yield catalog;

  const evr = prng(opts.seed * 131 + 3);
  const event = (type: string, obj: Obj, created: number) => {
    if (created < now - 30 * DAY || created > now) return;
    data.events.push(opts.eventObjects === false ? bareEvent(evr, type, created, opts.apiVersion ?? PINNED_VERSION) : makeEvent(evr, type, obj, created, opts.apiVersion ?? PINNED_VERSION));
  };

  for (let i = 0; i < opts.customers; i++) {
    data = emptyPart();
    const tenureDays = r.chance(0.15) ? r.int(0, 89) : Math.floor(r.next() ** 1.6 * 5 * 365);
    const created = now - tenureDays * DAY - r.int(0, DAY - 1);
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    const company = `${last} ${r.pick(COMPANY)}`;
    const currency = r.chance(0.8) ? 'usd' : r.chance(0.6) ? 'eur' : 'gbp';
    const roll = r.next();
    const plan = roll < PLANS[0].weight ? PLANS[0] : roll < PLANS[0].weight + PLANS[1].weight ? PLANS[1] : PLANS[2];
    const interval: 'month' | 'year' = r.chance(0.18) ? 'year' : 'month';
    const quantity = plan.key === 'enterprise' ? r.int(1, 12) : 1;
    const cusId = r.id('cus_');
    const pmId = r.id('pm_', 24);
    const expYear = r.chance(0.1) ? 2026 : r.int(2026, 2031);
    const expMonth = r.int(1, 12);
    const tags = TAGS.filter(() => r.chance(0.12));
    const metadata: Record<string, string> = { industry: r.pick(INDUSTRIES), region: r.pick(REGIONS), company_size: String(r.int(5, 5000)) };
    if (plan.key === 'enterprise') metadata.account_manager = r.pick(MANAGERS);
    if (tags.length) metadata.tags = tags.join(',');
    const place = customerPlace(i, currency);
    const customer: Obj = shape('customer', {
      id: cusId, object: 'customer', address: place.address, balance: 0, created, currency, default_source: null, delinquent: false, description: company, discount: null,
      email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@${last.toLowerCase()}-${i}.example`, invoice_prefix: cusId.slice(4, 12).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: pmId, footer: null, rendering_options: null }, livemode: false, metadata, name: `${first} ${last}`,
      // Enterprise accounts have a phone on file (the 555-01xx range is reserved for fiction); derived, not drawn, so the seeded sequence is unchanged.
      phone: plan.key === 'enterprise' ? `+1555010${String(i % 10_000).padStart(4, '0')}` : null, preferred_locales: place.locales, shipping: null, tax_exempt: place.taxExempt, test_clock: null,
    });
    data.customers.push(customer);
    event('customer.created', customer, created);
    data.payment_methods.push(shape('payment_method', {
      id: pmId, object: 'payment_method', billing_details: { address: null, email: customer.email, name: customer.name, phone: null }, created, customer: cusId, livemode: false, metadata: {}, type: 'card',
      card: { brand: r.pick(['visa', 'mastercard', 'amex']), checks: null, country: 'US', exp_month: expMonth, exp_year: expYear, fingerprint: r.id('', 16), funding: 'credit', last4: String(r.int(1000, 9999)), networks: null, three_d_secure_usage: null, wallet: null },
    }));

    // Subscription lifecycle
    const trialing = tenureDays < 14 && r.chance(0.6);
    const canceled = !trialing && tenureDays > 60 && r.chance(0.08);
    const pastDue = !trialing && !canceled && r.chance(0.11);
    const couponId = r.chance(0.1) ? r.pick(['LOYAL20', 'WELCOME50', 'USD50OFF']) : null;
    const cpn = couponId ? catalog.coupons.find((c) => c.id === couponId)! : null;
    const usableCoupon = cpn && !(cpn.amount_off && currency !== 'usd') ? cpn : null;
    const subId = r.id('sub_');
    const price = catalog.prices.find((p) => p.id === priceId(plan.key, interval, currency))!;
    const period = interval === 'month' ? 30 * DAY : 365 * DAY;
    const endedAt = canceled ? now - r.int(1, Math.min(60, tenureDays)) * DAY : null;
    const trialEnd = trialing ? created + 14 * DAY : null;
    // A discount object; the subscription names it in discounts[], its coupon sits under source.coupon.
    const discount = usableCoupon
      ? shape('discount', { id: r.id('di_'), object: 'discount', customer: cusId, end: usableCoupon.duration === 'repeating' ? created + 90 * DAY : null, start: created, subscription: subId, source: { coupon: usableCoupon.id, type: 'coupon' } })
      : null;
    if (discount) data.discounts.push(discount as unknown as Obj);
    const periods: number[] = [];
    if (!trialing) for (let t = created; t <= (endedAt ?? now); t += period) periods.push(t);
    const billed = periods.slice(-12);
    const currentStart = billed[billed.length - 1] ?? created;
    const status = trialing ? 'trialing' : canceled ? 'canceled' : pastDue ? 'past_due' : 'active';
    const sub: Obj = shape('subscription', {
      id: subId, object: 'subscription', application: null, billing_cycle_anchor: created, cancel_at: null, cancel_at_period_end: false, canceled_at: endedAt, collection_method: 'charge_automatically',
      created, currency, customer: cusId, days_until_due: null, default_payment_method: pmId,
      discounts: discount ? [discount.id] : [], ended_at: endedAt, livemode: false, metadata: {},
      items: { object: 'list', data: [subscriptionItem(r.id('si_'), subId, price, quantity, created, currentStart, currentStart + period)], has_more: false, url: `/v1/subscription_items?subscription=${subId}` },
      latest_invoice: null, start_date: created, status, trial_end: trialEnd, trial_start: trialing ? created : null,
    });
    data.subscriptions.push(sub);
    event('customer.subscription.created', sub, created);

    const unit = price.unit_amount as number;
    const gross = unit * quantity;
    const pct = (usableCoupon?.percent_off as number | null) ?? 0;
    const off = (usableCoupon?.amount_off as number | null) ?? 0;
    billed.forEach((t, k) => {
      const isLast = k === billed.length - 1;
      const discounted = discount && (discount.end === null || t < discount.end);
      const amount = Math.max(0, Math.round(discounted ? gross * (1 - pct / 100) - off : gross));
      const inId = r.id('in_');
      const outcome = isLast && pastDue ? 'open' : r.chance(0.06) ? 'recovered' : r.chance(0.015) ? 'uncollectible' : 'paid';
      const historyOpen = hist !== null && outcome === 'paid' && t >= now - hist.days * DAY && hr.chance(hist.openShare);
      const failures = outcome === 'open' ? r.int(1, 3) : outcome === 'recovered' ? r.int(1, 2) : outcome === 'uncollectible' ? 4 : 0;
      const hard = failures > 0 && r.chance(0.25);
      const piId = r.id('pi_', 24);
      const charges: Obj[] = [];
      let lastError: Record<string, unknown> | null = null;
      for (let f = 0; f < failures; f++) {
        const at = t + f * 3 * DAY + r.int(60, 3600);
        const code = hard ? r.pick(HARD_DECLINES) : r.pick(SOFT_DECLINES);
        const failureCode = code === 'expired_card' || code === 'incorrect_number' ? code : 'card_declined';
        lastError = { code: failureCode, decline_code: code, message: 'Your card was declined.', type: 'card_error', charge: null };
        charges.push(makeCharge(r, { cusId, inId, piId, pmId, amount, currency, created: Math.min(at, now), status: 'failed', failureCode, declineCode: code, card: { expMonth, expYear } }));
      }
      if (outcome === 'paid' || outcome === 'recovered') {
        const at = t + failures * 3 * DAY + r.int(60, 3600);
        const paid = makeCharge(r, { cusId, inId, piId, pmId, amount, currency, created: Math.min(at, now), status: 'succeeded', failureCode: null, declineCode: null, card: { expMonth, expYear } });
        if (!historyOpen) charges.push(paid);
        else {
          // The paid charge above is drawn and dropped so the main sequence is unchanged.
          const code = hr.chance(0.25) ? hr.pick(HARD_DECLINES) : hr.pick(SOFT_DECLINES);
          const failureCode = code === 'expired_card' || code === 'incorrect_number' ? code : 'card_declined';
          lastError = { code: failureCode, decline_code: code, message: 'Your card was declined.', type: 'card_error', charge: null };
          charges.push(makeCharge(hr, { cusId, inId, piId, pmId, amount, currency, created: Math.min(t + hr.int(60, 3600), now), status: 'failed', failureCode, declineCode: code, card: { expMonth, expYear } }));
        }
      }
      const fate = historyOpen ? 'open' : outcome;
      const paidAt = fate === 'paid' || fate === 'recovered' ? (charges[charges.length - 1]!.created as number) : null;
      const invStatus = fate === 'paid' || fate === 'recovered' ? 'paid' : fate;
      const invoice: Obj = shape('invoice', {
        id: inId, object: 'invoice', account_country: 'US', account_name: account.name, amount_due: amount, amount_paid: paidAt ? amount : 0, amount_remaining: paidAt ? 0 : fate === 'open' ? amount : 0,
        attempt_count: historyOpen ? 1 : failures + (paidAt ? 1 : 0), attempted: true, auto_advance: fate === 'open', billing_reason: k === 0 ? 'subscription_create' : 'subscription_cycle', collection_method: 'charge_automatically',
        created: t, currency, customer: cusId, customer_email: customer.email, customer_name: customer.name, description: null, due_date: null, effective_at: t,
        hosted_invoice_url: `https://invoice.stripe.com/i/${account.id}/test_${inId.slice(3)}`, invoice_pdf: null, lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${inId}/lines` },
        livemode: false, metadata: {}, next_payment_attempt: outcome === 'open' && !hard && failures < 4 ? now + r.int(1, 5) * DAY : null, number: `${String(customer.invoice_prefix)}-${String(k + 1).padStart(4, '0')}`,
        parent: subscriptionParent(subId), period_end: t, period_start: t, status: invStatus,
        status_transitions: { finalized_at: t, marked_uncollectible_at: outcome === 'uncollectible' ? t + 20 * DAY : null, paid_at: paidAt, voided_at: null },
        subtotal: gross, subtotal_excluding_tax: gross, total: amount, total_excluding_tax: amount, webhooks_delivered_at: t,
      });
      data.invoices.push(invoice);
      const inpay = invoicePayment(r, { invoice: inId, pi: piId, amount, currency, created: t, paidAt, canceled: outcome === 'uncollectible' });
      data.invoice_payments.push(inpay);
      const pi: Obj = shape('payment_intent', {
        id: piId, object: 'payment_intent', amount, amount_received: paidAt ? amount : 0, capture_method: 'automatic', client_secret: null, confirmation_method: 'automatic', created: t, currency, customer: cusId,
        description: `Invoice ${String(invoice.number)}`, last_payment_error: paidAt ? null : lastError, latest_charge: charges[charges.length - 1]?.id ?? null, livemode: false, metadata: {},
        payment_method: pmId, payment_method_types: ['card'], status: paidAt ? 'succeeded' : outcome === 'uncollectible' ? 'canceled' : 'requires_payment_method',
      });
      data.payment_intents.push(pi);
      for (const c of charges) {
        data.charges.push(c);
        event(c.status === 'failed' ? 'charge.failed' : 'charge.succeeded', c, c.created);
        if (c.status === 'failed') event('invoice.payment_failed', invoice, c.created);
      }
      if (paidAt) {
        event('invoice.paid', invoice, paidAt);
        event('invoice_payment.paid', inpay, paidAt);
      }
      const paidCharge = charges.find((c) => c.status === 'succeeded');
      if (historyOpen) {
        // The refund draws of the paid invoice it replaces (chance, then amount, day and id).
        if (r.chance(0.012)) {
          r.chance(0.5);
          r.int(1, 20);
          r.id('re_', 24);
        }
      } else if (paidCharge && r.chance(0.012)) {
        const refundAmount = r.chance(0.5) ? amount : Math.round(amount / 2);
        const at = Math.min(now, (paidCharge.created as number) + r.int(1, 20) * DAY);
        paidCharge.amount_refunded = refundAmount;
        paidCharge.refunded = refundAmount === amount;
        data.refunds.push(shape('refund', { id: r.id('re_', 24), object: 'refund', amount: refundAmount, charge: paidCharge.id, created: at, currency, customer: cusId, metadata: {}, payment_intent: piId, payment_method: pmId, reason: 'requested_by_customer', status: 'succeeded' }));
        event('charge.refunded', paidCharge, at);
      }
      if (isLast) sub.latest_invoice = inId;
    });
    yield data;
  }
  return account;
}

/** The link from an invoice to its subscription since 2025-03-31.basil (invoice.subscription was removed). */
export function subscriptionParent(subId: string) {
  return { quote_details: null, subscription_details: { metadata: {}, subscription: subId }, type: 'subscription_details' };
}

export function subscriptionItem(id: string, subId: string, price: Obj, quantity: number, created: number, periodStart: number, periodEnd: number): Record<string, unknown> {
  const rec = price.recurring as Record<string, unknown>;
  // current_period_* live on the item since 2025-03-31.basil; `plan` mirrors the price (legacy Plans API).
  const plan = {
    active: price.active, amount: price.unit_amount, amount_decimal: price.unit_amount_decimal, billing_scheme: price.billing_scheme, created: price.created, currency: price.currency, id: price.id,
    interval: rec.interval, interval_count: rec.interval_count, livemode: false, metadata: {}, meter: null, nickname: price.nickname, object: 'plan', product: price.product, tiers_mode: null,
    transform_usage: null, trial_period_days: null, usage_type: rec.usage_type,
  };
  return shape('subscription_item', { id, object: 'subscription_item', created, metadata: {}, price, quantity, subscription: subId, plan, current_period_start: periodStart, current_period_end: periodEnd });
}

/** Invoice payments link invoices and payment intents since 2025-03-31.basil (https://docs.stripe.com/api/invoice-payment). */
export function invoicePayment(r: Rng, p: { invoice: string; pi: string; amount: number; currency: string; created: number; paidAt: number | null; canceled?: boolean }): Obj {
  return {
    id: r.id('inpay_', 24), object: 'invoice_payment', amount_paid: p.paidAt ? p.amount : null, amount_requested: p.amount, created: p.created, currency: p.currency, invoice: p.invoice, is_default: true,
    livemode: false, payment: { payment_intent: p.pi, type: 'payment_intent' }, status: p.paidAt ? 'paid' : p.canceled ? 'canceled' : 'open',
    status_transitions: { canceled_at: p.canceled ? p.created + 20 * DAY : null, paid_at: p.paidAt },
  };
}

export function makePaymentIntent(p: { id: string; cusId: string; pmId: string; amount: number; currency: string; created: number; description: string }): Obj {
  return shape('payment_intent', {
    id: p.id, object: 'payment_intent', amount: p.amount, amount_received: 0, capture_method: 'automatic', client_secret: null, confirmation_method: 'automatic', created: p.created, currency: p.currency,
    customer: p.cusId, description: p.description, last_payment_error: null, latest_charge: null, livemode: false, metadata: {}, payment_method: p.pmId, payment_method_types: ['card'], status: 'requires_payment_method',
  });
}

/** Order of creation, for events of the same second (not part of the object). */
export const SEQ = new WeakMap<object, number>();
let seqCounter = 0;

/**
 * An event. Its id is random, like Stripe's (ids are not ordered); its object is
 * stored in the current shape and rendered in `api_version` when served.
 */
export function makeEvent(r: Rng, type: string, obj: Record<string, unknown>, created: number, apiVersion: string): Obj {
  const e: Obj = { id: r.id('evt_', 24), object: 'event', api_version: apiVersion, created, data: { object: structuredClone(obj) }, livemode: false, pending_webhooks: 0, request: { id: null, idempotency_key: null }, type };
  SEQ.set(e, ++seqCounter);
  return e;
}

/** An event without its object (`eventObjects: false`): the same id draw as makeEvent. */
function bareEvent(r: Rng, type: string, created: number, apiVersion: string): Obj {
  const e: Obj = { id: r.id('evt_', 24), object: 'event', api_version: apiVersion, created, data: { object: null }, livemode: false, pending_webhooks: 0, request: { id: null, idempotency_key: null }, type };
  SEQ.set(e, ++seqCounter);
  return e;
}

export function makeCharge(
  r: Rng,
  c: { cusId: string; inId?: string; piId: string; pmId: string; amount: number; currency: string; created: number; status: 'failed' | 'succeeded'; failureCode: string | null; declineCode: string | null; card: { expMonth: number; expYear: number } },
): Obj {
  const failed = c.status === 'failed';
  return shape('charge', {
    id: r.id('ch_', 24), object: 'charge', amount: c.amount, amount_captured: failed ? 0 : c.amount, amount_refunded: 0, balance_transaction: failed ? null : r.id('txn_', 24), billing_details: { address: null, email: null, name: null, phone: null },
    captured: !failed, created: c.created, currency: c.currency, customer: c.cusId, description: null, disputed: false, failure_code: c.failureCode, failure_message: failed ? 'Your card was declined.' : null,
    livemode: false, metadata: {},
    outcome: failed
      ? { network_status: 'declined_by_network', reason: c.declineCode, risk_level: 'normal', seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' }
      : { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
    paid: !failed, payment_intent: c.piId, payment_method: c.pmId,
    payment_method_details: { type: 'card', card: { brand: 'visa', checks: null, country: 'US', exp_month: c.card.expMonth, exp_year: c.card.expYear, fingerprint: null, funding: 'credit', last4: '4242', network: 'visa' } },
    receipt_url: null, refunded: false, status: c.status,
  });
}

/**
 * A demo customer's address, preferred locales and tax exemption, derived from its index
 * and currency (not drawn, so the seeded sequence of everything else is unchanged). About
 * one customer in 13 has no address on file, as in real accounts.
 */
function customerPlace(i: number, currency: string): { address: Record<string, unknown> | null; locales: string[]; taxExempt: string } {
  const taxExempt = i % 29 === 7 ? 'exempt' : currency === 'eur' && i % 11 === 3 ? 'reverse' : 'none';
  if (i % 13 === 12) return { address: null, locales: [], taxExempt };
  const places: Record<string, [string, string | null, string[]][]> = {
    usd: [['US', 'CA', ['en-US']], ['US', 'NY', ['en-US']], ['US', 'TX', ['en-US', 'es']], ['US', 'WA', ['en-US']], ['CA', 'ON', ['en-CA', 'fr-CA']]],
    eur: [['DE', 'BE', ['de-DE', 'en']], ['FR', null, ['fr-FR']], ['NL', null, ['nl', 'en']], ['ES', 'M', ['es-ES']], ['IE', null, ['en-IE']]],
    gbp: [['GB', 'ENG', ['en-GB']], ['GB', 'SCT', ['en-GB']]],
  };
  const list = places[currency] ?? places.usd!;
  const [country, state, locales] = list[i % list.length]!;
  return { address: { city: null, country, line1: null, line2: null, postal_code: null, state }, locales, taxExempt };
}
