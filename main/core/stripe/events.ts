import type Stripe from 'stripe';
import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';
import { isStripeError } from './client';
import { expandForRetrieve } from './expanded';
import type { Writable, Writers } from './map';

/**
 * Which events the sync reads, and how each becomes a write.
 *
 * Streams: `types[]` takes at most 20 exact event names
 * (https://docs.stripe.com/api/events/list#list_events-types), so the types are
 * split by the object they carry; events about one object always fall in the
 * same stream, so each stream's order is all that matters.
 */
export const EVENT_STREAMS = {
  customers: [
    'customer.created',
    'customer.updated',
    'customer.deleted',
    'customer.discount.created',
    'customer.discount.updated',
    'customer.discount.deleted',
    'customer.source.created',
    'customer.source.updated',
    'customer.source.deleted',
    'payment_method.attached',
    'payment_method.updated',
    'payment_method.automatically_updated',
    'payment_method.detached',
  ],
  subscriptions: [
    'customer.subscription.created',
    'customer.subscription.updated',
    'customer.subscription.deleted',
    'customer.subscription.paused',
    'customer.subscription.resumed',
    'customer.subscription.pending_update_applied',
    'customer.subscription.pending_update_expired',
    'customer.subscription.trial_will_end',
  ],
  invoices: [
    'invoice.created',
    'invoice.updated',
    'invoice.finalized',
    'invoice.paid',
    'invoice.payment_failed',
    'invoice.payment_succeeded',
    'invoice.payment_action_required',
    'invoice.voided',
    'invoice.marked_uncollectible',
    'invoice.deleted',
    'invoice.overdue',
    // Not invoice.upcoming: its preview invoice has no id, so there is nothing to store (#17 item 9).
    'invoice_payment.paid',
  ],
  payments: [
    'charge.succeeded',
    'charge.failed',
    'charge.refunded',
    'charge.updated',
    'charge.captured',
    'payment_intent.created',
    'payment_intent.succeeded',
    'payment_intent.payment_failed',
    'payment_intent.canceled',
    'payment_intent.processing',
    'payment_intent.requires_action',
    'refund.created',
    'refund.updated',
    'refund.failed',
  ],
  catalog: ['product.created', 'product.updated', 'product.deleted', 'price.created', 'price.updated', 'price.deleted', 'coupon.created', 'coupon.updated', 'coupon.deleted'],
} as const satisfies Record<string, readonly string[]>;
export type StreamName = keyof typeof EVENT_STREAMS;
for (const [name, types] of Object.entries(EVENT_STREAMS)) if (types.length > 20) throw new Error(`event stream ${name} has more than 20 types`);

export type Step =
  | { kind: 'skip'; event: Stripe.Event; reason: string }
  | { kind: 'apply'; event: Stripe.Event; objectId: string; apply: () => void };

/** The fields the planner reads from an event's object, whatever API version rendered it. */
interface Loose {
  object: string;
  id?: string | null;
  created?: number;
  customer?: string | { id: string } | null;
  payment_intent?: string | { id: string } | null;
  discounts?: (string | { id: string })[];
}
const ref = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === 'string' ? v : v.id);

type Fetched = Writable | { missing: true } | { error: string };

/**
 * Turns one page of events (oldest first) into steps, fetching what must be
 * re-read first, so the database transaction that applies them makes no request.
 *
 * An event's object is re-fetched by id in the pinned version when:
 * - the event was rendered in another API version (`event.api_version`):
 *   "each event's data is rendered according to the API version at its creation
 *   time" (https://docs.stripe.com/api/events/list), so its shape is not the one
 *   the writers are typed for;
 * - another event about the same object has the same `created` second, here or
 *   in an earlier page: Stripe's order inside a second is not defined and event
 *   ids are not ordered, so neither payload can be trusted to be the later one;
 *   the re-fetched object is the current state, newer than both;
 * - a subscription names discounts the database does not know (ids, not objects).
 * customer.discount.* re-reads the customer (its `discount`); charges and payment
 * intents whose payment intent has no known invoice payment read the invoice
 * payments of that payment intent (the invoice link since 2025-03-31.basil).
 */
