/**
 * Accepting the annual-billing offer (#17 item 13): the subscription's monthly
 * price is swapped for the same product's yearly price (found in synced
 * prices), first as a preview of what the customer will pay, then — confirmed —
 * as a `subscriptions.update`, audited.
 *
 * Stripe, as the pinned SDK documents it (Subscriptions.update): switching the
 * billing interval (monthly → yearly) "appl[ies] a credit for the unused time on
 * the previous price, immediately charge[s] the customer using the new price,
 * and reset[s] the billing date"; `proration_behavior` defaults to
 * `create_prorations` (we send it explicitly). The preview is
 * `invoices.createPreview` with `subscription_details.proration_date`, and the
 * update passes the same `proration_date` so "the actual proration is
 * calculated exactly the same as the previewed proration". "When changing a
 * subscription item's price, quantity is set to 1 unless a quantity parameter
 * is provided", so the item's quantity is sent. `payment_behavior:
 * 'pending_if_incomplete'` keeps the monthly subscription as it is when the
 * yearly payment fails (the change waits in `pending_update`), so a customer
 * whose card is failing is never moved onto a year they did not pay for.
 */
import crypto from 'node:crypto';
import type { AnnualSwitch } from '../../../shared/annual';
import type { Sqlite } from '../db/sqlite';
import { badRequest, notFound } from '../errors';
import { createWriters } from '../stripe/map';
import { audit } from './audit';
import { subscriptionItems, yearlyPriceFor } from './channels/annual';
import type { Stripe } from './stripe-client';

export interface SwitchArgs {
  db: Sqlite;
  stripe: () => Promise<Stripe>;
  customerId: string;
  subscriptionId?: string | undefined;
  confirm: boolean;
  prorationDate?: number | undefined;
  actor: string;
  nowMs: number;
}

/** The customer's subscription to switch: the one named (it must be theirs) or their only monthly one that is not canceled. */
function pickSubscription(db: Sqlite, customerId: string, subscriptionId: string | undefined): string {
  if (!db.prepare(`SELECT 1 FROM customers WHERE id = ?`).get(customerId)) throw notFound('The customer');
  if (subscriptionId) {
    const owner = db.prepare(`SELECT customer_id FROM subscriptions WHERE id = ?`).pluck().get(subscriptionId) as string | undefined;
    if (!owner) throw notFound('The subscription');
    if (owner !== customerId) throw badRequest(`Subscription ${subscriptionId} belongs to another customer (${owner}).`);
    return subscriptionId;
  }
  const subs = db
    .prepare(`SELECT s.id FROM subscriptions s WHERE s.customer_id = ? AND s.status NOT IN ('canceled', 'incomplete_expired') ORDER BY s.created DESC`)
    .pluck()
    .all(customerId) as string[];
  if (subs.length === 0) throw badRequest(`Customer ${customerId} has no active subscription to switch to yearly billing.`);
  const monthly = subs.filter((id) => subscriptionItems(db, id).some((i) => i.interval === 'month'));
  if (monthly.length === 0) throw badRequest(`Customer ${customerId} is already billed yearly.`);
  if (monthly.length > 1) throw badRequest(`Customer ${customerId} has ${monthly.length} monthly subscriptions (${monthly.join(', ')}); name one with --subscription.`);
  return monthly[0]!;
}

