import crypto from 'node:crypto';
import http from 'node:http';
import { createWrites, SimStripeError, type SimWrites } from './writes';
import { DAY, generateBusiness, HARD_DECLINES, makeCharge, prng, SOFT_DECLINES, type Obj, type SimData } from './generator';

/**
 * A local Stripe-compatible HTTP server (loopback only) for tests and the demo
 * workspace: Stripe's list pagination, the Events API with 30-day retention,
 * restricted keys with per-key permissions (403 naming the missing one), 401
 * for unknown or live keys, 429 rate limiting, Idempotency-Key replay, Stripe
 * error objects, and fault knobs (5xx, slow, dropped, truncated).
 */
export interface SimOptions {
  seed?: number;
  customers?: number;
  now?: number;
  rateLimit?: { perSecond: number } | null;
}
export type Fault =
  | { kind: '5xx'; status?: number; rate: number }
  | { kind: 'slow'; ms: number; rate: number }
  | { kind: 'drop'; rate: number }
  | { kind: 'truncate'; rate: number }
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
  refunds: { list: 'refunds', read: 'rak_charge_read' },
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
  let clock = opts.now ?? 1_793_491_200;
  const data = generateBusiness({ seed, customers: opts.customers ?? 200, now: clock });
  const byId = new Map<string, Obj>();
  const index = () => {
    byId.clear();
    for (const k of Object.keys(RESOURCES)) for (const o of data[RESOURCES[k]!.list]) byId.set(o.id, o);
  };
  index();
  // Lists are newest first, like Stripe; kept sorted on insert.
  const order = (a: Obj, b: Obj) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  for (const k of Object.keys(RESOURCES)) data[RESOURCES[k]!.list].sort(order);

  const keys = new Map<string, Set<string> | 'all'>();
  const buckets = new Map<string, { tokens: number; at: number }>();
  const idempotency = new Map<string, { hash: string; status: number; body: string }>();
  let faults: Fault[] = [];
  let faultRng = prng(seed);
  const requestLog: StripeSim['requestLog'] = [];
  const rate = opts.rateLimit === undefined ? { perSecond: 25 } : opts.rateLimit;
  let evtSeq = 0;
  const advanceRng = prng(seed * 31 + 7);

  const emit = (type: string, obj: Obj) => {
    evtSeq++;
    const e: Obj = { id: `evt_${String(clock).padStart(10, '0')}9${String(evtSeq).padStart(6, '0')}`, object: 'event', api_version: '2025-01-27.acacia', created: clock, data: { object: structuredClone(obj) }, livemode: false, pending_webhooks: 0, request: { id: null, idempotency_key: null }, type };
    data.events.unshift(e);
    byId.set(e.id, e);
    version++;
  };
  const insert = (list: ListName, o: Obj) => {
    data[list].unshift(o);
    byId.set(o.id, o);
    version++;
  };

  // Recovery writes live in writes.ts; POSTs go there first (see route()).
  let currentIdem: string | null = null;
  const writes = createWrites({ seed, data, byId, now: () => clock, insert, emit, touch: () => version++ });

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

  function need(perms: Set<string> | 'all', key: string, permission: string) {
    if (perms === 'all' || perms.has(permission)) return;
    throw invalid(403, `The provided key '${mask(key)}' does not have the required permissions for this endpoint on account '${data.account.id}'. Having the '${permission}' permission would allow this request to continue.`);
  }

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
  const views = new Map<string, { version: number; items: Obj[]; pos: Map<string, number> }>();
  function view(name: string, q: Map<string, string[]>, filter: (items: Obj[]) => Obj[]) {
    const shape = name + JSON.stringify([...q].filter(([k]) => !['limit', 'starting_after', 'ending_before', 'expand[]'].includes(k)));
    let v = views.get(shape);
    if (!v || v.version !== version) {
      const items = filter(data[RESOURCES[name]!.list]);
      v = { version, items, pos: new Map(items.map((o, i) => [o.id, i])) };
      views.set(shape, v);
    }
    return v;
  }

  function list(name: string, q: Map<string, string[]>, path: string) {
    const one = (k: string) => q.get(k)?.[0];
    const { items, pos } = view(name, q, (all) => filterList(name, all, q));
    const limitRaw = one('limit');
    const limit = limitRaw === undefined ? 10 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid(400, 'Invalid integer: limit must be between 1 and 100', { param: 'limit', code: 'parameter_invalid_integer' });
    let start = 0;
    const after = one('starting_after');
    const before = one('ending_before');
    if (after) {
      const i = pos.get(after);
      if (i === undefined) throw invalid(400, `No such ${name.replace(/s$/, '')}: '${after}'`, { param: 'starting_after', code: 'resource_missing' });
      start = i + 1;
    }
    let page = items.slice(start, start + limit);
    let hasMore = start + limit < items.length;
    if (before && !after) {
      const i = pos.get(before);
      if (i === undefined) throw invalid(400, `No such ${name.replace(/s$/, '')}: '${before}'`, { param: 'ending_before', code: 'resource_missing' });
      page = items.slice(Math.max(0, i - limit), i);
      hasMore = i - limit > 0;
    }
    const expand = q.get('expand[]') ?? [];
    if (name === 'prices' && expand.includes('data.product')) page = page.map((p) => ({ ...p, product: byId.get(p.product as string) ?? p.product }));
    if (name === 'customers' && expand.includes('data.invoice_settings.default_payment_method')) {
      page = page.map((c) => {
        const settings = c.invoice_settings as Record<string, unknown>;
        const pm = typeof settings.default_payment_method === 'string' ? byId.get(settings.default_payment_method) : undefined;
        return pm ? { ...c, invoice_settings: { ...settings, default_payment_method: pm } } : c;
      });
    }
    return { object: 'list', data: page, has_more: hasMore, url: path };
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
    if (name === 'events') {
      items = items.filter((o) => o.created >= clock - 30 * DAY);
      const types = [...(q.get('types[]') ?? []), ...(q.get('type') ?? [])];
      if (types.length) items = items.filter((o) => types.includes(o.type as string));
    }
    for (const [op, test] of [
      ['gt', (a: number, b: number) => a > b],
      ['gte', (a: number, b: number) => a >= b],
      ['lt', (a: number, b: number) => a < b],
      ['lte', (a: number, b: number) => a <= b],
    ] as const) {
      const v = one(`created[${op}]`);
      if (v !== undefined) items = items.filter((o) => test(o.created, Number(v)));
    }
    return items;
  }

  function pay(invoice: Obj): { status: number; body: Record<string, unknown> } {
    if (invoice.status !== 'open') throw invalid(400, 'Invoice is already paid', { code: 'invoice_not_open' });
    const customer = byId.get(invoice.customer as string)!;
    const pm = data.payment_methods.find((p) => p.customer === customer.id);
    const card = (pm?.card ?? {}) as { exp_month: number; exp_year: number };
    const lastCharge = data.charges.find((c) => c.invoice === invoice.id && c.status === 'failed');
    const lastCode = (lastCharge?.outcome as { reason?: string } | undefined)?.reason ?? null;
    const expired = card.exp_year * 100 + card.exp_month < Number(new Date(clock * 1000).toISOString().slice(0, 7).replace('-', ''));
    const hard = expired || (lastCode !== null && HARD_DECLINES.includes(lastCode));
    const succeed = !hard && advanceRng.chance(0.55);
    invoice.attempt_count = (invoice.attempt_count as number) + 1;
    const charge = makeCharge(advanceRng, {
      cusId: customer.id, inId: invoice.id, piId: invoice.payment_intent as string, pmId: pm?.id ?? '', amount: invoice.amount_due as number, currency: invoice.currency as string, created: clock,
      status: succeed ? 'succeeded' : 'failed', failureCode: succeed ? null : expired ? 'expired_card' : 'card_declined', declineCode: succeed ? null : expired ? 'expired_card' : hard ? lastCode : advanceRng.pick(SOFT_DECLINES),
      card: { expMonth: card.exp_month, expYear: card.exp_year },
    });
    insert('charges', charge);
    if (succeed) {
      Object.assign(invoice, { status: 'paid', paid: true, amount_paid: invoice.amount_due, amount_remaining: 0, next_payment_attempt: null });
      (invoice.status_transitions as Record<string, unknown>).paid_at = clock;
      emit('charge.succeeded', charge);
      emit('invoice.paid', invoice);
      return { status: 200, body: invoice };
    }
    emit('charge.failed', charge);
    emit('invoice.payment_failed', invoice);
    return { status: 402, body: { error: { type: 'card_error', code: charge.failure_code, decline_code: (charge.outcome as { reason: string }).reason, message: 'Your card was declined.', charge: charge.id } } };
  }

  function route(method: string, path: string, q: Map<string, string[]>, body: Map<string, string[]>, auth: { key: string; perms: Set<string> | 'all' }): { status: number; body: unknown } {
    if (path === '/v1/account' && method === 'GET') {
      return { status: 200, body: { id: data.account.id, object: 'account', business_profile: { name: data.account.name }, charges_enabled: true, country: 'US', default_currency: data.account.currency, email: null, settings: { dashboard: { display_name: data.account.name, timezone: 'Etc/UTC' } }, type: 'standard' } };
    }
    const m = /^\/v1\/([a-z_]+)(?:\/([A-Za-z0-9_]+))?(?:\/([a-z_]+))?$/.exec(path);
    const spec = m ? RESOURCES[m[1]!] : undefined;
    if (!m || !spec) throw invalid(404, `Unrecognized request URL (${method}: ${path}).`);
    const [, name, id, action] = m;
    if (method === 'GET') {
      need(auth.perms, auth.key, spec.read);
      if (!id) return { status: 200, body: list(name!, q, path) };
      const o = byId.get(id);
      if (!o || listOf(o) !== spec.list) throw invalid(404, `No such ${name!.replace(/s$/, '')}: '${id}'`, { code: 'resource_missing', param: 'id' });
      return { status: 200, body: o };
    }
    if (method === 'POST') {
      const write = name === 'invoices' ? 'rak_invoice_write' : spec.write;
      if (!write) throw invalid(404, `Unrecognized request URL (${method}: ${path}).`);
      need(auth.perms, auth.key, write);
      const handled = writes.route({ method, name: name!, id, action, body, idempotencyKey: currentIdem });
      if (handled) return handled;
      if (name === 'coupons' && !id) {
        const percent = body.get('percent_off')?.[0];
        const amount = body.get('amount_off')?.[0];
        if (!percent && !amount) throw invalid(400, 'Must provide either percent_off or amount_off', { param: 'percent_off' });
        const coupon: Obj = { id: body.get('id')?.[0] ?? `cpn_${crypto.randomBytes(6).toString('hex')}`, object: 'coupon', amount_off: amount ? Number(amount) : null, currency: body.get('currency')?.[0] ?? null, duration: body.get('duration')?.[0] ?? 'once', duration_in_months: body.get('duration_in_months') ? Number(body.get('duration_in_months')![0]) : null, created: clock, livemode: false, max_redemptions: null, metadata: {}, name: body.get('name')?.[0] ?? null, percent_off: percent ? Number(percent) : null, redeem_by: null, times_redeemed: 0, valid: true };
        if (byId.has(coupon.id)) throw invalid(400, 'Coupon already exists.', { code: 'resource_already_exists' });
        insert('coupons', coupon);
        emit('coupon.created', coupon);
        return { status: 200, body: coupon };
      }
      const o = id ? byId.get(id) : undefined;
      if (!o || listOf(o) !== spec.list) throw invalid(404, `No such ${name!.replace(/s$/, '')}: '${id ?? ''}'`, { code: 'resource_missing', param: 'id' });
      if (name === 'invoices' && action === 'pay') return pay(o);
      if (name === 'customers' && !action) {
        for (const [k, v] of body) {
          const meta = /^metadata\[(.+)\]$/.exec(k);
          if (meta) (o.metadata as Record<string, string>)[meta[1]!] = v[0]!;
          else if (['email', 'name', 'description'].includes(k)) o[k] = v[0];
        }
        emit('customer.updated', o);
        return { status: 200, body: o };
      }
    }
    throw invalid(404, `Unrecognized request URL (${method}: ${path}).`);
  }

  const listOf = (o: Obj): string => `${o.object}s`;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(Buffer.concat(chunks).toString('utf8')));
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(payload);
      requestLog.push({ method: req.method ?? '', path: req.url ?? '', status, ...(req.headers['idempotency-key'] ? { idempotencyKey: String(req.headers['idempotency-key']) } : {}) });
      res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': `req_${crypto.randomBytes(7).toString('hex')}`, 'Stripe-Version': '2025-01-27.acacia', ...headers });
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
        else if (f.kind === '429') return void send(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } }, { 'Stripe-Should-Retry': 'true' });
        else if (f.kind === 'truncate') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4096' });
          res.write('{"object": "list", "data": [{"id": "cus_');
          return void setTimeout(() => req.socket.destroy(), 5);
        }
      }
      try {
        const auth = authorize(req);
        if (rateLimited(auth.key)) {
          return void send(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' } }, { 'Retry-After': '1', 'Stripe-Should-Retry': 'true' });
        }
        const method = req.method ?? 'GET';
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
          result = route(method, url.pathname, parseForm(url.search.slice(1)), parseForm(raw), auth);
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
        const fresh: Obj = { ...structuredClone(inv), id: advanceRng.id('in_'), created: clock, status: 'open', paid: false, amount_paid: 0, amount_remaining: inv.amount_due, attempt_count: 1, next_payment_attempt: clock + 3 * DAY, billing_reason: 'subscription_cycle', status_transitions: { finalized_at: clock, paid_at: null, marked_uncollectible_at: null, voided_at: null } };
        insert('invoices', fresh);
        const pm = data.payment_methods.find((p) => p.customer === sub.customer);
        const card = (pm?.card ?? { exp_month: 1, exp_year: 2030 }) as { exp_month: number; exp_year: number };
        const code = advanceRng.pick(SOFT_DECLINES);
        const charge = makeCharge(advanceRng, { cusId: sub.customer as string, inId: fresh.id, piId: fresh.payment_intent as string, pmId: pm?.id ?? '', amount: fresh.amount_due as number, currency: fresh.currency as string, created: clock, status: 'failed', failureCode: 'card_declined', declineCode: code, card: { expMonth: card.exp_month, expYear: card.exp_year } });
        insert('charges', charge);
        sub.status = 'past_due';
        sub.latest_invoice = fresh.id;
        emit('charge.failed', charge);
        emit('invoice.payment_failed', fresh);
        emit('customer.subscription.updated', sub);
      }
      if (advanceRng.chance(0.5)) {
        // A new account arrives (possibly migrated with its history): every object is new to the sync, so each gets an event.
        const extra = generateBusiness({ seed: advanceRng.int(1, 1e9), customers: 1, now: clock });
        for (const k of ['customers', 'payment_methods', 'subscriptions', 'invoices', 'payment_intents', 'charges', 'refunds'] as const) {
          for (const o of extra[k]) {
            insert(k, o);
            emit(k === 'charges' ? `charge.${o.status === 'failed' ? 'failed' : 'succeeded'}` : `${o.object === 'subscription' ? 'customer.subscription' : o.object}.created`, o);
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
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
