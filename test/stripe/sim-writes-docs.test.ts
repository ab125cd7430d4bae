import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';

/** The local server's writes follow the pinned SDK's doc comments (#17): where it disagreed, it was fixed. */
describe('local Stripe server: writes as Stripe documents them', () => {
  let sim: StripeSim;
  let stripe: Stripe;
  let key: string;
  beforeAll(async () => {
    sim = await startStripeSim({ seed: 29, customers: 80, rateLimit: null });
    key = randomTestKey();
    sim.addKey(key, 'all');
    stripe = new Stripe(key, { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
  });
  afterAll(() => sim.close());

  const subs = () => sim.snapshot().subscriptions.filter((s) => s.status === 'active' || s.status === 'past_due');
  const discountIds = async (id: string) => (await stripe.subscriptions.retrieve(id)).discounts.map((d) => (typeof d === 'string' ? d : d.id));

  it('"A populated array overwrites the existing discounts"; { discount } keeps one; "" clears them', async () => {
    const sub = subs()[0]!;
    const a = await stripe.coupons.create({ percent_off: 10, duration: 'forever' });
    const b = await stripe.coupons.create({ percent_off: 5, duration: 'once' });
    await stripe.subscriptions.update(sub.id, { discounts: [{ coupon: a.id }] });
    const [first] = await discountIds(sub.id);
    await stripe.subscriptions.update(sub.id, { discounts: [{ coupon: b.id }] });
    const overwritten = await discountIds(sub.id);
    expect(overwritten).toHaveLength(1);
    expect(overwritten).not.toContain(first);
    const c = await stripe.coupons.create({ percent_off: 15, duration: 'once' });
    await stripe.subscriptions.update(sub.id, { discounts: [{ discount: overwritten[0]! }, { coupon: c.id }] });
    const kept = await discountIds(sub.id);
    expect(kept).toHaveLength(2);
    expect(kept[0]).toBe(overwritten[0]);
    await expect(stripe.subscriptions.update(sub.id, { discounts: [{ discount: 'di_not_here' }] })).rejects.toThrow(/No such discount/);
    await stripe.subscriptions.update(sub.id, { discounts: '' });
    expect(await discountIds(sub.id)).toEqual([]);
  });

  it('manual pays after the first do not raise attempt_count', async () => {
    const inv = sim.snapshot().invoices.find((i) => i.status === 'open' && (i.attempt_count as number) >= 1)!;
    const before = inv.attempt_count as number;
    sim.writes.setPayOutcome(inv.id, 'decline');
    for (let i = 0; i < 2; i++) await expect(stripe.invoices.pay(inv.id)).rejects.toMatchObject({ type: 'StripeCardError' });
    expect((await stripe.invoices.retrieve(inv.id)).attempt_count).toBe(before);
    sim.writes.setPayOutcome(inv.id, null);
  });

  it('refuses a closed invoice with a 400 that names no error code', async () => {
    const inv = sim.snapshot().invoices.find((i) => i.status === 'void' || i.status === 'uncollectible' || i.status === 'paid')!;
    const e = (await stripe.invoices.pay(inv.id).catch((x: unknown) => x)) as Stripe.errors.StripeError;
    expect(e.statusCode).toBe(400);
    expect(e.code).toBeUndefined();
  });

  it('refuses writes a restricted key lacks, naming the permission as Stripe does', async () => {
    const limited = randomTestKey();
    sim.addKey(limited, ['rak_coupon_read', 'rak_subscription_read', 'rak_invoice_read']);
    const weak = new Stripe(limited, { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
    const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'once' });
    const permission = async (p: Promise<unknown>) => {
      const e = (await p.catch((x: unknown) => x)) as Stripe.errors.StripeError;
      expect(e.statusCode).toBe(403);
      return /Having the '(rak_[a-z_]+)' permission would allow this request to continue/.exec(e.message)?.[1];
    };
    expect(await permission(weak.coupons.create({ percent_off: 10, duration: 'once' }))).toBe('rak_coupon_write');
    expect(await permission(weak.coupons.del(coupon.id))).toBe('rak_coupon_write');
    expect(await permission(weak.subscriptions.update(subs()[1]!.id, { discounts: [{ coupon: coupon.id }] }))).toBe('rak_subscription_write');
    expect(await permission(weak.invoices.pay(sim.snapshot().invoices.find((i) => i.status === 'open')!.id))).toBe('rak_invoice_write');
    // The full key may delete it; it is gone afterwards.
    expect(await stripe.coupons.del(coupon.id)).toMatchObject({ id: coupon.id, deleted: true });
    await expect(stripe.coupons.retrieve(coupon.id)).rejects.toThrow(/No such coupon/);
  });

  it('an amount-off coupon applies only in its currency or one of its currency_options', async () => {
    const sub = subs()[2]!;
    const cur = sub.currency as string;
    const other = cur === 'jpy' ? 'usd' : 'jpy';
    const foreign = await stripe.coupons.create({ amount_off: 1000, currency: other, duration: 'once' });
    await expect(stripe.subscriptions.update(sub.id, { discounts: [{ coupon: foreign.id }] })).rejects.toThrow(/currency/);
    const both = await stripe.coupons.create({ amount_off: 1000, currency: other, currency_options: { [cur]: { amount_off: 700 } }, duration: 'once' });
    expect(both.currency_options?.[cur]?.amount_off).toBe(700);
    await stripe.subscriptions.update(sub.id, { discounts: [{ coupon: both.id }] });
  });
});
