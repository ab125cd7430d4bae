/**
 * Annual billing, as an offer and as the switch that carries it out (#17 item
 * 13). What is read here comes from synced Stripe data (subscriptions,
 * subscription_items, prices), so the plan can say who is already billed
 * yearly and which yearly price a switch would use before anything is sent.
 */
import type { Sqlite } from '../../db/sqlite';

export interface SubscriptionItemView {
  itemId: string;
  priceId: string;
  productId: string | null;
  interval: string | null;
  intervalCount: number | null;
  unitAmount: number | null;
  currency: string;
  quantity: number;
}

/** The subscription's items with their prices, as last synced. */
export function subscriptionItems(db: Sqlite, subscriptionId: string): SubscriptionItemView[] {
  return db
    .prepare(
      `SELECT i.id AS itemId, i.price_id AS priceId, p.product_id AS productId, p.recurring_interval AS interval, p.recurring_interval_count AS intervalCount,
              p.unit_amount AS unitAmount, COALESCE(p.currency, s.currency) AS currency, i.quantity AS quantity
         FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id LEFT JOIN prices p ON p.id = i.price_id
        WHERE i.subscription_id = ? ORDER BY i.id`,
    )
    .all(subscriptionId) as SubscriptionItemView[];
}

/** An active yearly price of the same product, in the same currency (the first by id when several). */
export function yearlyPriceFor(db: Sqlite, productId: string, currency: string): { id: string; unitAmount: number | null; currency: string } | null {
  const row = db
    .prepare(
      `SELECT id, unit_amount AS unitAmount, currency FROM prices
        WHERE product_id = ? AND currency = ? AND active = 1 AND recurring_interval = 'year' AND COALESCE(recurring_interval_count, 1) = 1
        ORDER BY id LIMIT 1`,
    )
    .get(productId, currency.toLowerCase()) as { id: string; unitAmount: number | null; currency: string } | undefined;
  return row ?? null;
}

/**
 * Why an annual-billing offer does not fit this customer, or null when it does:
 * a customer already billed yearly is not offered yearly billing, and an offer
 * nobody could act on (no yearly price for the product) is not sent either.
 */
export function annualSkipReason(db: Sqlite, customerId: string, subscriptionId: string | null): string | null {
  if (subscriptionId) {
    const items = subscriptionItems(db, subscriptionId);
    if (items.length > 0) {
      if (items.every((i) => i.interval === 'year')) return 'already billed yearly';
      if (items.length > 1) return 'subscription has several items (annual switch handles one)';
      const item = items[0]!;
      if (item.interval !== 'month') return `billed every ${item.interval ?? 'period'}, not monthly`;
      if (!item.productId || !yearlyPriceFor(db, item.productId, item.currency)) return 'no yearly price for this product';
      return null;
    }
  }
  // Not synced item by item (imported data): the customer's billing interval fact.
  const interval = db.prepare(`SELECT billing_interval FROM customer_facts WHERE customer_id = ?`).pluck().get(customerId) as string | null | undefined;
  if (interval === 'year') return 'already billed yearly';
  if (!subscriptionId) return 'no subscription to switch to yearly billing';
  return null;
}
