import crypto from 'node:crypto';
import { DAY, HARD_DECLINES, makeCharge, prng, SOFT_DECLINES, type Obj, type Rng, type SimData } from './generator';
import { applyDiscounts } from './discounts';

/**
 * The local Stripe server's writes for recovery (#12), kept apart from
 * server.ts (which only forwards POSTs here first):
 *
 * - `POST /v1/invoices/:id/pay` — the outcome depends on the decline type and
 *   the time since the first failure: a hard decline (lost/stolen/pickup card,
 *   incorrect number, fraudulent, expired card) declines again with the same
 *   code; soft declines succeed with a probability by code — insufficient funds
 *   starts low and rises with days since failure (payday), do-not-honor and
 *   generic declines sit near 35%, issuer hiccups (try_again_later,
 *   processing_error) near 75%. Draws are a hash of (seed, invoice, attempt),
 *   so the same request sequence gives the same outcomes. A paid, void or
 *   uncollectible invoice answers a 400 invalid_request_error that names no
 *   error code (Stripe's list of codes has no "invoice not open"; callers look
 *   at the invoice). `attempt_count` follows the SDK's doc comment: "Any payment
 *   attempt counts as the first attempt, and subsequently only automatic retries
 *   increment the attempt count. In other words, manual payment attempts after
 *   the first attempt do not affect the retry schedule." A manual pay therefore
 *   raises it only from 0; the draws count manual attempts separately.
 * - `POST /v1/coupons` (percent or amount, currency_options, duration, max_redemptions, metadata),
 *   `DELETE /v1/coupons/:id`,
 *   `POST /v1/subscriptions/:id` (`discounts` overwrite the list, see ./discounts.ts; `items` price switch, metadata).
 *  * - Every executed (not replayed) POST is counted per Idempotency-Key
 *   (`executions()`), so tests can prove a resumed run never charged twice.
 *
 * Customer-response model (`respond`): after Reclaim emails a customer (or
 * makes an offer), the simulated customer pays through the hosted invoice page
 * with probability
 *     p = base(segment) × tone(tone) × channel(channel) × exp(−days since first failure / 14)
 * base: Enterprise .55, New Customer .40, Loyal Customer .40, Growth .30, Starter .22, At-Risk .15, other .25;
 * tone: white_glove 1.2, warm 1.15, supportive 1.0, firm .95, concise .9;
 * channel: email 1.0, offer 1.35 (others 1.0); capped at .9. The draw is a hash of
 * (seed, invoice, step), so the demo is reproducible. Hard-declined cards only
 * pay when the customer adds a new card (same model: the hosted page takes a new card).
 */
export interface WriteContext {
  seed: number;
  data: SimData;
  byId: Map<string, Obj>;
  now(): number;
  insert(list: 'charges' | 'coupons' | 'invoices' | 'discounts', o: Obj): void;
  remove(list: 'coupons', o: Obj): void;
  emit(type: string, o: Obj): void;
  touch(): void;
  /** Item price changes with prorations (subscription-change.ts); false when the body changes no price. */
  changeItems?(sub: Obj, body: Map<string, string[]>): boolean;
  /** A paid invoice applies its subscription's pending update (subscription-change.ts). */
  invoicePaid?(invoice: Obj): void;
}

export interface RouteInput {
  method: string;
  name: string;
  id: string | undefined;
  action: string | undefined;
  body: Map<string, string[]>;
  idempotencyKey: string | null;
}

export type RouteResult = { status: number; body: unknown } | null;

export class SimStripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}
const invalid = (status: number, message: string, extra: Record<string, unknown> = {}) => new SimStripeError(status, { type: 'invalid_request_error', message, ...extra });

/** A uniform draw in [0, 1) from a string: stable across runs and processes. */
export function draw(...parts: (string | number)[]): number {
  const h = crypto.createHash('sha256').update(parts.join('|')).digest();
  return h.readUInt32BE(0) / 4294967296;
}

export const RESPONSE_MODEL = {
  base: { Enterprise: 0.55, 'New Customer': 0.4, 'Loyal Customer': 0.4, Growth: 0.3, Starter: 0.22, 'At-Risk': 0.15 } as Record<string, number>,
  otherBase: 0.25,
  tone: { white_glove: 1.2, warm: 1.15, supportive: 1.0, firm: 0.95, concise: 0.9 } as Record<string, number>,
  channel: { email: 1.0, offer: 1.35 } as Record<string, number>,
  decayDays: 14,
  cap: 0.9,
};

