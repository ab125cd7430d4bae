import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { startFakeVoiceProvider, type FakeVoiceProvider } from '../../main/voice-sim/fake-voice-provider';
import { endOfDay } from '../../main/core/queue/tasks';
import { call, clockedCore, step } from './engine-helpers';
import { DAY, NOW, seed } from './helpers';
import { startReceiver } from './receiver';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { voice?: boolean } = {}) {
  const { core, clock } = clockedCore(NOW);
  cleanups.push(() => core.close());
  const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
  const db = core.registry.openDb(ws.id);
  let provider: FakeVoiceProvider | null = null;
  if (opts.voice) {
    provider = await startFakeVoiceProvider();
    cleanups.push(() => provider!.close());
    await call(core, 'whiteglove.voice.set', {
      workspaceId: ws.id, provider: 'http', apiBase: provider.url, accountId: provider.accountId, authToken: provider.authToken, fromNumber: '+15550000000',
      minCustomerValue: 50_000, costPerCall: 150, perRunBudget: 10_000, dailyBudget: 10_000,
    });
  }
  return { core, clock, ws, db, provider };
}

async function planAndStart(core: Core, workspaceId: string) {
  const plan = await call(core, 'runs.plan', { workspaceId });
  const run = await call(core, 'runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
  return { plan, run };
}

describe('white-glove channels in the step engine', () => {
  it('escalates email → voice after the configured unanswered emails, then to an AM task only when the call was not answered', async () => {
    const { core, clock, ws, db, provider } = await setup({ voice: true });
    seed(db, [
      { id: 'c01', name: 'Ada Answers', mrr: 150_000, amountAtRisk: 150_000, phone: '+15551000001', accountManager: 'alice.wong@example.test' },
      { id: 'c02', name: 'Bo Busy', mrr: 150_000, amountAtRisk: 150_000, phone: '+15551000002', accountManager: 'alice.wong@example.test' },
      { id: 'c03', name: 'Cy Starter', mrr: 90_000, amountAtRisk: 90_000, phone: '+15551000003', segment: 'Starter' },
    ]);
    provider!.setOutcome('+15551000002', 'no-answer');
    const rx = await startReceiver(() => secret);
    cleanups.push(() => rx.close());
    const { secret: s } = await call(core, 'whiteglove.webhook.set', { workspaceId: ws.id, url: rx.url, rotateSecret: false });
    const secret = s!;
    // First failure was 3 days ago; a run that starts late keeps the spacing from now: e1 now, e2 tomorrow, the call on day 3, the AM task an hour later.
    await call(core, 'strategies.set', {
      workspaceId: ws.id, segmentId: 'seg_enterprise',
      strategy: { name: 'White glove', steps: [step.email('e1', 0), step.email('e2', 1), step.voice('call', 3, 0, { afterUnansweredEmails: 2 }), step.am('am', 3, 1, { lastCallNotAnswered: true }), step.webhook('hook', 3, 1)] },
    });
    await call(core, 'strategies.set', {
      workspaceId: ws.id, segmentId: 'seg_starter',
      strategy: { name: 'Starter', steps: [step.email('e1', 0), step.voice('call', 3, 0, { afterUnansweredEmails: 2 })] },
    });

    const { plan, run } = await planAndStart(core, ws.id);
    const callOf = (c: string) => plan.rows.find((r) => r.customerId === c)!.steps.find((x) => x.stepId === 'call')!;
    expect(callOf('c01')).toMatchObject({ when: 'later', skipReason: null, estimatedCost: { amount: 150, currency: 'usd' } });
    expect(callOf('c03')).toMatchObject({ when: 'skip', skipReason: 'condition: needs 2 unanswered email(s) first' });
    clock.sec = NOW + DAY + 60;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    expect(provider!.calls).toHaveLength(0);
    clock.sec = NOW + 3 * DAY + 60;
    await call(core, 'runs.tick', { workspaceId: ws.id });

    // Two emails went out to each enterprise customer, then one call each; the Starter customer got no call.
    expect(provider!.calls.map((c) => c.to).sort()).toEqual(['+15551000001', '+15551000002']);
    const emails = await call(core, 'outbox.list', { workspaceId: ws.id, runId: run.id });
    expect(emails.total).toBe(5);

    // The provider reports how the calls went; the results land in the run's outbox.
    for (let i = 0; i < 3; i++) await call(core, 'voice.poll', { workspaceId: ws.id });
    clock.sec = NOW + 3 * DAY + 2 * 3600;
    await call(core, 'runs.tick', { workspaceId: ws.id });

    const actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    const act = (c: string, s: string) => actions.find((a) => a.customerId === c && a.stepId === s)!;
    expect(act('c01', 'call')).toMatchObject({ status: 'succeeded', detail: 'call answered (95 s)', cost: { amount: 50, currency: 'usd' } });
    expect(act('c02', 'call')).toMatchObject({ status: 'failed', detail: 'call not answered', cost: { amount: 0, currency: 'usd' } });
    expect(act('c01', 'am')).toMatchObject({ status: 'skipped', detail: 'condition: the call was answered' });
    expect(act('c02', 'am').status).toBe('pending');
    const queue = await call(core, 'queue.list', { workspaceId: ws.id });
    expect(queue.rows.map((t) => [t.customerId, t.assignee])).toEqual([['c02', 'alice.wong@example.test']]);

    // Webhooks: one per enterprise invoice, each verified by the receiver.
    expect(rx.received.filter((r) => r.valid).map((r) => JSON.parse(r.body).data.customer.id).sort()).toEqual(['c01', 'c02']);
    // Spend is the provider's price, recorded as channel cost.
    expect((await call(core, 'runs.status', { workspaceId: ws.id, runId: run.id })).cost).toBe(50);
  });

  it('"promised to pay" holds the remaining steps until the promised date, then they fire', async () => {
    const { core, clock, ws, db } = await setup();
    seed(db, [{ id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'alice.wong@example.test' }]);
    await call(core, 'strategies.set', {
      workspaceId: ws.id, segmentId: 'seg_enterprise',
      strategy: { name: 'AM first', steps: [step.am('am', 0), step.email('follow-up', 4)] },
    });
    const { run } = await planAndStart(core, ws.id);
    const [task] = (await call(core, 'queue.list', { workspaceId: ws.id })).rows;
    const promised = new Date((NOW + 5 * DAY) * 1000).toISOString().slice(0, 10);
    await call(core, 'queue.outcome', { workspaceId: ws.id, taskId: task!.id, outcome: 'promised', promisedDate: promised, note: 'after payroll' });

    // The follow-up was due at NOW + 1 d; a tick then sends nothing.
    clock.sec = NOW + DAY + 3600;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    let actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.find((a) => a.stepId === 'follow-up')).toMatchObject({ status: 'scheduled', dueAt: endOfDay(promised) });
    expect(actions.find((a) => a.stepId === 'am')).toMatchObject({ status: 'succeeded', detail: `account manager: Promised to pay by ${promised} — after payroll` });
    expect((await call(core, 'outbox.list', { workspaceId: ws.id })).total).toBe(0);
    const audit = await call(core, 'audit.list', { workspaceId: ws.id, kind: 'sequence.paused' });
    expect(audit.rows[0]?.message).toBe(`remaining steps wait until ${promised}: Promised to pay by ${promised}`);

    // The promise is not kept: after the promised day the follow-up goes out.
    clock.sec = endOfDay(promised) + 60;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.find((a) => a.stepId === 'follow-up')?.status).toBe('succeeded');
    expect((await call(core, 'outbox.list', { workspaceId: ws.id })).total).toBe(1);
  });

  it('sends the personal email from a task through the outbox once, in the manager’s name, audited', async () => {
    const { core, ws, db } = await setup();
    seed(db, [{ id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'alice.wong@example.test' }]);
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'AM', steps: [step.am('am', 0)] } });
    const { run } = await planAndStart(core, ws.id);
    const [task] = (await call(core, 'queue.list', { workspaceId: ws.id })).rows;
    const first = await call(core, 'queue.sendEmail', { workspaceId: ws.id, taskId: task!.id, subject: 'Quick note about your invoice', text: 'Hi Ada,\n\nCan we talk?\n\nAlice' });
    const again = await call(core, 'queue.sendEmail', { workspaceId: ws.id, taskId: task!.id });
    expect(again.messageId).toBe(first.messageId);
    const list = await call(core, 'outbox.list', { workspaceId: ws.id });
    expect(list.total).toBe(1);
    const mail = await call(core, 'outbox.get', { workspaceId: ws.id, id: list.rows[0]!.id });
    expect(mail).toMatchObject({ to: 'c01@example.test', subject: 'Quick note about your invoice', runId: run.id });
    expect(mail.from).toMatch(/^Alice Wong </);
    expect(mail.headers['Reply-To']).toBe('alice.wong@example.test');
    expect(mail.text).toContain('Can we talk?');
    expect(first.task.emailSentAt).not.toBeNull();
    const actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.find((a) => a.stepId === 'am.email')).toMatchObject({ channel: 'email', status: 'succeeded', externalId: first.messageId });
    const ctx = await call(core, 'queue.get', { workspaceId: ws.id, taskId: task!.id });
    expect(ctx.timeline.map((e) => e.title)).toContain('Email sent: Quick note about your invoice');
  });
});
