import fs from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { generateBusiness } from '../../main/stripe-sim';

/**
 * The local server's objects have exactly the top-level fields of Stripe's
 * published example object of the same type (../shared/stripe-openapi/fixtures3.json,
 * beside the repository), both ways: no field Stripe does not send, none it
 * sends missing. The server speaks the API version the official SDK pins.
 */
const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/stripe-openapi/fixtures3.json');
const haveFixtures = fs.existsSync(FIXTURES);

/**
 * Where the published example and Stripe's documentation for the pinned version
 * disagree, the documentation wins: `invoice.subscription` was removed in
 * 2025-03-31.basil (now `invoice.parent.subscription_details.subscription`,
 * https://docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects),
 * and the SDK's `Stripe.Invoice` for 2026-10-28.endive has no such field.
 */
const DOCUMENTED_ABSENT: Record<string, string[]> = { invoice: ['subscription'] };

describe.runIf(haveFixtures)('object shapes match Stripe’s published examples, both ways', () => {
  const examples = haveFixtures ? (JSON.parse(fs.readFileSync(FIXTURES, 'utf8')) as { resources: Record<string, Record<string, unknown>> }).resources : {};
  const data = generateBusiness({ seed: 2, customers: 300, now: 1_793_491_200 });
  const lists: Record<string, Record<string, unknown>[]> = {
    customer: data.customers,
    subscription: data.subscriptions,
    subscription_item: data.subscriptions.flatMap((s) => (s.items as { data: Record<string, unknown>[] }).data),
    invoice: data.invoices,
    invoice_payment: data.invoice_payments,
    charge: data.charges,
    payment_intent: data.payment_intents,
    payment_method: data.payment_methods,
    refund: data.refunds,
    coupon: data.coupons,
    discount: data.discounts,
    product: data.products,
    price: data.prices,
    event: data.events,
  };
  for (const [type, objects] of Object.entries(lists)) {
    it(type, () => {
      const example = examples[type]!;
      expect(example, `fixtures3.json has no ${type}`).toBeTruthy();
      expect(objects.length).toBeGreaterThan(0);
      const invented = new Set<string>();
      const sent = new Set<string>();
      for (const o of objects) {
        expect(o.object).toBe(type);
        for (const k of Object.keys(o)) {
          sent.add(k);
          if (!(k in example)) invented.add(k);
        }
      }
      expect([...invented], 'fields Stripe does not send').toEqual([]);
      const missing = Object.keys(example).filter((k) => !sent.has(k) && !DOCUMENTED_ABSENT[type]?.includes(k));
      expect(missing, 'fields Stripe sends that the server leaves out').toEqual([]);
    });
  }

  it('events carry the pinned version and an object in the pinned shape', () => {
    expect(new Set(data.events.map((e) => e.api_version))).toEqual(new Set([Stripe.API_VERSION]));
    const inv = data.events.find((e) => e.type === 'invoice.paid')!.data as { object: Record<string, unknown> };
    expect(inv.object).not.toHaveProperty('subscription');
    expect(inv.object).not.toHaveProperty('payment_intent');
    expect(inv.object.parent).toMatchObject({ type: 'subscription_details' });
  });
});
