import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../shared/contract';
import { syncedWorkspace } from './helpers';

type Env = Awaited<ReturnType<typeof syncedWorkspace>>;
let env: Env;
let plan: Plan;

/** The interval the local Stripe server bills an invoice's subscription at (the truth the plan must respect). */
function simInterval(invoiceId: string): string | null {
  const data = env.sim.snapshot();
  const inv = data.invoices.find((i) => i.id === invoiceId)!;
  const subId = (inv.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details?.subscription;
  const sub = data.subscriptions.find((s) => s.id === subId);
  if (!sub) return null;
  return (sub.items as { data: { price: { recurring: { interval: string } } }[] }).data[0]!.price.recurring.interval;
}

describe('annual-billing offer (#17 item 13)', () => {
  beforeAll(async () => {
    env = await syncedWorkspace({ seed: 31, customers: 200 });
    const segs = await env.call('segments.list', { workspaceId: env.workspaceId });
    const atRisk = segs.segments.find((s) => s.name === 'At-Risk')!;
    // The At-Risk default's annual offer, given to every segment: At-Risk alone (two failed invoices in a year) rarely holds a yearly customer.
    const annual = (await env.call('strategies.get', { workspaceId: env.workspaceId, segmentId: atRisk.id })).steps.find((s) => s.id === 'offer-annual')!;
    for (const segmentId of [...segs.segments.map((s) => s.id), 'default']) {
      await env.call('strategies.set', { workspaceId: env.workspaceId, segmentId, strategy: { name: 'Annual offer', steps: [annual] } });
    }
    plan = await env.call('runs.plan', { workspaceId: env.workspaceId });
  }, 60_000);
  afterAll(async () => {
    env.core.close();
    await env.sim.close();
  });

  it('is not offered to a customer already billed yearly; the plan says why', () => {
    const offers = plan.rows
      .map((r) => ({ row: r, step: r.steps.find((s) => s.stepId === 'offer-annual')! }))
      .filter((x) => x.step);
    const yearly = offers.filter((x) => simInterval(x.row.invoiceId) === 'year');
    const monthly = offers.filter((x) => simInterval(x.row.invoiceId) === 'month');
    expect(yearly.length).toBeGreaterThan(0);
    expect(monthly.length).toBeGreaterThan(0);
    for (const x of yearly) expect(x.step.skipReason).toBe('already billed yearly');
    for (const x of monthly) expect(x.step.skipReason).not.toBe('already billed yearly');
  });
});
