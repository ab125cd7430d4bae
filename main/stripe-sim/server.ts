import crypto from 'node:crypto';
import http from 'node:http';
import { addFactsCases, expandFactsCases } from './facts-cases';
import { createWrites, SimStripeError, type SimWrites } from './writes';
import { expandPath } from './expand';
import { createSubscriptionChanges } from './subscription-change';
import { DAY, DEMO_HISTORY, generateBusiness, HARD_DECLINES, invoicePayment, makeCharge, makeEvent, makePaymentIntent, prng, SEQ, SIM_DEFAULT_NOW, SOFT_DECLINES, subscriptionParent, type Obj, type SimData } from './generator';
import { PINNED_VERSION, renderVersion, shape, type Links } from './shapes';

/**
 * A local Stripe-compatible HTTP server (loopback only) for tests and the demo
 * workspace: Stripe's list pagination, the Events API with 30-day retention,
 * restricted keys with per-key permissions (403 naming the missing one), 401
 * for unknown or live keys, 429 rate limiting, Idempotency-Key replay, Stripe
 * error objects, and fault knobs (5xx, slow, dropped, truncated).
 *
 * Objects are served in the shape of the API version the request names
 * (`Stripe-Version`, else the account's version); events in the version they
 * were created in (see ./shapes.ts). The account's version is configurable and
 * can change between syncs (`setApiVersion`), like an account upgrade.
 *
 * Routing is a table (`ROUTES`, method + path pattern → handler), so write
 * endpoints are added by appending a row.
 */
export interface SimOptions {
  seed?: number;
  customers?: number;
  now?: number;
  rateLimit?: { perSecond: number } | null;
  /** The account's API version: events are rendered in it (default: the SDK's pinned version). */
  apiVersion?: string;
  /** Add the fact-computation customers of facts-cases.ts (currencies, tiers, discounts, cards, declines). */
  factsCases?: boolean;
  /**
   * Stripe's Smart Retries (Settings → Billing → Revenue recovery), on unless false: open failed
   * invoices carry `next_payment_attempt` and the clock's advance retries them. Off, as Reclaim's plan
   * advises: no invoice has a retry scheduled.
   */
  smartRetries?: boolean;
  /** #19: invoices of the last 100 days left open for the demo history to replay (generator.ts DEMO_HISTORY). */
  history?: boolean;
}
export type Fault =
  | { kind: '5xx'; status?: number; rate: number }
  | { kind: 'slow'; ms: number; rate: number }
  | { kind: 'drop'; rate: number }
  | { kind: 'truncate'; rate: number }
  /** Accepts the request and never answers (`midBody`: sends the headers and part of the body, then stalls). */
  | { kind: 'hang'; rate: number; midBody?: boolean }
  | { kind: '429'; rate: number };

export interface StripeSim {
  url: string;
  host: string;
  port: number;
  protocol: 'http';
  accountId: string;
  addKey(key: string, permissions: string[] | 'all'): void;
  setFaults(faults: Fault[], opts?: { seed?: number }): void;
  advance(seconds: number): void;
  now(): number;
  counts(): Record<string, number>;
  snapshot(): SimData;
  requestLog: { method: string; path: string; status: number; idempotencyKey?: string }[];
  /** Recovery writes (#12): executions per Idempotency-Key, payments per invoice, simulated customer responses. */
  writes: SimWrites;
  close(): Promise<void>;
  /** Changes the account's API version: later events are rendered in it. */
  setApiVersion(version: string): void;
  /** Moves the clock without any activity. */
  tick(seconds: number): void;
  /** Changes a subscription and emits customer.subscription.updated (at the current second). */
  updateSubscription(id: string, patch: Record<string, unknown>): void;
  /** Deletes a customer, coupon, product, price or draft invoice, with its *.deleted event. */
  remove(id: string): void;
  /** Detaches a payment method (payment_method.detached: its customer is null). */
  detachPaymentMethod(id: string): void;
  /** Puts a customer-level discount on a customer (customer.discount.created), or removes it (customer.discount.deleted). */
  setCustomerDiscount(customerId: string, couponId: string | null): void;
  /** Adds a card source to a customer as its default_source (customer.source.created); returns its id. */
  addCardSource(customerId: string, card: { exp_month: number; exp_year: number }): string;
  /** Deletes a card source (customer.source.deleted). */
  deleteSource(customerId: string, cardId: string): void;
  /** Emits invoice.upcoming for a subscription: a preview invoice without an id. */
  upcomingInvoice(subscriptionId: string): void;
  /** Creates an open invoice without a customer (invoice.created). */
  invoiceWithoutCustomer(): string;
  /** Creates a draft invoice for a customer (invoice.created); returns its id. */
  draftInvoice(customerId: string): string;
}

export function randomTestKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `rk_test_${Array.from(crypto.randomBytes(24), (b) => abc[b % abc.length]).join('')}`;
}

const mask = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

