import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { HARD_DECLINES } from '../../main/stripe-sim/generator';
import { responseProbability, retrySuccessProbability } from '../../main/stripe-sim/writes';

/** The local server's recovery writes, through the official client. */
describe('local Stripe server: recovery writes', () => {
  let sim: StripeSim;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSim({ seed: 17, customers: 300, rateLimit: null });
    const key = randomTestKey();
    sim.addKey(key, 'all');
    stripe = new Stripe(key, { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
  });
  afterAll(() => sim.close());

  const openInvoices = () => sim.snapshot().invoices.filter((i) => i.status === 'open');
  /** Last decline code per invoice, from one snapshot. */
  const declines = () => {
    const m = new Map<string, { at: number; code: string | null }>();
    const snap = sim.snapshot();
    // Charges reach their invoice through invoice payments in the pinned API version.
    const invoiceOfPi = new Map(snap.invoice_payments.map((p) => [(p.payment as { payment_intent: string }).payment_intent, p.invoice as string]));
    for (const c of snap.charges) {
      const invoice = invoiceOfPi.get(c.payment_intent as string);
      if (c.status !== 'failed' || !invoice) continue;
      const prev = m.get(invoice);
      if (!prev || c.created >= prev.at) m.set(invoice, { at: c.created, code: (c.outcome as { reason?: string }).reason ?? null });
    }
    return m;
  };

  it('never pays a hard-declined invoice on retry; declines again with the same code', async () => {
    const d = declines();
    const lastDecline = (id: string) => d.get(id)?.code ?? null;
    const hard = openInvoices().filter((i) => HARD_DECLINES.includes(lastDecline(i.id) ?? ''));
    expect(hard.length).toBeGreaterThan(0);
    for (const inv of hard) {
      const code = lastDecline(inv.id);
      const e = await stripe.invoices.pay(inv.id, {}, { idempotencyKey: `t-hard-${inv.id}` }).catch((x: unknown) => x as Stripe.errors.StripeCardError);
      expect(e).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect((e as Stripe.errors.StripeCardError).decline_code).toBe(code === 'expired_card' ? 'expired_card' : code);
    }
    expect(sim.writes.payments().size).toBe(0);
  });

  it('replays a repeated Idempotency-Key without paying or charging again', async () => {
    const d = declines();
    const soft = openInvoices().filter((i) => !HARD_DECLINES.includes(d.get(i.id)?.code ?? ''));
    let paidOne: string | null = null;
    for (const inv of soft) {
      const k = `t-soft-${inv.id}`;
      const first = await stripe.invoices.pay(inv.id, {}, { idempotencyKey: k }).then((x) => x.status, (e: Stripe.errors.StripeError) => e.code ?? e.type);
      const again = await stripe.invoices.pay(inv.id, {}, { idempotencyKey: k }).then((x) => x.status, (e: Stripe.errors.StripeError) => e.code ?? e.type);
      expect(again).toBe(first);
      expect(sim.writes.executions().get(k)).toBe(1);
      if (first === 'paid') paidOne = inv.id;
    }
    expect(paidOne).not.toBeNull();
    // A new key on a paid invoice is refused the way Stripe refuses it: a 400 naming no error code (Stripe's list has none for it).
    const e = await stripe.invoices.pay(paidOne!, {}, { idempotencyKey: 'fresh' }).catch((x: Stripe.errors.StripeError) => x);
    expect((e as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((e as Stripe.errors.StripeError).code).toBeUndefined();
    expect((e as Stripe.errors.StripeError).message).toMatch(/already paid/);
    expect([...sim.writes.payments().values()].every((n) => n === 1)).toBe(true);
  });

  it('creates a coupon and applies it to a subscription, once', async () => {
    const sub = sim.snapshot().subscriptions.find((s) => s.status === 'past_due')!;
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'once', max_redemptions: 1, metadata: { reclaim_run: 'r' } });
    expect(coupon).toMatchObject({ percent_off: 20, duration: 'once', max_redemptions: 1 });
    const updated = await stripe.subscriptions.update(sub.id, { discounts: [{ coupon: coupon.id }], expand: ['discounts'] });
    // A discount object in the pinned version: its coupon under source.coupon.
    const applied = (updated.discounts as Stripe.Discount[]).map((d) => (typeof d.source.coupon === 'string' ? d.source.coupon : d.source.coupon?.id));
    expect(applied).toContain(coupon.id);
    const other = sim.snapshot().subscriptions.find((s) => s.status === 'active')!;
    await expect(stripe.subscriptions.update(other.id, { discounts: [{ coupon: coupon.id }] })).rejects.toThrow(/maximum number of redemptions/);
    await expect(stripe.coupons.create({ amount_off: 500, duration: 'once' })).rejects.toThrow(/currency/);
  });

  it('documents its models: retries by decline code and days, responses by segment, tone, channel and delay', () => {
    expect(retrySuccessProbability('stolen_card', 10)).toBe(0);
    expect(retrySuccessProbability('insufficient_funds', 0)).toBeLessThan(retrySuccessProbability('insufficient_funds', 7));
    expect(responseProbability({ segment: 'Enterprise', tone: 'white_glove', channel: 'email', daysSinceFailure: 0 })).toBeGreaterThan(
      responseProbability({ segment: 'Starter', tone: 'concise', channel: 'email', daysSinceFailure: 0 }),
    );
    expect(responseProbability({ segment: 'New Customer', tone: 'warm', channel: 'email', daysSinceFailure: 14 })).toBeLessThan(
      responseProbability({ segment: 'New Customer', tone: 'warm', channel: 'email', daysSinceFailure: 0 }),
    );
    // Seeded: the same customer reacts the same way to the same step.
    const inv = openInvoices()[0]!;
    const a = sim.writes.respond({ invoiceId: inv.id, stepKey: 'probe', segment: 'Enterprise', tone: 'white_glove', channel: 'email' });
    expect(a.probability).toBeGreaterThan(0);
  });
});