export function responseProbability(a: { segment: string; tone: string | null; channel: string; daysSinceFailure: number }): number {
  const base = RESPONSE_MODEL.base[a.segment.replace(/ \(\d+\)$/, '')] ?? RESPONSE_MODEL.otherBase;
  const p = base * (RESPONSE_MODEL.tone[a.tone ?? 'supportive'] ?? 1) * (RESPONSE_MODEL.channel[a.channel] ?? 1) * Math.exp(-Math.max(0, a.daysSinceFailure) / RESPONSE_MODEL.decayDays);
  return Math.min(RESPONSE_MODEL.cap, p);
}

export function retrySuccessProbability(code: string | null, daysSinceFailure: number): number {
  if (code === null) return 0.5;
  if (HARD_DECLINES.includes(code)) return 0;
  switch (code) {
    case 'insufficient_funds':
      return Math.min(0.7, 0.15 + 0.06 * Math.max(0, daysSinceFailure));
    case 'try_again_later':
    case 'processing_error':
      return 0.75;
    case 'do_not_honor':
    case 'generic_decline':
      return 0.35;
    default:
      return 0.4;
  }
}

export function createWrites(w: WriteContext) {
  const executions = new Map<string, number>();
  const paid = new Map<string, number>();
  /** Manual (POST …/pay) attempts per invoice: Stripe's attempt_count does not count them after the first. */
  const manual = new Map<string, number>();
  /** Test control: the outcome every manual pay of an invoice gets, instead of the model's draw. */
  const outcomes = new Map<string, 'pay' | 'decline'>();
  const rng: Rng = prng(w.seed * 131 + 17);

  // In the pinned API version an invoice reaches its payments through invoice payments
  // (charge.invoice and invoice.payment_intent are gone: https://docs.stripe.com/api/invoice-payment).
  // Indexes by invoice and PaymentIntent, rebuilt when a list has grown (a demo history asks thousands of times).
  let paymentsIndex: { n: number; byInvoice: Map<string, Obj[]> } | null = null;
  let chargesIndex: { n: number; byPi: Map<string, Obj[]> } | null = null;
  const paymentsOf = (invoiceId: string): Obj[] => {
    if (paymentsIndex?.n !== w.data.invoice_payments.length) paymentsIndex = { n: w.data.invoice_payments.length, byInvoice: groupBy(w.data.invoice_payments, (p) => p.invoice as string) };
    return paymentsIndex.byInvoice.get(invoiceId) ?? [];
  };
  const chargesOf = (pi: string): Obj[] => {
    if (chargesIndex?.n !== w.data.charges.length) chargesIndex = { n: w.data.charges.length, byPi: groupBy(w.data.charges, (c) => c.payment_intent as string) };
    return chargesIndex.byPi.get(pi) ?? [];
  };
  const invoicePaymentOf = (invoiceId: string): Obj | undefined => paymentsOf(invoiceId)[0];
  const piOf = (invoiceId: string): string => ((invoicePaymentOf(invoiceId)?.payment as { payment_intent?: string } | undefined)?.payment_intent ?? '');
  const failedCharges = (invoiceId: string) => {
    const pis = new Set(paymentsOf(invoiceId).map((p) => (p.payment as { payment_intent?: string }).payment_intent ?? ''));
    return [...pis].flatMap((pi) => chargesOf(pi)).filter((c) => c.status === 'failed').sort((a, b) => a.created - b.created);
  };
  const subscriptionOf = (invoice: Obj): string | null =>
    (invoice.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details?.subscription ?? null;

  function markPaid(invoice: Obj, via: 'retry' | 'hosted_page'): Obj {
    const customer = w.byId.get(invoice.customer as string)!;
    const pm = w.data.payment_methods.find((p) => p.customer === customer.id);
    const card = (pm?.card ?? { exp_month: 12, exp_year: 2031 }) as { exp_month: number; exp_year: number };
    const charge = makeCharge(rng, {
      cusId: customer.id, piId: piOf(invoice.id), pmId: pm?.id ?? '', amount: invoice.amount_remaining as number, currency: invoice.currency as string,
      created: w.now(), status: 'succeeded', failureCode: null, declineCode: null, card: { expMonth: card.exp_month, expYear: card.exp_year },
    });
    charge.metadata = { paid_via: via };
    w.insert('charges', charge);
    Object.assign(invoice, { status: 'paid', paid: true, amount_paid: invoice.amount_due, amount_remaining: 0, next_payment_attempt: null, attempt_count: Math.max(invoice.attempt_count as number, via === 'retry' ? 1 : 0) });
    (invoice.status_transitions as Record<string, unknown>).paid_at = w.now();
    paid.set(invoice.id, (paid.get(invoice.id) ?? 0) + 1);
    const inpay = invoicePaymentOf(invoice.id);
    if (inpay) {
      Object.assign(inpay, { status: 'paid', amount_paid: invoice.amount_due });
      (inpay.status_transitions as Record<string, unknown>).paid_at = w.now();
    }
    const pi = w.byId.get(piOf(invoice.id));
    if (pi) Object.assign(pi, { status: 'succeeded', amount_received: invoice.amount_due, latest_charge: charge.id, last_payment_error: null });
    const subId = subscriptionOf(invoice);
    const sub = subId ? w.byId.get(subId) : undefined;
    if (sub && sub.status === 'past_due') {
      sub.status = 'active';
      w.emit('customer.subscription.updated', sub);
    }
    w.invoicePaid?.(invoice);
    w.emit('charge.succeeded', charge);
    if (pi) w.emit('payment_intent.succeeded', pi);
    w.emit('invoice.paid', invoice);
    if (inpay) w.emit('invoice_payment.paid', inpay);
    w.touch();
    return charge;
  }

  function pay(invoice: Obj): { status: number; body: unknown } {
    if (invoice.status === 'paid') throw invalid(400, 'Invoice is already paid');
    if (invoice.status !== 'open') throw invalid(400, `You cannot pay an invoice whose status is ${String(invoice.status)}.`);
    const tries = manual.get(invoice.id) ?? 0;
    manual.set(invoice.id, tries + 1);
    const failures = failedCharges(invoice.id);
    const last = failures[failures.length - 1];
    const lastCode = (last?.outcome as { reason?: string } | undefined)?.reason ?? null;
    const customer = w.byId.get(invoice.customer as string)!;
    const pm = w.data.payment_methods.find((p) => p.customer === customer.id);
    const card = (pm?.card ?? { exp_month: 12, exp_year: 2031 }) as { exp_month: number; exp_year: number };
    const ym = Number(new Date(w.now() * 1000).toISOString().slice(0, 7).replace('-', ''));
    const expired = card.exp_year * 100 + card.exp_month < ym;
    const days = failures[0] ? (w.now() - failures[0].created) / DAY : 0;
    const p = expired ? 0 : retrySuccessProbability(lastCode, days);
    // Draw n of this invoice: Stripe's automatic attempts plus the manual ones (attempt_count no longer counts those).
    const forced = outcomes.get(invoice.id);
    const ok = forced ? forced === 'pay' : draw(w.seed, invoice.id, (invoice.attempt_count as number) + tries) < p;
    if (ok) {
      markPaid(invoice, 'retry');
      return { status: 200, body: invoice };
    }
    // A hard decline repeats itself; otherwise an expired card is what the issuer says now.
    const code = lastCode !== null && HARD_DECLINES.includes(lastCode) ? lastCode : expired ? 'expired_card' : (lastCode ?? rng.pick(SOFT_DECLINES));
    // "Any payment attempt counts as the first attempt": only a never-attempted invoice moves to 1.
    if ((invoice.attempt_count as number) === 0) invoice.attempt_count = 1;
    const charge = makeCharge(rng, {
      cusId: customer.id, piId: piOf(invoice.id), pmId: pm?.id ?? '', amount: invoice.amount_remaining as number, currency: invoice.currency as string,
      created: w.now(), status: 'failed', failureCode: code === 'expired_card' || code === 'incorrect_number' ? code : 'card_declined', declineCode: code, card: { expMonth: card.exp_month, expYear: card.exp_year },
    });
    w.insert('charges', charge);
    const failedPi = w.byId.get(piOf(invoice.id));
    if (failedPi) Object.assign(failedPi, { latest_charge: charge.id, last_payment_error: { code: charge.failure_code, decline_code: code, message: 'Your card was declined.', type: 'card_error', charge: charge.id } });
    w.emit('charge.failed', charge);
    if (failedPi) w.emit('payment_intent.payment_failed', failedPi);
    w.emit('invoice.payment_failed', invoice);
    return { status: 402, body: { error: { type: 'card_error', code: charge.failure_code, decline_code: code, message: 'Your card was declined.', charge: charge.id } } };
  }

  function one(body: Map<string, string[]>, k: string): string | undefined {
    return body.get(k)?.[0];
  }

  function createCoupon(body: Map<string, string[]>): Obj {
    const percent = one(body, 'percent_off');
    const amount = one(body, 'amount_off');
    if (!percent && !amount) throw invalid(400, 'Must provide either percent_off or amount_off', { param: 'percent_off' });
    if (amount && !one(body, 'currency')) throw invalid(400, 'You must pass currency when passing amount_off', { param: 'currency' });
    const duration = one(body, 'duration') ?? 'once';
    if (duration === 'repeating' && !one(body, 'duration_in_months')) throw invalid(400, 'duration_in_months is required when duration is repeating', { param: 'duration_in_months' });
    const metadata: Record<string, string> = {};
    for (const [k, v] of body) {
      const m = /^metadata\[(.+)\]$/.exec(k);
      if (m) metadata[m[1]!] = v[0]!;
    }
    // currency_options[jpy][amount_off]=1500: the amount for invoices in another currency.
    const currencyOptions: Record<string, { amount_off: number }> = {};
    for (const [k, v] of body) {
      const m = /^currency_options\[([a-z]{3})\]\[amount_off\]$/.exec(k);
      if (m) currencyOptions[m[1]!] = { amount_off: Number(v[0]) };
    }
    if (Object.keys(currencyOptions).length && !amount) throw invalid(400, 'currency_options is only supported if amount_off is passed', { param: 'currency_options' });
    const coupon: Obj = {
      id: one(body, 'id') ?? rng.id('', 8), object: 'coupon', amount_off: amount ? Number(amount) : null, currency: one(body, 'currency') ?? null, duration,
      ...(amount ? { currency_options: currencyOptions } : {}),
      duration_in_months: one(body, 'duration_in_months') ? Number(one(body, 'duration_in_months')) : null, created: w.now(), livemode: false,
      max_redemptions: one(body, 'max_redemptions') ? Number(one(body, 'max_redemptions')) : null, metadata, name: one(body, 'name') ?? null,
      percent_off: percent ? Number(percent) : null, redeem_by: null, times_redeemed: 0, valid: true,
    };
    if (w.byId.has(coupon.id)) throw invalid(400, 'Coupon already exists.', { code: 'resource_already_exists' });
    w.insert('coupons', coupon);
    w.emit('coupon.created', coupon);
    return coupon;
  }

  /** `DELETE /v1/coupons/:id`: "Deleting a coupon does not affect any customers who have already applied the coupon; it means that new customers can't redeem the coupon." */
  function deleteCoupon(id: string): Record<string, unknown> {
    const coupon = w.byId.get(id);
    if (!coupon || coupon.object !== 'coupon') throw invalid(404, `No such coupon: '${id}'`, { code: 'resource_missing', param: 'id' });
    w.remove('coupons', coupon);
    w.emit('coupon.deleted', coupon);
    return { id, object: 'coupon', deleted: true };
  }

  function updateSubscription(sub: Obj, body: Map<string, string[]>): Obj {
    applyDiscounts({ byId: w.byId, rng, now: w.now, insert: (o) => w.insert('discounts', o) }, sub, body, invalid);
    const price = w.changeItems?.(sub, body) ? null : one(body, 'items[0][price]');
    if (price) {
      const p = w.byId.get(price);
      if (!p || p.object !== 'price') throw invalid(400, `No such price: '${price}'`, { code: 'resource_missing', param: 'items[0][price]' });
      const items = sub.items as { data: Obj[] };
      items.data[0] = { ...items.data[0]!, price: p };
    }
    for (const [k, v] of body) {
      const m = /^metadata\[(.+)\]$/.exec(k);
      if (m) (sub.metadata as Record<string, string>)[m[1]!] = v[0]!;
    }
    w.emit('customer.subscription.updated', sub);
    w.touch();
    return sub;
  }

  return {
    /** Handles a POST the base server routes here; null when it is not one of ours. */
    route(r: RouteInput): RouteResult {
      if (r.method === 'DELETE') return r.name === 'coupons' && r.id ? { status: 200, body: deleteCoupon(r.id) } : null;
      if (r.method !== 'POST') return null;
      let result: RouteResult = null;
      if (r.name === 'invoices' && r.id && r.action === 'pay') {
        const inv = w.byId.get(r.id);
        if (!inv || inv.object !== 'invoice') throw invalid(404, `No such invoice: '${r.id}'`, { code: 'resource_missing', param: 'id' });
        result = pay(inv);
      } else if (r.name === 'coupons' && !r.id) {
        result = { status: 200, body: createCoupon(r.body) };
      } else if (r.name === 'subscriptions' && r.id && !r.action) {
        const sub = w.byId.get(r.id);
        if (!sub || sub.object !== 'subscription') throw invalid(404, `No such subscription: '${r.id}'`, { code: 'resource_missing', param: 'id' });
        result = { status: 200, body: updateSubscription(sub, r.body) };
      }
      if (result && r.idempotencyKey) executions.set(r.idempotencyKey, (executions.get(r.idempotencyKey) ?? 0) + 1);
      return result;
    },
    /** Executed (not replayed) POSTs per Idempotency-Key. */
    executions: () => new Map(executions),
    /** Successful payments per invoice (must never exceed 1). */
    payments: () => new Map(paid),
    /** Test control: every later manual pay of this invoice pays or declines (null: the model decides again). */
    setPayOutcome(invoiceId: string, outcome: 'pay' | 'decline' | null): void {
      if (outcome) outcomes.set(invoiceId, outcome);
      else outcomes.delete(invoiceId);
    },
    /** Test control: changes fields of an invoice or PaymentIntent as Stripe would (a Smart Retry scheduled, a debit processing), with its event. */
    patch(id: string, fields: Record<string, unknown>, eventType: string): Obj {
      const o = w.byId.get(id);
      if (!o || (o.object !== 'invoice' && o.object !== 'payment_intent')) throw new Error(`no invoice or PaymentIntent ${id}`);
      Object.assign(o, fields);
      w.emit(eventType, o);
      w.touch();
      return o;
    },
    /** The succeeded charge that paid an invoice (null while it is unpaid): what a sync would bring after a paid retry. */
    paidCharge(invoiceId: string): Obj | null {
      const inv = w.byId.get(invoiceId);
      if (!inv || inv.object !== 'invoice' || inv.status !== 'paid') return null;
      const charge = w.byId.get((w.byId.get(piOf(invoiceId))?.latest_charge as string | undefined) ?? '');
      return charge && charge.status === 'succeeded' ? charge : null;
    },
    /** The customer pays the invoice on its hosted page (tests and demos). */
    payOnHostedPage(invoiceId: string): Obj | null {
      const inv = w.byId.get(invoiceId);
      if (!inv || inv.object !== 'invoice' || inv.status !== 'open') return null;
      return markPaid(inv, 'hosted_page');
    },
    /**
     * A simulated customer reacting to an email or offer: pays through the
     * hosted invoice page with the documented probability. Returns the new
     * charge when they paid.
     */
    respond(a: { invoiceId: string; stepKey: string; segment: string; tone: string | null; channel: string; now?: number }): { paid: boolean; probability: number; charge: Obj | null } {
      const inv = w.byId.get(a.invoiceId);
      if (!inv || inv.object !== 'invoice' || inv.status !== 'open') return { paid: false, probability: 0, charge: null };
      const first = failedCharges(inv.id)[0];
      const days = first ? ((a.now ?? w.now()) - first.created) / DAY : 0;
      const probability = responseProbability({ segment: a.segment, tone: a.tone, channel: a.channel, daysSinceFailure: days });
      if (draw(w.seed, 'respond', inv.id, a.stepKey) >= probability) return { paid: false, probability, charge: null };
      return { paid: true, probability, charge: markPaid(inv, 'hosted_page') };
    },
  };
}

export type SimWrites = ReturnType<typeof createWrites>;
export { SimStripeError as WriteError };

function groupBy(list: Obj[], key: (o: Obj) => string): Map<string, Obj[]> {
  const m = new Map<string, Obj[]>();
  for (const o of list) {
    const k = key(o);
    const l = m.get(k);
    if (l) l.push(o);
    else m.set(k, [o]);
  }
  return m;
}
