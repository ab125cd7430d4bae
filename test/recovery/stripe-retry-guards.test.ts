import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, stripeFailure } from '../../main/core/recovery/channels/stripe-errors';
import { offerStep, retryStep, writesEnv, type WritesEnv } from './writes-env';

/**
 * When Reclaim does not retry or discount (#17 items 3, 4, 6, 7, and
 * pause_collection of item 9): over the local Stripe server and real SMTP.
 */
describe('recovery retries and offers hold back when Stripe says so', () => {
  let env: WritesEnv;
  beforeAll(async () => {
    env = await writesEnv(31, 200);
  }, 240_000);
  afterAll(() => env.close());

  const DAY = 86_400;
  const pays = (invoiceId: string) => env.sim.requestLog.filter((r) => r.method === 'POST' && r.path === `/v1/invoices/${invoiceId}/pay`);
  const stepOf = (plan: Awaited<ReturnType<WritesEnv['planFor']>>, invoiceId: string, channel: string) => plan.rows.find((r) => r.invoiceId === invoiceId)!.steps.find((s) => s.channel === channel)!;

  it("no retry while Stripe's Smart Retries are scheduled: the plan says when, and a run checks Stripe again", async () => {
    const t = await env.pickInvoice();
    env.sim.writes.patch(t.invoiceId, { next_payment_attempt: env.sim.now() + 2 * DAY }, 'invoice.updated');
    await env.resync();
    expect(stepOf(await env.planFor(t, [retryStep('retry-1', 0, 10)]), t.invoiceId, 'retry').skipReason).toMatch(/Stripe's Smart Retries will retry this invoice on \d{4}-\d\d-\d\d/);
    // Planned while nothing was scheduled; Stripe scheduled a retry before the run.
    const u = await env.pickInvoice();
    const plan = await env.planFor(u, [retryStep('retry-1', 0, 10)]);
    expect(stepOf(plan, u.invoiceId, 'retry').skipReason).toBeNull();
    env.sim.writes.patch(u.invoiceId, { next_payment_attempt: env.sim.now() + DAY }, 'invoice.updated');
    const { actions } = await env.run(plan);
    const retry = (await actions())[0]!;
    expect(retry.status).toBe('skipped');
    expect(retry.detail).toMatch(/Smart Retries/);
    expect(pays(u.invoiceId)).toHaveLength(0);
  });

  it('no retry while a payment of the invoice is processing (bank debit)', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [retryStep('retry-1', 0, 10)]);
    const inpay = env.sim.snapshot().invoice_payments.find((p) => p.invoice === t.invoiceId && p.status === 'open')!;
    env.sim.writes.patch((inpay.payment as { payment_intent: string }).payment_intent, { status: 'processing' }, 'payment_intent.processing');
    const { actions } = await env.run(plan);
    const retry = (await actions())[0]!;
    expect(retry.status).toBe('skipped');
    expect(retry.detail).toMatch(/still processing/);
    expect(pays(t.invoiceId)).toHaveLength(0);
    // After a sync the plan says so before any run.
    await env.resync();
    expect(stepOf(await env.planFor(t, [retryStep('retry-2', 0, 10)]), t.invoiceId, 'retry').skipReason).toMatch(/still processing/);
  });

  it('no retry when collection is paused on the subscription', async () => {
    const t = await env.pickInvoice();
    env.sim.updateSubscription(t.subscriptionId, { pause_collection: { behavior: 'keep_as_draft', resumes_at: null } });
    await env.resync();
    expect(stepOf(await env.planFor(t, [retryStep('retry-1', 0, 10)]), t.invoiceId, 'retry').skipReason).toMatch(/collection is paused on the subscription \(keep_as_draft\)/);
  });

  it("the retry cap counts Reclaim's own pays, which Stripe's attempt_count does not", async () => {
    const t = await env.pickInvoice();
    env.sim.writes.setPayOutcome(t.invoiceId, 'decline');
    const stripeAttempts = (await env.stripe.invoices.retrieve(t.invoiceId)).attempt_count;
    const steps = [retryStep('retry-1', 0, stripeAttempts + 2), retryStep('retry-2', 1, stripeAttempts + 2)];
    const first = await env.run(await env.planFor(t, steps));
    env.clock.advance(3600);
    await env.call('runs.tick', { workspaceId: env.workspaceId });
    expect((await first.actions()).map((a) => a.detail)).toEqual([expect.stringMatching(/^retried: declined/), expect.stringMatching(/^retried: declined/)]);
    expect(pays(t.invoiceId)).toHaveLength(2);
    await env.resync();
    expect((await env.stripe.invoices.retrieve(t.invoiceId)).attempt_count).toBe(stripeAttempts);
    // A later plan, asked to repeat steps already done (the contact policy skips them otherwise): the two declined pays count.
    await env.call('strategies.set', { workspaceId: env.workspaceId, segmentId: t.segmentKey, strategy: { name: 'Test', steps } });
    const again = await env.call('runs.plan', { workspaceId: env.workspaceId, customerIds: [t.customerId], repeatDone: true });
    expect(stepOf(again, t.invoiceId, 'retry').skipReason).toBe(`retry cap reached (${stripeAttempts + 2} of ${stripeAttempts + 2} attempts made)`);
  });

  it('an invoice voided in Stripe after the plan is not retried, and not "tried again"', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [retryStep('retry-1', 0, 10)]);
    env.sim.writes.patch(t.invoiceId, { status: 'void' }, 'invoice.voided');
    const { actions } = await env.run(plan);
    const retry = (await actions())[0]!;
    expect(retry.status).toBe('skipped');
    expect(retry.detail).toBe('not retried: the invoice is void in Stripe');
    expect(pays(t.invoiceId)).toHaveLength(0);
  });

  it('paid on the hosted page between the check and the pay: the 400 is read from the invoice, and the sequence stops', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [retryStep('retry-1', 0, 10), retryStep('retry-2', 1, 10)]);
    env.onRequest((method, path) => {
      if (method === 'POST' && path === `/v1/invoices/${t.invoiceId}/pay`) env.sim.writes.payOnHostedPage(t.invoiceId);
    });
    try {
      const { actions } = await env.run(plan);
      const [first, second] = await actions();
      expect(first).toMatchObject({ status: 'skipped', detail: 'the invoice was already paid' });
      expect(second).toMatchObject({ status: 'canceled', detail: 'not needed: the invoice was paid' });
      expect(env.sim.writes.payments().get(t.invoiceId)).toBe(1);
    } finally {
      env.onRequest(null);
    }
  });

  it('voided by the merchant between the check and the pay: the 400 is read from the invoice, not "tried again"', async () => {
    const t = await env.pickInvoice();
    const plan = await env.planFor(t, [retryStep('retry-1', 0, 10)]);
    env.onRequest((method, path) => {
      if (method === 'POST' && path === `/v1/invoices/${t.invoiceId}/pay`) env.sim.writes.patch(t.invoiceId, { status: 'void' }, 'invoice.voided');
    });
    try {
      const { actions } = await env.run(plan);
      expect((await actions())[0]).toMatchObject({ status: 'skipped', detail: 'not retried: the invoice is void in Stripe' });
    } finally {
      env.onRequest(null);
    }
  });

  it("Stripe's empty decline_code is no code: the error code stands in", () => {
    const f = stripeFailure(Object.assign(new Error('Your card was declined.'), { statusCode: 402, type: 'StripeCardError', code: 'card_declined', decline_code: '' }));
    expect(f.declineCode).toBeNull();
    expect(f.retryable).toBe(false);
    expect(describeFailure('retry', stripeFailure(Object.assign(new Error('x'), { statusCode: 400, type: 'StripeInvalidRequestError' })))).toBe('retry: Stripe answered 400: x');
  });

  it('a fixed-amount discount is never reused in another currency: skipped with the reason, or its own amount there', async () => {
    const t = await env.pickInvoice();
    env.sim.updateSubscription(t.subscriptionId, { currency: 'jpy' });
    env.sim.writes.patch(t.invoiceId, { currency: 'jpy' }, 'invoice.updated');
    await env.resync();
    const usdOnly = await env.planFor(t, [offerStep({ amountOff: 1000, amountCurrency: 'usd' })]);
    expect(stepOf(usdOnly, t.invoiceId, 'offer').skipReason).toMatch(/\$10\.00 off and has no amount for JPY invoices/);
    const plan = await env.planFor(t, [offerStep({ amountOff: 1000, amountCurrency: 'usd', currencyAmounts: { jpy: 1500 } })]);
    expect(stepOf(plan, t.invoiceId, 'offer').note).toMatch(/¥1,500 off/);
    const { actions } = await env.run(plan);
    expect((await actions())[0]!.status).toBe('succeeded');
    const coupon = env.sim.snapshot().coupons.find((c) => (c.metadata as Record<string, string>).reclaim_invoice === t.invoiceId)!;
    expect(coupon).toMatchObject({ amount_off: 1500, currency: 'jpy' });
  });
});