type ListName = Exclude<keyof SimData, 'account'>;
const RESOURCES: Record<string, { list: ListName; read: string; write?: string }> = {
  customers: { list: 'customers', read: 'rak_customer_read', write: 'rak_customer_write' },
  products: { list: 'products', read: 'rak_product_read' },
  prices: { list: 'prices', read: 'rak_plan_read' },
  coupons: { list: 'coupons', read: 'rak_coupon_read', write: 'rak_coupon_write' },
  subscriptions: { list: 'subscriptions', read: 'rak_subscription_read', write: 'rak_subscription_write' },
  invoices: { list: 'invoices', read: 'rak_invoice_read', write: 'rak_invoice_write' },
  payment_intents: { list: 'payment_intents', read: 'rak_payment_intent_read' },
  charges: { list: 'charges', read: 'rak_charge_read' },
  payment_methods: { list: 'payment_methods', read: 'rak_payment_method_read' },
  invoice_payments: { list: 'invoice_payments', read: 'rak_invoice_read' },
  refunds: { list: 'refunds', read: 'rak_refund_read' },
  events: { list: 'events', read: 'rak_event_read' },
};

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}
const invalid = (status: number, message: string, extra: Record<string, unknown> = {}) =>
  new StripeError(status, { type: 'invalid_request_error', message, ...extra });

/** Parses a form-encoded body or query into a flat map (keys like `metadata[plan]`, `types[]`). */
function parseForm(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [raw, v] of new URLSearchParams(text)) {
    // Arrays arrive as `types[]=a` or, from Stripe's own clients, `types[0]=a`.
    const k = raw.replace(/\[\d+\]$/, '[]');
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  }
  return m;
}