export async function switchToAnnual(a: SwitchArgs): Promise<AnnualSwitch> {
  const { db } = a;
  const subscriptionId = pickSubscription(db, a.customerId, a.subscriptionId);
  const row = db.prepare(`SELECT status, json_extract(raw, '$.pending_update') AS pending, CASE json_type(raw, '$.latest_invoice') WHEN 'object' THEN json_extract(raw, '$.latest_invoice.id') ELSE json_extract(raw, '$.latest_invoice') END AS latest FROM subscriptions WHERE id = ?`).get(subscriptionId) as
    { status: string; pending: string | null; latest: string | null };
  if (row.status === 'canceled' || row.status === 'incomplete_expired') throw badRequest(`Subscription ${subscriptionId} is ${row.status}; it cannot be switched.`);
  // A change already waits for its payment: a second one would bill the customer a second time.
  if (row.pending) throw badRequest(`Subscription ${subscriptionId} already has a change waiting for payment${typeof row.latest === 'string' ? ` of invoice ${row.latest}` : ''}; it applies when that invoice is paid.`);
  const items = subscriptionItems(db, subscriptionId);
  if (items.length === 0) throw badRequest(`Subscription ${subscriptionId} has no items in the synced data; sync, then try again.`);
  if (items.every((i) => i.interval === 'year')) throw badRequest(`Subscription ${subscriptionId} is already billed yearly.`);
  if (items.length > 1) throw badRequest(`Subscription ${subscriptionId} has ${items.length} items; switching several items to yearly billing is not supported.`);
  const item = items[0]!;
  if (item.interval !== 'month') throw badRequest(`Subscription ${subscriptionId} is billed every ${item.interval ?? 'period'}, not monthly.`);
  const yearly = item.productId ? yearlyPriceFor(db, item.productId, item.currency) : null;
  if (!yearly) {
    throw badRequest(`No active yearly ${item.currency.toUpperCase()} price for product ${item.productId ?? '(unknown)'} in the synced prices; create one in Stripe and sync, then try again.`);
  }
  const stripe = await a.stripe();
  const newItems = [{ id: item.itemId, price: yearly.id, quantity: item.quantity }];
  let preview: Stripe.Invoice;
  try {
    // Without a proration date Stripe prorates as of its own clock and says which time it used.
    preview = await stripe.invoices.createPreview({
      customer: a.customerId,
      subscription: subscriptionId,
      subscription_details: { items: newItems, proration_behavior: 'create_prorations', ...(a.prorationDate ? { proration_date: a.prorationDate } : {}) },
    });
  } catch (e) {
    throw badRequest(`Stripe could not preview the switch to yearly billing: ${e instanceof Error ? e.message : String(e)}`);
  }
  // SDK: subscription_proration_date is "the time used to calculate prorations" of a preview.
  const prorationDate = a.prorationDate ?? preview.parent?.subscription_details?.subscription_proration_date ?? Math.floor(a.nowMs / 1000);
  const change = { items: newItems, proration_behavior: 'create_prorations' as const, proration_date: prorationDate };
  const lines = preview.lines.data.map((l) => ({ description: l.description ?? '', amount: l.amount, proration: l.parent?.subscription_item_details?.proration ?? false }));
  const credit = -lines.filter((l) => l.amount < 0).reduce((s, l) => s + l.amount, 0);
  const monthlyAmount = item.unitAmount ?? 0;
  const yearlyAmount = yearly.unitAmount ?? 0;
  const openInvoices = (
    db.prepare(`SELECT id, amount_remaining AS amountRemaining FROM invoices WHERE subscription_id = ? AND status = 'open' AND amount_remaining > 0 ORDER BY created`).all(subscriptionId) as { id: string; amountRemaining: number }[]
  );
  const base: AnnualSwitch = {
    status: 'preview',
    customerId: a.customerId,
    subscriptionId,
    currency: item.currency,
    quantity: item.quantity,
    from: { priceId: item.priceId, interval: 'month', unitAmount: monthlyAmount },
    to: { priceId: yearly.id, interval: 'year', unitAmount: yearlyAmount },
    prorationDate,
    amountDue: preview.amount_due,
    credit,
    savingsPerYear: (monthlyAmount * 12 - yearlyAmount) * item.quantity,
    lines,
    openInvoices,
    invoiceId: null,
    invoiceStatus: null,
  };
  if (!a.confirm) return base;

  // One switch per (subscription, price, proration date): a double confirm replays Stripe's first answer.
  const key = `reclaim-annual-${crypto.createHash('sha256').update(`${subscriptionId}:${yearly.id}:${prorationDate}`).digest('hex').slice(0, 40)}`;
  let sub: Stripe.Subscription;
  try {
    sub = await stripe.subscriptions.update(subscriptionId, { ...change, payment_behavior: 'pending_if_incomplete', expand: ['latest_invoice'] }, { idempotencyKey: key });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    audit(db, a.nowMs, { actor: a.actor, kind: 'annual.failed', customerId: a.customerId, message: `switch of ${subscriptionId} to yearly billing refused by Stripe: ${message}`, data: { subscriptionId, price: yearly.id } });
    throw badRequest(`Stripe refused the switch to yearly billing: ${message}`);
  }
  const latest = sub.latest_invoice && typeof sub.latest_invoice === 'object' ? sub.latest_invoice : null;
  const pending = !!sub.pending_update;
  // Stored as a sync would store it: latest_invoice is an id there (facts look the invoice up by it).
  db.transaction(() => createWriters(db).subscription({ ...sub, latest_invoice: latest?.id ?? sub.latest_invoice }))();
  const result: AnnualSwitch = { ...base, status: pending ? 'pending_payment' : 'switched', invoiceId: latest?.id ?? null, invoiceStatus: latest?.status ?? null };
  audit(db, a.nowMs, {
    actor: a.actor,
    kind: pending ? 'annual.pending' : 'annual.switched',
    customerId: a.customerId,
    ...(latest?.id ? { invoiceId: latest.id } : {}),
    message: pending
      ? `switch of ${subscriptionId} to yearly billing (${yearly.id}) waits for payment: the yearly invoice was not paid, the subscription stays monthly`
      : `${subscriptionId} switched to yearly billing (${item.priceId} → ${yearly.id} × ${item.quantity}); charged ${preview.amount_due} ${item.currency} (credit ${credit} for unused time)`,
    data: { subscriptionId, from: item.priceId, to: yearly.id, quantity: item.quantity, prorationDate, amountDue: preview.amount_due, invoiceId: latest?.id ?? null },
  });
  return result;
}
