import { afterEach, describe, expect, it } from 'vitest';
import { startFakeVoiceProvider, type FakeVoiceProvider } from '../../main/voice-sim/fake-voice-provider';
import { call, clockedCore, step } from '../whiteglove/engine-helpers';
import { NOW, seed } from '../whiteglove/helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * #17 item 12: a voice budget that fits two calls went to the first two
 * invoices in list order, so the $8,991 customers lost their calls while the
 * $999 one kept his. The budget goes by amount at risk, highest first.
 */
const voice = (p: FakeVoiceProvider, perRunBudget: number) => ({
  provider: 'http' as const, apiBase: p.url, accountId: p.accountId, authToken: p.authToken, fromNumber: '+15550000000',
  minCustomerValue: 50_000, costPerCall: 150, perRunBudget, dailyBudget: 10_000,
});

describe('the voice budget is spent by amount at risk, highest first', () => {
  async function setup(perRunBudget: number) {
    const { core } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const provider = await startFakeVoiceProvider();
    cleanups.push(() => provider.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    // The $999 customer comes first in the list (lowest id, same failure time).
    seed(core.registry.openDb(ws.id), [
      { id: 'c01', name: 'Small', mrr: 99_900, amountAtRisk: 99_900, phone: '+15551000001' },
      { id: 'c02', name: 'Big One', mrr: 899_100, amountAtRisk: 899_100, phone: '+15551000002' },
      { id: 'c03', name: 'Big Two', mrr: 899_100, amountAtRisk: 899_100, phone: '+15551000003' },
    ]);
    await call(core, 'whiteglove.voice.set', { workspaceId: ws.id, ...voice(provider, perRunBudget) });
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'Call', steps: [step.voice('call', 0)] } });
    return { core, ws, provider };
  }

  it('with room for two calls, the two customers with most at risk are called, not the first in the list', async () => {
    const { core, ws, provider } = await setup(300);
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    const callOf = (customerId: string) => plan.rows.find((r) => r.customerId === customerId)!.steps[0]!;
    expect(callOf('c02').when).toBe('now');
    expect(callOf('c03').when).toBe('now');
    expect(callOf('c01')).toMatchObject({ when: 'skip', skipReason: 'over voice budget (run cap reached)' });
    // The plan still lists invoices in their usual order.
    expect(plan.rows.map((r) => r.customerId)).toEqual(['c01', 'c02', 'c03']);

    await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    expect(provider.calls.map((c) => c.to).sort()).toEqual(['+15551000002', '+15551000003']);
  });

  it('a call the contact cap skips takes no share of the budget', async () => {
    const { core, ws, provider } = await setup(300);
    // Two calls the same day: the cap (one call per 24 h) skips the second for each customer.
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'Call', steps: [step.voice('call', 0), step.voice('again', 0, 2)] } });
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    const when = (c: string) => plan.rows.find((r) => r.customerId === c)!.steps.map((s) => s.when);
    expect(when('c02')).toEqual(['now', 'skip']);
    expect(when('c03')).toEqual(['now', 'skip']);
    expect(plan.rows.find((r) => r.customerId === 'c02')!.steps[1]!.skipReason).toMatch(/^contact cap: another call/);
    await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    expect(provider.calls.map((c) => c.to).sort()).toEqual(['+15551000002', '+15551000003']);
  });

  it('when the budget shrinks after the plan, the run still calls the most at risk first', async () => {
    const { core, ws, provider } = await setup(450);
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    expect(plan.rows.map((r) => r.steps[0]!.when)).toEqual(['now', 'now', 'now']);
    await call(core, 'whiteglove.voice.set', { workspaceId: ws.id, ...voice(provider, 300) });
    const run = await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    expect(provider.calls.map((c) => c.to).sort()).toEqual(['+15551000002', '+15551000003']);
    const actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.find((a) => a.customerId === 'c01')).toMatchObject({ status: 'skipped', detail: 'over voice budget (run cap reached)' });
  });
});