export function startStripeSim(opts: SimOptions = {}): Promise<StripeSim> {
  const seed = opts.seed ?? 1;
  let clock = opts.now ?? SIM_DEFAULT_NOW;
  let accountVersion = opts.apiVersion ?? PINNED_VERSION;
  const data = generateBusiness({ seed, customers: opts.customers ?? 200, now: clock, apiVersion: accountVersion, ...(opts.history ? { history: DEMO_HISTORY } : {}) });
  const facts = opts.factsCases ? addFactsCases(data, clock) : null;
  const smartRetries = opts.smartRetries !== false;
  if (!smartRetries) for (const inv of data.invoices) inv.next_payment_attempt = null;
  const byId = new Map<string, Obj>();
  const index = () => {
    byId.clear();
    for (const k of Object.keys(RESOURCES)) for (const o of data[RESOURCES[k]!.list]) byId.set(o.id, o);
    for (const d of data.discounts) byId.set(d.id, d);
    // Card sources of the facts cases: expandable (customer.default_source), not listed.
    for (const src of facts?.sources ?? []) byId.set(src.id, src);
  };
  index();
  // Lists are newest first, like Stripe; kept sorted on insert. Stripe does not
  // define the order of events inside one second (and their ids are random), so
  // the server lists same-second events in the order least kind to a client that
  // trusts list order: the earlier-created first (i.e. as if it were the newer).
  const order = (a: Obj, b: Obj) => b.created - a.created || (a.object === 'event' ? (SEQ.get(a) ?? 0) - (SEQ.get(b) ?? 0) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  for (const k of Object.keys(RESOURCES)) data[RESOURCES[k]!.list].sort(order);
  const links: Links = {
    byId: (id) => byId.get(id),
    invoiceOfPi: (pi) => (data.invoice_payments.find((p) => (p.payment as { payment_intent: string }).payment_intent === pi)?.invoice as string | undefined) ?? null,
    piOfInvoice: (inv) => ((data.invoice_payments.find((p) => p.invoice === inv)?.payment as { payment_intent: string } | undefined)?.payment_intent ?? null),
  };

  const keys = new Map<string, Set<string> | 'all'>();
  const buckets = new Map<string, { tokens: number; at: number }>();
  const idempotency = new Map<string, { hash: string; status: number; body: string }>();
  let faults: Fault[] = [];
  let faultRng = prng(seed);
  const requestLog: StripeSim['requestLog'] = [];
  const rate = opts.rateLimit === undefined ? { perSecond: 25 } : opts.rateLimit;
  const advanceRng = prng(seed * 31 + 7);

  const emit = (type: string, obj: Record<string, unknown>) => {
    const e = makeEvent(advanceRng, type, obj, clock, accountVersion);
    // Listed after the events already in its second (see `order`): the newest of a second is not listed first.
    let at = 0;
    while (at < data.events.length && data.events[at]!.created >= clock) at++;
    data.events.splice(at, 0, e);
    byId.set(e.id, e);
    version++;
  };
  const insert = (list: ListName, o: Obj) => {
    data[list].unshift(o);
    byId.set(o.id, o);
    version++;
  };

  function authorize(req: http.IncomingMessage): { key: string; perms: Set<string> | 'all' } {
    const h = req.headers.authorization ?? '';
    let key = '';
    if (h.startsWith('Bearer ')) key = h.slice(7).trim();
    else if (h.startsWith('Basic ')) key = Buffer.from(h.slice(6), 'base64').toString().split(':')[0] ?? '';
    if (!key) throw invalid(401, 'You did not provide an API key. You need to provide your API key in the Authorization header.');
    const perms = keys.get(key);
    if (!perms) throw invalid(401, `Invalid API Key provided: ${mask(key)}`);
    return { key, perms };
  }

  /**
   * A restricted key without the permission gets Stripe's 403, which names the
   * account and the missing `rak_…` permission (https://docs.stripe.com/keys#limit-access,
   * https://docs.stripe.com/error-codes: permission errors are 403 invalid_request_error).
   */
  function need(perms: Set<string> | 'all', key: string, permission: string) {
    if (perms === 'all' || perms.has(permission)) return;
    throw invalid(403, `The provided key '${mask(key)}' does not have the required permissions for this endpoint on account '${data.account.id}'. Having the '${permission}' permission would allow this request to continue.`);
  }

  /**
   * Stripe's rate limiter answers 429 (https://docs.stripe.com/rate-limits); it documents no
   * Retry-After header, so none is sent. `Stripe-Rate-Limited-Reason` says which limiter refused.
   */
  function rateLimited(key: string): boolean {
    if (!rate) return false;
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: rate.perSecond, at: now };
    b.tokens = Math.min(rate.perSecond, b.tokens + ((now - b.at) / 1000) * rate.perSecond);
    b.at = now;
    buckets.set(key, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  // Filtered, ordered views are cached per query shape until the data changes,
  // with an id → position index, so paging deep into a large list stays cheap.
  let version = 0;
  // Recovery writes (invoice pay with outcomes, coupons, subscription discounts; writes.ts)
  // are tried before the routes below; the Idempotency-Key of the request being served is
  // counted there per execution (replays are answered from the idempotency cache above it).
  let currentIdem: string | null = null;
  const changes = createSubscriptionChanges({ data, byId, now: () => clock, rng: prng(seed * 131 + 29), insert, emit, touch: () => version++ });
  const writes = createWrites({
    seed, data, byId, now: () => clock, insert, emit, touch: () => version++,
    remove: (k, o) => {
      data[k].splice(data[k].indexOf(o), 1);
      byId.delete(o.id);
      version++;
    },
    changeItems: changes.apply,
    invoicePaid: changes.invoicePaid,
  });
  const views = new Map<string, { version: number; items: Obj[]; pos: Map<string, number> }>();
  function view(name: string, q: Map<string, string[]>, filter: (items: Obj[]) => Obj[]) {
    // Paging and time bounds are applied on the cached view (binary search on `created`), so they are not part of its key.
    const shape = name + JSON.stringify([...q].filter(([k]) => !['limit', 'starting_after', 'ending_before', 'expand[]'].includes(k) && !k.startsWith('created[')));
    let v = views.get(shape);
    if (!v || v.version !== version) {
      const items = filter(data[RESOURCES[name]!.list]);
      v = { version, items, pos: new Map(items.map((o, i) => [o.id, i])) };
      views.set(shape, v);
    }
    return v;
  }

  function list(name: string, q: Map<string, string[]>, path: string, version: string) {
    const one = (k: string) => q.get(k)?.[0];
    const { items, pos } = view(name, q, (all) => filterList(name, all, q));
    const limitRaw = one('limit');
    const limit = limitRaw === undefined ? 10 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid(400, 'Invalid integer: limit must be between 1 and 100', { param: 'limit', code: 'parameter_invalid_integer' });
    // Items are newest first: created[lte|lt] cut the head, created[gte|gt] the tail.
    const firstWhere = (pred: (o: Obj) => boolean) => {
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pred(items[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const num = (k: string) => (one(k) === undefined ? undefined : Number(one(k)));
    const [lte, lt, gte, gt] = [num('created[lte]'), num('created[lt]'), num('created[gte]'), num('created[gt]')];
    let lo = 0;
    let end = items.length;
    if (lte !== undefined) lo = Math.max(lo, firstWhere((o) => o.created <= lte));
    if (lt !== undefined) lo = Math.max(lo, firstWhere((o) => o.created < lt));
    if (gte !== undefined) end = Math.min(end, firstWhere((o) => o.created < gte));
    if (gt !== undefined) end = Math.min(end, firstWhere((o) => o.created <= gt));
    let start = lo;
    // A cursor object that no longer exists (deleted since) is a 400 resource_missing, not an empty page
    // (https://docs.stripe.com/api/pagination: starting_after/ending_before are object ids).
    const after = one('starting_after');
    const before = one('ending_before');
    if (after) {
      const i = pos.get(after);
      if (i === undefined) throw invalid(400, `No such ${name.replace(/s$/, '')}: '${after}'`, { param: 'starting_after', code: 'resource_missing' });
      start = Math.max(lo, i + 1);
    }
    let page = items.slice(start, Math.min(end, start + limit));
    let hasMore = start + limit < end;
    if (before && !after) {
      const i = pos.get(before);
      if (i === undefined) throw invalid(400, `No such ${name.replace(/s$/, '')}: '${before}'`, { param: 'ending_before', code: 'resource_missing' });
      const from = Math.max(lo, i - limit);
      page = items.slice(from, Math.min(i, end));
      hasMore = from > lo;
    }
    const expand = (q.get('expand[]') ?? []).filter((e) => e.startsWith('data.')).map((e) => e.slice(5));
    return { object: 'list', data: page.map((o) => render(o, expand, version)), has_more: hasMore, url: path };
  }

  /** Expands ids named by `expand` paths (https://docs.stripe.com/expand) and renders the object in `apiVersion`. */
  function render(o: Obj, expand: string[], apiVersion: string): Obj {
    if (o.object === 'event') {
      const d = o.data as { object: Obj };
      return { ...o, data: { ...d, object: renderVersion(d.object, o.api_version as string, links) } };
    }
    let out: Obj = o;
    for (const path of expand) out = expandPath(out, path.split('.'), (id) => byId.get(id)) as Obj;
    if (facts) out = expandFactsCases(facts, out, expand);
    return renderVersion(out, apiVersion, links);
  }

  function filterList(name: string, all: Obj[], q: Map<string, string[]>): Obj[] {
    let items = all;
    const one = (k: string) => q.get(k)?.[0];
    if (one('customer')) items = items.filter((o) => o.customer === one('customer'));
    if (name === 'subscriptions') {
      const status = one('status');
      if (status !== 'all') items = items.filter((o) => (status ? o.status === status : o.status !== 'canceled' && o.status !== 'incomplete_expired'));
    }
    if (name === 'payment_methods' && one('type')) items = items.filter((o) => o.type === one('type'));
    if (name === 'invoices' && one('status')) items = items.filter((o) => o.status === one('status'));
    if (name === 'invoice_payments') {
      if (one('invoice')) items = items.filter((o) => o.invoice === one('invoice'));
      const pi = one('payment[payment_intent]');
      if (pi) items = items.filter((o) => (o.payment as { payment_intent?: string }).payment_intent === pi);
    }
    if (name === 'events') {
      items = items.filter((o) => o.created >= clock - 30 * DAY);
      const types = [...(q.get('types[]') ?? []), ...(q.get('type') ?? [])];
      if (types.length) items = items.filter((o) => types.includes(o.type as string));
    }
    return items;
  }

  function pay(invoice: Obj): { status: number; body: Record<string, unknown> } {
    if (invoice.status !== 'open') throw invalid(400, invoice.status === 'paid' ? 'Invoice is already paid' : `You cannot pay an invoice whose status is ${String(invoice.status)}.`);
    const customer = byId.get(invoice.customer as string)!;
    const inpay = data.invoice_payments.find((p) => p.invoice === invoice.id);
    const piId = (inpay?.payment as { payment_intent: string } | undefined)?.payment_intent ?? '';
    const pm = data.payment_methods.find((p) => p.customer === customer.id);
    const card = (pm?.card ?? {}) as { exp_month: number; exp_year: number };
    const lastCharge = data.charges.find((c) => c.invoice === invoice.id && c.status === 'failed');
    const lastCode = (lastCharge?.outcome as { reason?: string } | undefined)?.reason ?? null;
    const expired = card.exp_year * 100 + card.exp_month < Number(new Date(clock * 1000).toISOString().slice(0, 7).replace('-', ''));
    const hard = expired || (lastCode !== null && HARD_DECLINES.includes(lastCode));
    const succeed = !hard && advanceRng.chance(0.55);
    invoice.attempt_count = (invoice.attempt_count as number) + 1;
    const charge = makeCharge(advanceRng, {
      cusId: customer.id, piId, pmId: pm?.id ?? '', amount: invoice.amount_due as number, currency: invoice.currency as string, created: clock,
      status: succeed ? 'succeeded' : 'failed', failureCode: succeed ? null : expired ? 'expired_card' : 'card_declined', declineCode: succeed ? null : expired ? 'expired_card' : hard ? lastCode : advanceRng.pick(SOFT_DECLINES),
      card: { expMonth: card.exp_month, expYear: card.exp_year },
    });
    insert('charges', charge);
    if (succeed) {
      Object.assign(invoice, { status: 'paid', paid: true, amount_paid: invoice.amount_due, amount_remaining: 0, next_payment_attempt: null });
      (invoice.status_transitions as Record<string, unknown>).paid_at = clock;
      if (inpay) {
        Object.assign(inpay, { status: 'paid', amount_paid: invoice.amount_due });
        (inpay.status_transitions as Record<string, unknown>).paid_at = clock;
      }
      const pi = byId.get(piId);
      if (pi) Object.assign(pi, { status: 'succeeded', amount_received: invoice.amount_due, latest_charge: charge.id, last_payment_error: null });
      emit('charge.succeeded', charge);
      if (pi) emit('payment_intent.succeeded', pi);
      emit('invoice.paid', invoice);
      if (inpay) emit('invoice_payment.paid', inpay);
      return { status: 200, body: invoice };
    }
    const failedPi = byId.get(piId);
    if (failedPi) Object.assign(failedPi, { latest_charge: charge.id, last_payment_error: { code: charge.failure_code, decline_code: (charge.outcome as { reason: string }).reason, message: 'Your card was declined.', type: 'card_error', charge: charge.id } });
    emit('charge.failed', charge);
    if (failedPi) emit('payment_intent.payment_failed', failedPi);
    emit('invoice.payment_failed', invoice);
    return { status: 402, body: { error: { type: 'card_error', code: charge.failure_code, decline_code: (charge.outcome as { reason: string }).reason, message: 'Your card was declined.', charge: charge.id } } };
  }

  interface Req {
    method: string;
    path: string;
    params: string[];
    q: Map<string, string[]>;
    body: Map<string, string[]>;
    auth: { key: string; perms: Set<string> | 'all' };
    /** The API version the request asks for (Stripe-Version), else the account's. */
    apiVersion: string;
  }
  type Handler = (r: Req) => { status: number; body: unknown };
  const found = (name: string, id: string): Obj => {
    const o = byId.get(id);
    if (!o || listOf(o) !== RESOURCES[name]!.list) throw invalid(404, `No such ${name.replace(/s$/, '')}: '${id}'`, { code: 'resource_missing', param: 'id' });
    return o;
  };
  const getList: Handler = (r) => {
    need(r.auth.perms, r.auth.key, RESOURCES[r.params[0]!]!.read);
    return { status: 200, body: list(r.params[0]!, r.q, r.path, r.apiVersion) };
  };
  const getOne: Handler = (r) => {
    const [name, id] = r.params as [string, string];
    need(r.auth.perms, r.auth.key, RESOURCES[name]!.read);
    const o = found(name, id);
    return { status: 200, body: render(o, r.q.get('expand[]') ?? [], r.apiVersion) };
  };
  const writeNeeded = (r: Req, name: string) => {
    const w = RESOURCES[name]!.write;
    if (!w) throw invalid(404, `Unrecognized request URL (${r.method}: ${r.path}).`);
    need(r.auth.perms, r.auth.key, w);
  };

  /**
   * Every endpoint: method, path pattern (captures become `params`), handler.
   * The first match wins; a path that matches none is Stripe's 404.
   */
  const ROUTES: [string, RegExp, Handler][] = [
    [
      'GET',
      /^\/v1\/account$/,
      (r) => {
        // Restricted keys need an account permission for this endpoint; least-privilege keys get a 403 naming it,
        // like every other endpoint (https://docs.stripe.com/keys#limit-access).
        need(r.auth.perms, r.auth.key, 'rak_account_read');
        return { status: 200, body: { id: data.account.id, object: 'account', business_profile: { name: data.account.name }, charges_enabled: true, country: 'US', default_currency: data.account.currency, email: null, settings: { dashboard: { display_name: data.account.name, timezone: 'Etc/UTC' } }, type: 'standard' } };
      },
    ],
    [
      'POST',
      /^\/v1\/coupons$/,
      (r) => {
        writeNeeded(r, 'coupons');
        const body = r.body;
        const percent = body.get('percent_off')?.[0];
        const amount = body.get('amount_off')?.[0];
        if (!percent && !amount) throw invalid(400, 'Must provide either percent_off or amount_off', { param: 'percent_off' });
        const coupon: Obj = { id: body.get('id')?.[0] ?? `cpn_${crypto.randomBytes(6).toString('hex')}`, object: 'coupon', amount_off: amount ? Number(amount) : null, currency: body.get('currency')?.[0] ?? null, duration: body.get('duration')?.[0] ?? 'once', duration_in_months: body.get('duration_in_months') ? Number(body.get('duration_in_months')![0]) : null, created: clock, livemode: false, max_redemptions: null, metadata: {}, name: body.get('name')?.[0] ?? null, percent_off: percent ? Number(percent) : null, redeem_by: null, times_redeemed: 0, valid: true };
        if (byId.has(coupon.id)) throw invalid(400, 'Coupon already exists.', { code: 'resource_already_exists' });
        insert('coupons', coupon);
        emit('coupon.created', coupon);
        return { status: 200, body: coupon };
      },
    ],
    [
      'POST',
      /^\/v1\/(invoices)\/([A-Za-z0-9_]+)\/pay$/,
      (r) => {
        writeNeeded(r, 'invoices');
        return pay(found('invoices', r.params[1]!));
      },
    ],
    [
      'POST',
      /^\/v1\/(customers)\/([A-Za-z0-9_]+)$/,
      (r) => {
        writeNeeded(r, 'customers');
        const o = found('customers', r.params[1]!);
        for (const [k, v] of r.body) {
          const meta = /^metadata\[(.+)\]$/.exec(k);
          if (meta) (o.metadata as Record<string, string>)[meta[1]!] = v[0]!;
          else if (['email', 'name', 'description'].includes(k)) o[k] = v[0];
        }
        emit('customer.updated', o);
        return { status: 200, body: render(o, [], r.apiVersion) };
      },
    ],
    [
      'POST',
      /^\/v1\/(coupons)\/([A-Za-z0-9_]+)$/,
      (r) => {
        writeNeeded(r, 'coupons');
        return { status: 200, body: found('coupons', r.params[1]!) };
      },
    ],
    ['GET', /^\/v1\/([a-z_]+)$/, getList],
    ['GET', /^\/v1\/([a-z_]+)\/([A-Za-z0-9_]+)$/, getOne],
  ];

  function route(r: Omit<Req, 'params'>): { status: number; body: unknown } {
    if (r.method === 'POST' && r.path === '/v1/invoices/create_preview') {
      // A preview creates nothing (SDK: "the invoice has not yet been created"): reading invoices is enough here.
      need(r.auth.perms, r.auth.key, 'rak_invoice_read');
      return { status: 200, body: render(changes.preview(r.body), r.body.get('expand[]') ?? [], r.apiVersion) };
    }
    if (r.method === 'POST' || r.method === 'DELETE') {
      const m = /^\/v1\/([a-z_]+)(?:\/([A-Za-z0-9_]+))?(?:\/([a-z_]+))?$/.exec(r.path);
      if (m && RESOURCES[m[1]!]) {
        const [, name, id, action] = m;
        const write = name === 'invoices' ? 'rak_invoice_write' : RESOURCES[name!]!.write;
        if (write && (name === 'invoices' || name === 'coupons' || name === 'subscriptions')) {
          need(r.auth.perms, r.auth.key, write);
          const handled = writes.route({ method: r.method, name: name!, id, action, body: r.body, idempotencyKey: currentIdem });
          if (handled) return handled.status === 200 && handled.body && typeof handled.body === 'object' ? { status: 200, body: render(handled.body as Obj, r.body.get('expand[]') ?? [], r.apiVersion) } : handled;
        }
      }
    }
    for (const [method, pattern, handler] of ROUTES) {
      if (method !== r.method) continue;
      const m = pattern.exec(r.path);
      if (!m) continue;
      const params = m.slice(1);
      // Captured resource names must be ones the server knows.
      if (params[0] && (handler === getList || handler === getOne) && !RESOURCES[params[0]]) break;
      return handler({ ...r, params });
    }
    throw invalid(404, `Unrecognized request URL (${r.method}: ${r.path}).`);
  }

  const listOf = (o: Obj): string => `${o.object}s`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(Buffer.concat(chunks).toString('utf8')));
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(payload);
      requestLog.push({ method: req.method ?? '', path: req.url ?? '', status, ...(req.headers['idempotency-key'] ? { idempotencyKey: String(req.headers['idempotency-key']) } : {}) });
      res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': `req_${crypto.randomBytes(7).toString('hex')}`, 'Stripe-Version': req.headers['stripe-version'] ? String(req.headers['stripe-version']) : accountVersion, ...headers });
      res.end(text);
      return text;
    };
    const handle = async (raw: string) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      for (const f of faults) {
        if (faultRng.next() >= f.rate) continue;
        if (f.kind === 'slow') await new Promise((r) => setTimeout(r, f.ms));
        else if (f.kind === 'drop') return void req.socket.destroy();
        else if (f.kind === '5xx') return void send(f.status ?? 500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
        else if (f.kind === '429') return void send(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } }, { 'Stripe-Rate-Limited-Reason': 'endpoint-rate', 'Stripe-Should-Retry': 'true' });
        else if (f.kind === 'truncate') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4096' });
          res.write('{"object": "list", "data": [{"id": "cus_');
          return void setTimeout(() => req.socket.destroy(), 5);
        } else if (f.kind === 'hang') {
          // The connection stays open until the client gives up (or the server closes).
          if (f.midBody) {
            res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4096' });
            res.write('{"object": "list", "data": [{"id": "cus_');
          }
          return;
        }
      }
      try {
        const auth = authorize(req);
        if (rateLimited(auth.key)) {
          return void send(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' } }, { 'Stripe-Rate-Limited-Reason': 'global-rate', 'Stripe-Should-Retry': 'true' });
        }
        const method = req.method ?? 'GET';
        const requestVersion = req.headers['stripe-version'] ? String(req.headers['stripe-version']) : accountVersion;
        const idem = req.headers['idempotency-key'] ? String(req.headers['idempotency-key']) : null;
        const hash = crypto.createHash('sha256').update(`${method} ${url.pathname} ${raw}`).digest('hex');
        if (method === 'POST' && idem) {
          const prior = idempotency.get(`${auth.key}:${idem}`);
          if (prior) {
            if (prior.hash !== hash) throw invalid(400, `Keys for idempotent requests can only be used with the same parameters they were first used with.`, { type: 'idempotency_error' });
            return void send(prior.status, JSON.parse(prior.body), { 'Idempotent-Replayed': 'true' });
          }
        }
        let result: { status: number; body: unknown };
        currentIdem = method === 'POST' ? idem : null;
        try {
          result = route({ method, path: url.pathname, q: parseForm(url.search.slice(1)), body: parseForm(raw), auth, apiVersion: requestVersion });
        } catch (e) {
          if (e instanceof SimStripeError) result = { status: e.status, body: { error: e.body } };
          else if (!(e instanceof StripeError)) throw e;
          else result = { status: e.status, body: { error: e.body } };
        }
        const text = send(result.status, result.body);
        if (method === 'POST' && idem && result.status < 500) idempotency.set(`${auth.key}:${idem}`, { hash, status: result.status, body: text });
      } catch (e) {
        if (e instanceof StripeError) return void send(e.status, { error: e.body }, e.headers);
        send(500, { error: { type: 'api_error', message: String(e) } });
      }
    };
  });

  /** Moves the clock: some past-due invoices are paid, renewals fail, customers sign up — all with events. */
  function advance(seconds: number): void {
    const end = clock + seconds;
    const steps = Math.max(1, Math.ceil(seconds / DAY));
    for (let s = 0; s < steps; s++) {
      clock = Math.min(end, clock + Math.ceil(seconds / steps));
      for (const inv of data.invoices.filter((i) => i.status === 'open' && i.next_payment_attempt !== null && (i.next_payment_attempt as number) <= clock)) {
        pay(inv);
        if (inv.status === 'open') inv.next_payment_attempt = (inv.attempt_count as number) >= 4 ? null : clock + 3 * DAY;
      }
      const renewing = data.subscriptions.filter((sub) => sub.status === 'active' && advanceRng.chance(0.01));
      for (const sub of renewing) {
        const inv = data.invoices.find((i) => i.id === sub.latest_invoice);
        if (!inv) continue;
        const pm = data.payment_methods.find((p) => p.customer === sub.customer);
        const freshId = advanceRng.id('in_');
        const piId = advanceRng.id('pi_', 24);
        const fresh: Obj = { ...structuredClone(inv), id: freshId, created: clock, status: 'open', amount_paid: 0, amount_remaining: inv.amount_due, attempt_count: 1, next_payment_attempt: smartRetries ? clock + 3 * DAY : null, billing_reason: 'subscription_cycle', parent: subscriptionParent(sub.id), status_transitions: { finalized_at: clock, paid_at: null, marked_uncollectible_at: null, voided_at: null } };
        insert('invoices', fresh);
        insert('invoice_payments', invoicePayment(advanceRng, { invoice: freshId, pi: piId, amount: fresh.amount_due as number, currency: fresh.currency as string, created: clock, paidAt: null }));
        const pi = makePaymentIntent({ id: piId, cusId: sub.customer as string, pmId: pm?.id ?? '', amount: fresh.amount_due as number, currency: fresh.currency as string, created: clock, description: `Invoice ${String(fresh.number)}` });
        insert('payment_intents', pi);
        const card = (pm?.card ?? { exp_month: 1, exp_year: 2030 }) as { exp_month: number; exp_year: number };
        const code = advanceRng.pick(SOFT_DECLINES);
        const charge = makeCharge(advanceRng, { cusId: sub.customer as string, piId, pmId: pm?.id ?? '', amount: fresh.amount_due as number, currency: fresh.currency as string, created: clock, status: 'failed', failureCode: 'card_declined', declineCode: code, card: { expMonth: card.exp_month, expYear: card.exp_year } });
        pi.latest_charge = charge.id;
        pi.last_payment_error = { code: 'card_declined', decline_code: code, message: 'Your card was declined.', type: 'card_error', charge: charge.id };
        insert('charges', charge);
        sub.status = 'past_due';
        sub.latest_invoice = fresh.id;
        emit('payment_intent.payment_failed', pi);
        emit('charge.failed', charge);
        emit('invoice.payment_failed', fresh);
        emit('customer.subscription.updated', sub);
      }
      if (advanceRng.chance(0.5)) {
        // A new account arrives (possibly migrated with its history): every object is new to the sync, so each gets an event.
        const extra = generateBusiness({ seed: advanceRng.int(1, 1e9), customers: 1, now: clock });
        for (const d of extra.discounts) {
          byId.set(d.id, d);
          data.discounts.push(d);
        }
        for (const k of ['customers', 'payment_methods', 'subscriptions', 'invoices', 'invoice_payments', 'payment_intents', 'charges', 'refunds'] as const) {
          for (const o of extra[k]) {
            insert(k, o);
            if (k === 'invoice_payments') continue;
            emit(k === 'charges' ? `charge.${o.status === 'failed' ? 'failed' : 'succeeded'}` : k === 'payment_methods' ? 'payment_method.attached' : `${o.object === 'subscription' ? 'customer.subscription' : o.object}.created`, o);
          }
        }
      }
    }
    for (const k of Object.keys(RESOURCES)) data[RESOURCES[k]!.list].sort(order);
    version++;
  }

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        host: '127.0.0.1',
        port,
        protocol: 'http',
        accountId: data.account.id,
        addKey(key, permissions) {
          if (!/^(rk|sk)_test_[A-Za-z0-9]{8,}$/.test(key)) throw new Error('the local Stripe server accepts only test keys (rk_test_… / sk_test_…)');
          keys.set(key, key.startsWith('sk_') || permissions === 'all' ? 'all' : new Set(permissions));
        },
        setFaults(f, o) {
          faults = f;
          faultRng = prng(o?.seed ?? seed);
        },
        advance,
        now: () => clock,
        counts: () => Object.fromEntries(Object.entries(RESOURCES).map(([k, r]) => [k, data[r.list].length])),
        snapshot: () => structuredClone(data),
        requestLog,
        writes,
        setApiVersion(v) {
          accountVersion = v;
        },
        tick(seconds) {
          clock += seconds;
          version++;
        },
        updateSubscription(id, patch) {
          const sub = byId.get(id);
          if (!sub || sub.object !== 'subscription') throw new Error(`no subscription ${id}`);
          Object.assign(sub, patch);
          emit('customer.subscription.updated', sub);
        },
        remove(id) {
          const o = byId.get(id);
          if (!o) throw new Error(`no object ${id}`);
          if (o.object === 'invoice' && o.status !== 'draft') throw new Error('only draft invoices can be deleted');
          const list = data[`${o.object}s` as ListName];
          if (o.object === 'customer') {
            // A deleted customer stays retrievable as { id, object, deleted: true } (https://docs.stripe.com/api/customers/delete).
            list.splice(list.indexOf(o), 1);
            emit('customer.deleted', o);
            byId.set(id, { id, object: 'customer', deleted: true } as unknown as Obj);
          } else {
            list.splice(list.indexOf(o), 1);
            byId.delete(id);
            emit(`${o.object}.deleted`, o);
          }
          version++;
        },
        detachPaymentMethod(id) {
          const pm = byId.get(id);
          if (!pm || pm.object !== 'payment_method') throw new Error(`no payment method ${id}`);
          const owner = byId.get(pm.customer as string);
          pm.customer = null;
          emit('payment_method.detached', pm);
          const settings = owner?.invoice_settings as Record<string, unknown> | undefined;
          if (owner && settings?.default_payment_method === id) {
            settings.default_payment_method = null;
            emit('customer.updated', owner);
          }
        },
        setCustomerDiscount(customerId, couponId) {
          const c = byId.get(customerId);
          if (!c) throw new Error(`no customer ${customerId}`);
          const before = c.discount as Obj | null;
          if (couponId) {
            const d = shape('discount', { id: advanceRng.id('di_'), object: 'discount', customer: customerId, end: null, start: clock, subscription: null, source: { coupon: couponId, type: 'coupon' } }) as unknown as Obj;
            data.discounts.push(d);
            byId.set(d.id, d);
            c.discount = d;
            emit(before ? 'customer.discount.updated' : 'customer.discount.created', d);
          } else if (before) {
            c.discount = null;
            emit('customer.discount.deleted', before);
          }
        },
        addCardSource(customerId, card) {
          const c = byId.get(customerId);
          if (!c) throw new Error(`no customer ${customerId}`);
          const src = { id: advanceRng.id('card_', 24), object: 'card', address_city: null, address_country: null, address_line1: null, address_line1_check: null, address_line2: null, address_state: null, address_zip: null, address_zip_check: null, brand: 'Visa', country: 'US', customer: customerId, cvc_check: 'pass', dynamic_last4: null, exp_month: card.exp_month, exp_year: card.exp_year, fingerprint: advanceRng.id('', 16), funding: 'credit', last4: '4242', metadata: {}, name: null, tokenization_method: null, wallet: null };
          byId.set(src.id, src as unknown as Obj);
          c.default_source = src.id;
          emit('customer.source.created', src);
          emit('customer.updated', c);
          return src.id;
        },
        deleteSource(customerId, cardId) {
          const c = byId.get(customerId);
          const src = byId.get(cardId);
          if (!c || !src) throw new Error('no such source');
          byId.delete(cardId);
          if (c.default_source === cardId) c.default_source = null;
          emit('customer.source.deleted', { ...src, deleted: true });
          emit('customer.updated', c);
        },
        upcomingInvoice(subscriptionId) {
          const sub = byId.get(subscriptionId);
          const last = data.invoices.find((i) => (i.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details?.subscription === subscriptionId);
          if (!sub || !last) throw new Error(`no invoice for ${subscriptionId}`);
          // The upcoming invoice is a preview: it has no id (https://docs.stripe.com/api/invoices/create_preview).
          const { id: _id, ...preview } = structuredClone(last);
          void _id;
          emit('invoice.upcoming', { ...preview, id: null, status: 'draft', number: null, created: clock + 3 * DAY, attempt_count: 0, attempted: false, hosted_invoice_url: null, status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null } });
        },
        invoiceWithoutCustomer() {
          const inv = structuredClone(data.invoices[0]!);
          Object.assign(inv, { id: advanceRng.id('in_'), created: clock, customer: null, customer_email: null, customer_name: null, parent: null, status: 'open', amount_paid: 0, amount_remaining: inv.amount_due, attempt_count: 0, next_payment_attempt: null });
          insert('invoices', inv);
          emit('invoice.created', inv);
          return inv.id;
        },
        draftInvoice(customerId) {
          const inv = structuredClone(data.invoices.find((i) => i.customer === customerId) ?? data.invoices[0]!);
          Object.assign(inv, { id: advanceRng.id('in_'), created: clock, customer: customerId, status: 'draft', number: null, amount_paid: 0, amount_remaining: inv.amount_due, attempt_count: 0, attempted: false, next_payment_attempt: null, status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null } });
          insert('invoices', inv);
          emit('invoice.created', inv);
          return inv.id;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
