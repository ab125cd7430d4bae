import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';

/**
 * The facts cases the local server adds (main/stripe-sim/facts-cases.ts) are in the current
 * API shape both ways: every key exists in Stripe's published example of that type
 * (shared/stripe-openapi/fixtures3.json), and every key of the example is present.
 * Exceptions, by Stripe's rules: `tiers` appears on prices only when expanded; metered
 * subscription items carry no `quantity`.
 */
const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/stripe-openapi/fixtures3.json');
const haveFixtures = fs.existsSync(FIXTURES);
type O = Record<string, unknown>;

describe.runIf(haveFixtures)('facts cases match Stripe’s published examples', () => {
  const examples = haveFixtures ? (JSON.parse(fs.readFileSync(FIXTURES, 'utf8')) as { resources: Record<string, O> }).resources : {};
  let sim: StripeSim;
  let key: string;
  const get = async (p: string): Promise<O[]> => {
    const r = await fetch(`${sim.url}${p}`, { headers: { authorization: `Bearer ${key}` } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { data: O[] }).data;
  };
  beforeAll(async () => {
    sim = await startStripeSim({ seed: 1, customers: 1, rateLimit: null, factsCases: true });
    key = randomTestKey();
    sim.addKey(key, 'all');
  });
  afterAll(() => sim?.close());

  const same = (type: string, objs: O[], allowMissing: string[] = [], allowExtra: string[] = []) => {
    const example = examples[type]!;
    expect(objs.length, type).toBeGreaterThan(0);
    for (const o of objs) {
      const extra = Object.keys(o).filter((k) => !(k in example) && !allowExtra.includes(k));
      const missing = Object.keys(example).filter((k) => !(k in o) && !allowMissing.includes(k));
      expect({ type, id: o.id, extra, missing }).toEqual({ type, id: o.id, extra: [], missing: [] });
    }
  };
  const fx = (list: O[], prefix = '_fx') => list.filter((o) => String(o.id).includes(prefix) || String(o.customer ?? '').includes('cus_fx'));

  it('customers, card sources, subscriptions, items, discounts, tax rates', async () => {
    const customers = fx(await get('/v1/customers?limit=100&expand[]=data.default_source'));
    same('customer', customers);
    same('card', customers.map((c) => c.default_source).filter((s): s is O => typeof s === 'object' && s !== null));
    same('discount', customers.map((c) => c.discount).filter((d): d is O => d !== null));
    const subs = fx(await get('/v1/subscriptions?limit=100&status=all&expand[]=data.discounts&expand[]=data.items.data.discounts'));
    same('subscription', subs);
    const items = subs.flatMap((s) => (s.items as { data: O[] }).data);
    same('subscription_item', items.filter((i) => (i.price as { recurring: O }).recurring.usage_type !== 'metered'));
    same('subscription_item', items.filter((i) => (i.price as { recurring: O }).recurring.usage_type === 'metered'), ['quantity']);
    same('discount', [...subs.flatMap((s) => s.discounts as O[]), ...items.flatMap((i) => i.discounts as O[])]);
    same('tax_rate', items.flatMap((i) => i.tax_rates as O[]));
  });

  it('prices, coupons, products, payment methods, charges', async () => {
    same('price', fx(await get('/v1/prices?limit=100&expand[]=data.tiers')), [], ['tiers']);
    same('price', fx(await get('/v1/prices?limit=100')));
    same('coupon', (await get('/v1/coupons?limit=100')).filter((c) => String(c.id).startsWith('FX_')));
    same('product', fx(await get('/v1/products?limit=100')));
    same('charge', fx(await get('/v1/charges?limit=100')));
    same('payment_method', fx(await get('/v1/payment_methods?limit=100')));
  });
});
