import { afterEach, describe, expect, it } from 'vitest';
import { startFakeBland } from '../../main/voice-sim/fake-bland';
import { call, clockedCore, step } from './engine-helpers';
import { NOW, seed } from './helpers';

/**
 * #17 item 15: the AI voice call goes through an AI voice-agent platform's documented API
 * (Bland AI: POST /v1/calls, GET /v1/calls/:id), here a local server of that shape on 127.0.0.1.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('AI voice call through Bland AI', () => {
  it('gives the agent the script, the customer context and the pay link; reads the outcome; an unanswered call becomes an AM task the same day', async () => {
    const bland = await startFakeBland();
    cleanups.push(() => bland.close());
    const { core, clock } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Northwind', mode: 'test', currency: 'usd' });
    await call(core, 'whiteglove.voice.set', {
      workspaceId: ws.id, provider: 'http', api: 'bland', apiBase: bland.url, authToken: bland.apiKey, fromNumber: '+15550000000',
      minCustomerValue: 50_000, costPerCall: 150, perRunBudget: 10_000, dailyBudget: 10_000,
    });
    seed(core.registry.openDb(ws.id), [
      { id: 'c01', name: 'Ada Lovelace', mrr: 99_900, amountAtRisk: 99_900, phone: '+15551000001', accountManager: 'alice.wong@example.test' },
      { id: 'c02', name: 'Bo Busy', mrr: 99_900, amountAtRisk: 99_900, phone: '+15551000002', accountManager: 'alice.wong@example.test' },
    ]);
    bland.setOutcome('+15551000002', 'voicemail');
    await call(core, 'strategies.set', {
      workspaceId: ws.id, segmentId: 'seg_enterprise',
      strategy: { name: 'Immediate', steps: [step.voice('call', 0), step.am('am', 0, 1, { lastCallNotAnswered: true })] },
    });
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    const run = await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });

    // Placed at once, one call each, with what the agent needs.
    expect(bland.calls.map((c) => c.body.phone_number).sort()).toEqual(['+15551000001', '+15551000002']);
    const ada = bland.calls.find((c) => c.body.phone_number === '+15551000001')!.body;
    expect(ada.request_data).toMatchObject({ customer_name: 'Ada Lovelace', amount: '$999.00', invoice_number: 'INV-C01', pay_link: 'https://invoice.stripe.test/i/c01', account_manager: 'Alice Wong', business: 'Northwind' });
    expect(ada.task).toMatch(/Open with: "Hello Ada, this is Alice Wong calling about invoice INV-C01\./);
    expect(ada.task).toMatch(/\{\{pay_link\}\}/);
    expect(ada).toMatchObject({ from: '+15550000000', answered_by_enabled: true, metadata: { customer: 'c01', invoice: 'in_c01' } });

    // The outcome is read from Call Details; an hour later the unanswered one becomes an AM task.
    for (let i = 0; i < 3; i++) await call(core, 'voice.poll', { workspaceId: ws.id });
    clock.sec = NOW + 3600 + 60;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    const actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    const act = (c: string, s: string) => actions.find((a) => a.customerId === c && a.stepId === s)!;
    expect(act('c01', 'call')).toMatchObject({ status: 'succeeded', detail: 'call answered (90 s)', cost: { amount: 14, currency: 'usd' } });
    expect(act('c02', 'call')).toMatchObject({ status: 'failed', detail: 'call not answered' });
    expect(act('c01', 'am')).toMatchObject({ status: 'skipped', detail: 'condition: the call was answered' });
    expect((await call(core, 'queue.list', { workspaceId: ws.id })).rows.map((t) => t.customerId)).toEqual(['c02']);
  });
});
