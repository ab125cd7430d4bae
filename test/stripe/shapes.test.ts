import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateBusiness } from '../../main/stripe-sim';

/**
 * The local server's objects use Stripe's field names: every top-level key it
 * emits exists in Stripe's published example object of the same type
 * (../shared/stripe-openapi/fixtures3.json, beside the repository).
 */
/**
 * Reclaim pins Stripe-Version 2025-01-27.acacia (main/core/stripe/http.ts), and
 * the server answers in that version. The published examples are of a newer
 * version, which dropped these fields (moved to invoice payments, discounts[]
 * and subscription items); they exist in the pinned version and Reclaim reads them.
 */
const PINNED_VERSION_FIELDS: Record<string, string[]> = {
  subscription: ['current_period_end', 'current_period_start', 'discount'],
  invoice: ['discount', 'paid', 'payment_intent'],
  charge: ['invoice'],
  payment_intent: ['invoice'],
};

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/stripe-openapi/fixtures3.json');
const haveFixtures = fs.existsSync(FIXTURES);

describe.runIf(haveFixtures)('object shapes match Stripe’s published examples', () => {
  const examples = haveFixtures ? (JSON.parse(fs.readFileSync(FIXTURES, 'utf8')) as { resources: Record<string, Record<string, unknown>> }).resources : {};
  const data = generateBusiness({ seed: 2, customers: 300, now: 1_793_491_200 });
  const lists: Record<string, Record<string, unknown>[]> = {
    customer: data.customers,
    subscription: data.subscriptions,
    invoice: data.invoices,
    charge: data.charges,
    payment_intent: data.payment_intents,
    payment_method: data.payment_methods,
    refund: data.refunds,
    coupon: data.coupons,
    product: data.products,
    price: data.prices,
    event: data.events,
  };
  for (const [type, objects] of Object.entries(lists)) {
    it(`${type}`, () => {
      const example = examples[type]!;
      expect(example, `fixtures3.json has no ${type}`).toBeTruthy();
      expect(objects.length).toBeGreaterThan(0);
      const unknown = new Set<string>();
      for (const o of objects) {
        expect(o.object).toBe(type);
        for (const k of Object.keys(o)) if (!(k in example) && !PINNED_VERSION_FIELDS[type]?.includes(k)) unknown.add(k);
      }
      expect([...unknown]).toEqual([]);
    });
  }
});
