import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS } from '../../main/core/stripe/permissions';
import { offerStep, retryStep, writesEnv, type WritesEnv } from './writes-env';

/**
 * Reclaim's writes to Stripe do no harm (#17 items 1–5): a discount offer
 * keeps what the customer already has, nothing is created that cannot be
 * applied, a refusal is final. Over the local Stripe server and real SMTP.
 */
describe('recovery writes to Stripe', () => {
  let env: WritesEnv;
  const everything = [...new Set(REQUIRED_PERMISSIONS.map((p) => p.permission))];
  const keyWithout = (permission: string) => env.sim.addKey(env.key, everything.filter((p) => p !== permission));

  beforeAll(async () => {
    env = await writesEnv(23);
  }, 240_000);
  afterAll(() => env.close());

  const discountsOf = async (subId: string) => (await env.stripe.subscriptions.retrieve(subId, { expand: ['discounts'] })).discounts.map((d) => (typeof d === 'string' ? { id: d, coupon: null } : { id: d.id, coupon: d.source.coupon as string | null }));

  it('a discount offer keeps the discounts the subscription already has', async () => {
    const t = await env.pickInvoice();
    // The merchant's own 10% forever discount on this subscription.
    const loyalty = await env.stripe.coupons.create({ percent_off: 10, duration: 'forever', name: 'Loyalty' });
    await env.stripe.subscriptions.update(t.subscriptionId, { discounts: [{ coupon: loyalty.id }] });
    const [kept] = await discountsOf(t.subscriptionId);
    await env.resync();
    const plan = await env.planFor(t, [offerStep({ percentOff: 20 })]);
    const { actions } = await env.run(plan);
    const offer = (await actions()).find((a) => a.channel === 'offer')!;
    expect(offer.status, offer.detail ?? '').toBe('succeeded');
    const after = await discountsOf(t.subscriptionId);
    expect(after.map((d) => d.id)).toContain(kept!.id);
    expect(after).toHaveLength(2);
    expect(after.find((d) => d.id !== kept!.id)!.coupon).toMatch(/^reclaim_/);
  });

  it("keeps the customer's own discount the subscription inherits", async () => {
    const t = await env.pickInvoice();
    const vip = await env.stripe.coupons.create({ amount_off: 500, currency: 'usd', duration: 'forever', name: 'VIP' });
    env.sim.setCustomerDiscount(t.customerId, vip.id);
    const customerDiscount = ((await env.stripe.customers.retrieve(t.customerId)) as { discount: { id: string } }).discount.id;
    await env.resync();
    const { actions } = await env.run(await env.planFor(t, [offerStep({ percentOff: 20 })]));
    expect((await actions()).find((a) => a.channel === 'offer')!.status).toBe('succeeded');
    // A populated list stops the inheritance, so the customer's discount is listed on the subscription with the new one.
    expect((await discountsOf(t.subscriptionId)).map((d) => d.id)).toContain(customerDiscount);
  });

  it('a key that may not update subscriptions: the plan says so, and a run creates no coupon and does not try again', async () => {
    const t = await env.pickInvoice();
    keyWithout('rak_subscription_write');
    try {
      const blocked = await env.planFor(t, [offerStep({ percentOff: 20 })]);
      const step = blocked.rows.find((r) => r.invoiceId === t.invoiceId)!.steps.find((s) => s.channel === 'offer')!;
      expect(step.skipReason).toMatch(/rak_subscription_write/);
      // Planned while the key could; the permission was removed before the run.
      env.sim.addKey(env.key, 'all');
      const plan = await env.planFor(t, [offerStep({ percentOff: 20 })]);
      expect(plan.rows.find((r) => r.invoiceId === t.invoiceId)!.steps.find((s) => s.channel === 'offer')!.skipReason).toBeNull();
      keyWithout('rak_subscription_write');
      const coupons = env.sim.snapshot().coupons.length;
      const { actions } = await env.run(plan);
      const offer = (await actions()).find((a) => a.channel === 'offer')!;
      expect(offer.status).toBe('failed');
      expect(offer.detail).toMatch(/rak_subscription_write/);
      expect(offer.detail).not.toMatch(/will try again/);
      expect(env.sim.snapshot().coupons.length).toBe(coupons);
      expect(env.smtp.received.filter((m) => m.to === plan.rows[0]!.email)).toHaveLength(0);
    } finally {
      env.sim.addKey(env.key, 'all');
    }
  });

  it('a coupon whose apply Stripe refuses is deleted again, and the action says so', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [offerStep({ percentOff: 20 })]);
    // The permission disappears between the coupon and its apply.
    env.onRequest((method, path) => {
      if (method === 'POST' && path === `/v1/subscriptions/${t.subscriptionId}`) keyWithout('rak_subscription_write');
    });
    try {
      const { actions } = await env.run(plan);
      const offer = (await actions()).find((a) => a.channel === 'offer')!;
      expect(offer.status).toBe('failed');
      expect(offer.detail).toMatch(/lacks the 'rak_subscription_write' permission; coupon reclaim_[0-9a-f]+ was deleted again$/);
      const couponId = /coupon (reclaim_[0-9a-f]+)/.exec(offer.detail!)![1]!;
      await expect(env.stripe.coupons.retrieve(couponId)).rejects.toThrow(/No such coupon/);
    } finally {
      env.onRequest(null);
      env.sim.addKey(env.key, 'all');
    }
  });

  it('an apply whose answer was lost is recognised by the next attempt, not applied twice', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [offerStep({ percentOff: 20 })]);
    env.onRequest((method, path) => (method === 'POST' && path === `/v1/subscriptions/${t.subscriptionId}` ? 'lose-answer' : undefined));
    const { runId, actions } = await env.run(plan);
    env.onRequest(null);
    expect((await actions())[0]!.detail).toMatch(/will try again/);
    env.clock.advance(16 * 60);
    await env.call('runs.tick', { workspaceId: env.workspaceId });
    const offer = (await actions())[0]!;
    expect(offer.status, offer.detail ?? '').toBe('succeeded');
    expect(env.db.prepare(`SELECT attempts FROM recovery_outbox WHERE run_id = ?`).pluck().get(runId)).toBe(2);
    const applied = (await discountsOf(t.subscriptionId)).filter((d) => d.coupon?.startsWith('reclaim_'));
    expect(applied).toHaveLength(1);
  });

  it('a 4xx from Stripe is final: a pay refused for a missing permission is not tried again', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [retryStep('retry-1', 0, 10)]);
    expect(plan.rows[0]!.steps[0]!.skipReason).toBeNull();
    keyWithout('rak_invoice_write');
    try {
      const { runId, actions } = await env.run(plan);
      const retry = (await actions())[0]!;
      expect(retry.status).toBe('failed');
      expect(retry.detail).toMatch(/lacks the 'rak_invoice_write' permission/);
      expect(retry.detail).not.toMatch(/will try again/);
      expect(env.db.prepare(`SELECT attempts FROM recovery_outbox WHERE run_id = ?`).pluck().get(runId)).toBe(1);
    } finally {
      env.sim.addKey(env.key, 'all');
    }
  });

  it('a new attempt after "will try again" pays with a new Idempotency-Key', async () => {
    const t = await env.pickInvoice();
    env.sim.writes.setPayOutcome(t.invoiceId, 'decline');
    const plan = await env.planFor(t, [retryStep('retry-1', 0, 10)]);
    // Stripe cannot be reached for the first attempt.
    env.sim.setFaults([{ kind: '5xx', rate: 1, status: 500 }]);
    const { runId, actions } = await env.run(plan);
    env.sim.setFaults([]);
    expect((await actions())[0]!.detail).toMatch(/will try again/);
    env.clock.advance(16 * 60);
    await env.call('runs.tick', { workspaceId: env.workspaceId });
    const pays = env.sim.requestLog.filter((r) => r.path === `/v1/invoices/${t.invoiceId}/pay`);
    expect(pays).toHaveLength(1);
    expect(pays[0]!.idempotencyKey).toMatch(/-a2$/);
    expect(env.db.prepare(`SELECT attempts FROM recovery_outbox WHERE run_id = ?`).pluck().get(runId)).toBe(2);
  });
});
