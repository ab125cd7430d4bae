import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARD_DECLINES, type Obj } from '../../main/stripe-sim/generator';
import { syncedWorkspace } from './helpers';

/**
 * #17 item 13: accepting the annual offer switches the subscription to the same
 * product's yearly price through Stripe (the local server, behaving as the SDK
 * documents subscriptions.update and invoices.createPreview), previewed first,
 * confirmed, audited.
 */
type Env = Awaited<ReturnType<typeof syncedWorkspace>>;
let env: Env;

interface Item { id: string; quantity: number; current_period_start: number; current_period_end: number; price: { id: string; unit_amount: number; product: string; currency: string; recurring: { interval: string } } }
const itemOf = (sub: Obj) => (sub.items as { data: Item[] }).data[0]!;

/** Monthly, not canceled subscriptions whose customer's card works (or not), from the server's own data. */
function monthlySubs(cardWorks: boolean): Obj[] {
  const data = env.sim.snapshot();
  const now = env.sim.now();
  const ym = Number(new Date(now * 1000).toISOString().slice(0, 7).replace('-', ''));
  return data.subscriptions.filter((s) => {
    if (s.status === 'canceled' || s.status === 'trialing' || itemOf(s).price.recurring.interval !== 'month') return false;
    const card = data.payment_methods.find((m) => m.customer === s.customer)!.card as { exp_month: number; exp_year: number };
    const failed = data.charges.filter((c) => c.customer === s.customer && c.status === 'failed').sort((a, b) => b.created - a.created)[0];
    const hard = HARD_DECLINES.includes(((failed?.outcome as { reason?: string } | undefined)?.reason ?? '') as string);
    const works = card.exp_year * 100 + card.exp_month >= ym && !hard;
    return works === cardWorks && itemOf(s).current_period_end > now;
  });
}

describe('switch to yearly billing (#17 item 13)', () => {
  beforeAll(async () => {
    env = await syncedWorkspace({ seed: 31, customers: 200 });
  }, 60_000);
  afterAll(async () => {
    env.core.close();
    await env.sim.close();
  });

  it('previews what the customer pays (yearly price minus the unused month), then switches with proration, keeping the quantity; audited', async () => {
    const sub = monthlySubs(true).find((s) => itemOf(s).quantity > 1) ?? monthlySubs(true)[0]!;
    const item = itemOf(sub);
    const customerId = sub.customer as string;
    const yearlyId = item.price.id.replace('_month_', '_year_');
    const yearly = env.sim.snapshot().prices.find((p) => p.id === yearlyId)!;

    const preview = await env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId });
    const t = preview.prorationDate;
    const credit = Math.round((item.price.unit_amount * item.quantity * (item.current_period_end - t)) / (item.current_period_end - item.current_period_start));
    expect(preview).toMatchObject({ status: 'preview', subscriptionId: sub.id, quantity: item.quantity, to: { priceId: yearlyId, interval: 'year' }, credit });
    expect(preview.amountDue).toBe((yearly.unit_amount as number) * item.quantity - credit);
    // Nothing changed yet, at Stripe.
    expect(itemOf(env.sim.snapshot().subscriptions.find((s) => s.id === sub.id)!).price.id).toBe(item.price.id);

    const done = await env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId, confirm: true, prorationDate: t });
    expect(done.status).toBe('switched');
    expect(done.amountDue).toBe(preview.amountDue);
    const after = env.sim.snapshot();
    const switched = itemOf(after.subscriptions.find((s) => s.id === sub.id)!);
    expect([switched.price.id, switched.quantity]).toEqual([yearlyId, item.quantity]);
    const invoice = after.invoices.find((i) => i.id === done.invoiceId)!;
    expect([invoice.status, invoice.amount_paid, invoice.billing_reason]).toEqual(['paid', preview.amountDue, 'subscription_update']);

    const audit = await env.call('audit.list', { workspaceId: env.workspaceId, customerId });
    expect(audit.rows.map((r) => r.kind)).toContain('annual.switched');
    // Locally too: a second confirm is refused, and the annual offer is no longer planned for this customer.
    await expect(env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId, confirm: true, prorationDate: t })).rejects.toThrow(/already billed yearly/);
  });

  it('a customer whose card fails is not moved onto a year they did not pay: the subscription stays monthly (pending_update)', async () => {
    const sub = monthlySubs(false)[0]!;
    const customerId = sub.customer as string;
    const preview = await env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId });
    const done = await env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId, confirm: true, prorationDate: preview.prorationDate });
    expect(done.status).toBe('pending_payment');
    const server = env.sim.snapshot().subscriptions.find((s) => s.id === sub.id)!;
    expect(itemOf(server).price.recurring.interval).toBe('month');
    expect(server.pending_update).not.toBeNull();
    // Asked again, Reclaim does not bill a second year on top of the one waiting for payment.
    await expect(env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId })).rejects.toThrow(/already has a change waiting for payment of invoice in_\w+/);
    // The customer pays the yearly invoice on its hosted page: then the switch applies.
    expect(env.sim.writes.payOnHostedPage(done.invoiceId!)).not.toBeNull();
    const paid = env.sim.snapshot().subscriptions.find((s) => s.id === sub.id)!;
    expect([itemOf(paid).price.recurring.interval, paid.pending_update]).toEqual(['year', null]);
  });

  it('says clearly why not: already yearly, no yearly price for the product', async () => {
    const data = env.sim.snapshot();
    const yearlySub = data.subscriptions.find((s) => s.status !== 'canceled' && itemOf(s).price.recurring.interval === 'year')!;
    await expect(env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId: yearlySub.customer as string })).rejects.toThrow(/already billed yearly/);

    const sub = monthlySubs(true).find((s) => itemOf(s).price.currency === 'gbp' || itemOf(s).price.currency === 'eur')!;
    const item = itemOf(sub);
    // The yearly price was archived in Stripe and synced as inactive.
    env.core.registry.openDb(env.workspaceId).prepare(`UPDATE prices SET active = 0 WHERE id = ?`).run(item.price.id.replace('_month_', '_year_'));
    await expect(env.call('recovery.switchToAnnual', { workspaceId: env.workspaceId, customerId: sub.customer as string })).rejects.toThrow(
      new RegExp(`No active yearly ${item.price.currency.toUpperCase()} price for product ${item.price.product}`),
    );
  });
});