export async function planEvents(
  events: Stripe.Event[],
  ctx: { stripe: Stripe; db: Sqlite; writers: Writers; pinned: string; logger: Logger },
): Promise<Step[]> {
  const { stripe, writers } = ctx;
  const lastApplied = ctx.db.prepare('SELECT event_created, event_id FROM sync_event_objects WHERE object_id = ?');
  const remember = ctx.db.prepare('INSERT OR REPLACE INTO sync_event_objects (object_id, event_created, event_id) VALUES (?,?,?)');
  const seenInPage = new Map<string, number>();
  const toFetch = new Map<string, { object: string; id: string; customer?: string | null }>();
  const linkPis = new Set<string>();
  type Draft = { event: Stripe.Event; target: { object: string; id: string } | null; payload: Writable | null; skip?: string };
  const drafts: Draft[] = [];

  for (const e of events) {
    const obj = e.data.object as unknown as Loose;
    const sameVersion = e.api_version === ctx.pinned;
    const payload = sameVersion ? (e.data.object as unknown as Writable) : null;
    if (!obj.id) {
      drafts.push({ event: e, target: null, payload: null, skip: `${e.type}: object without id` });
      continue;
    }
    if (e.type.startsWith('customer.discount.')) {
      const customer = ref(obj.customer);
      if (!customer) drafts.push({ event: e, target: null, payload: null, skip: 'discount without customer' });
      else {
        toFetch.set(`customer:${customer}`, { object: 'customer', id: customer });
        drafts.push({ event: e, target: { object: 'customer', id: customer }, payload: null });
      }
      continue;
    }
    if (e.type.startsWith('customer.source.')) {
      // Card sources keep their shape across versions; other source types carry no card expiry.
      if (obj.object !== 'card') drafts.push({ event: e, target: null, payload: null, skip: `${obj.object} source` });
      else drafts.push({ event: e, target: null, payload: { ...(e.data.object as unknown as Stripe.Card), ...(e.type === 'customer.source.deleted' ? { deleted: true } : {}) } as Writable });
      continue;
    }
    if (e.type.endsWith('.deleted') && e.type !== 'customer.subscription.deleted') {
      // The object is gone: nothing to re-fetch; a deletion marker is the same in every version.
      drafts.push({ event: e, target: null, payload: { id: obj.id, object: obj.object, deleted: true } as Writable });
      continue;
    }
    const id = obj.id;
    const last = lastApplied.get(id) as { event_created: number; event_id: string } | undefined;
    const ambiguous = seenInPage.get(id) === e.created || (last !== undefined && last.event_created === e.created && last.event_id !== e.id);
    seenInPage.set(id, e.created);
    const unknownDiscounts = obj.object === 'subscription' && (obj.discounts ?? []).some((d) => typeof d === 'string' && !writers.knownDiscount(d));
    const refetch = !sameVersion || ambiguous || unknownDiscounts;
    if (refetch) toFetch.set(`${obj.object}:${id}`, { object: obj.object, id });
    if (obj.object === 'charge' || obj.object === 'payment_intent') {
      const pi = obj.object === 'payment_intent' ? id : ref(obj.payment_intent);
      if (pi && !writers.invoiceOfPi(pi)) linkPis.add(pi);
    }
    drafts.push({ event: e, target: refetch ? { object: obj.object, id } : null, payload });
  }

  const fetched = new Map<string, Fetched>();
  for (const [k, t] of toFetch) fetched.set(k, await retrieve(stripe, t));
  const payments: Stripe.InvoicePayment[] = [];
  for (const pi of linkPis) {
    try {
      const list = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: pi }, limit: 10 });
      payments.push(...list.data);
    } catch (err) {
      if (!isStripeError(err) || err.type === 'StripeConnectionError' || err.type === 'StripeAPIError') throw err;
      ctx.logger.warn({ pi, err: err.message }, 'invoice payments of a payment intent could not be read');
    }
  }

  const steps: Step[] = [];
  let linked = false;
  for (const d of drafts) {
    const e = d.event;
    if (d.skip) {
      steps.push({ kind: 'skip', event: e, reason: d.skip });
      continue;
    }
    let obj: Writable | null = d.payload;
    let problem: string | null = null;
    if (d.target) {
      const f = fetched.get(`${d.target.object}:${d.target.id}`)!;
      if ('missing' in f) {
        // Deleted since the event; its own deletion event follows (or the payload, if in our version, is the last state).
        if (!obj) {
          steps.push({ kind: 'skip', event: e, reason: 'object no longer exists' });
          continue;
        }
      } else if ('error' in f) problem = f.error;
      else obj = f;
    }
    const objectId = d.target?.id ?? (obj as { id?: string } | null)?.id ?? '';
    if (!obj && !problem) {
      steps.push({ kind: 'skip', event: e, reason: 'nothing to write' });
      continue;
    }
    const first = !linked;
    linked = true;
    steps.push({
      kind: 'apply',
      event: e,
      objectId,
      apply: () => {
        if (first) for (const p of payments) writers.invoice_payment(p);
        if (problem) throw new Error(problem);
        const r = writers.write(obj!);
        if (!r.written) throw new Error(r.reason);
        remember.run(objectId, e.created, e.id);
      },
    });
  }
  return steps;
}

async function retrieve(stripe: Stripe, t: { object: string; id: string }): Promise<Fetched> {
  try {
    switch (t.object) {
      case 'customer':
        return await stripe.customers.retrieve(t.id, { expand: expandForRetrieve('customers') });
      case 'subscription':
        return await stripe.subscriptions.retrieve(t.id, { expand: expandForRetrieve('subscriptions') });
      case 'invoice':
        return await stripe.invoices.retrieve(t.id, {});
      case 'invoice_payment':
        return await stripe.invoicePayments.retrieve(t.id, {});
      case 'payment_intent':
        return await stripe.paymentIntents.retrieve(t.id, {});
      case 'charge':
        return await stripe.charges.retrieve(t.id, {});
      case 'payment_method':
        return await stripe.paymentMethods.retrieve(t.id, {});
      case 'refund':
        return await stripe.refunds.retrieve(t.id, {});
      case 'product':
        return await stripe.products.retrieve(t.id, {});
      case 'price':
        return await stripe.prices.retrieve(t.id, { expand: expandForRetrieve('prices') });
      case 'coupon':
        return await stripe.coupons.retrieve(t.id, {});
      default:
        return { error: `cannot re-read a ${t.object}` };
    }
  } catch (err) {
    if (!isStripeError(err)) throw err;
    if (err.code === 'resource_missing' || err.statusCode === 404) return { missing: true };
    // Network trouble and Stripe outages stop the sync (the cursor stays; the next run resumes);
    // a refusal about this one object (403, 400) is that event's failure only.
    if (err.statusCode === undefined || err.statusCode >= 500 || err.statusCode === 429) throw err;
    return { error: err.message };
  }
}
