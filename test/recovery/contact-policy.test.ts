import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, RunAction } from '../../shared/contract';
import { call, clockedCore, step } from '../whiteglove/engine-helpers';
import { NOW, seed } from '../whiteglove/helpers';
import { startSmtp, syncedWorkspace } from './helpers';

type Env = Awaited<ReturnType<typeof syncedWorkspace>>;

/**
 * #17 item 10, as the issue tells it: a run on a demo-like workspace is
 * cancelled, planned again and started again. The SMTP server (real, on
 * 127.0.0.1) must receive no second copy of any step, and no customer more
 * emails than the contact cap allows.
 */
describe('contact policy across runs: cancel, plan again, start again', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let env: Env;
  const runIds: string[] = [];
  let firstEmails = 0;
  let plan2: Plan;

  beforeAll(async () => {
    smtp = await startSmtp();
    env = await syncedWorkspace({ seed: 23, customers: 160, smtpPort: smtp.port });
  }, 240_000);
  afterAll(async () => {
    await env.core.close();
    await env.sim.close();
    await smtp.close();
  });

  async function actionsOf(runId: string): Promise<RunAction[]> {
    return (await env.call('runs.actions', { workspaceId: env.workspaceId, runId, limit: 1000 })).rows;
  }

  /** Every email the SMTP server took, as (invoice, step) through the action whose Message-ID it carries. */
  async function receivedSteps(): Promise<{ invoice: string; step: string; to: string; runId: string }[]> {
    const byMessage = new Map<string, RunAction>();
    for (const id of runIds) for (const a of await actionsOf(id)) if (a.externalId) byMessage.set(a.externalId, a);
    return smtp.received.map((m) => {
      const a = byMessage.get(m.messageId);
      if (!a) throw new Error(`an email no action sent: ${m.messageId} to ${m.to}`);
      return { invoice: a.invoiceId, step: a.stepId, to: m.to, runId: a.runId };
    });
  }

  it('the first run emails customers', async () => {
    const plan = await env.call('runs.plan', { workspaceId: env.workspaceId });
    const run = await env.call('runs.start', { workspaceId: env.workspaceId, planId: plan.planId, confirm: true, wait: true });
    runIds.push(run.id);
    firstEmails = smtp.received.length;
    expect(firstEmails).toBeGreaterThan(5);
  });

  it('after a cancel, the new plan skips what was done: "already sent 3 min ago"', async () => {
    env.clock.advance(3 * 60);
    await env.call('runs.cancel', { workspaceId: env.workspaceId, runId: runIds[0]! });
    plan2 = await env.call('runs.plan', { workspaceId: env.workspaceId });
    const sent = (await actionsOf(runIds[0]!)).filter((a) => a.status === 'succeeded' && (a.channel === 'email' || a.channel === 'offer'));
    expect(sent.length).toBeGreaterThan(0);
    for (const a of sent) {
      const step = plan2.rows.find((r) => r.invoiceId === a.invoiceId)?.steps.find((s) => s.stepId === a.stepId);
      expect(step?.when, `${a.invoiceId} ${a.stepId}`).toBe('skip');
      expect(step?.skipReason).toMatch(/^already sent 3 min ago/);
    }
    expect(plan2.totals.skipReasons.map((r) => r.reason)).toContain('already sent');
  });

  it('asked to repeat done steps, the plan still keeps the per-customer cap', async () => {
    const again = await env.call('runs.plan', { workspaceId: env.workspaceId, repeatDone: true });
    const reasons = again.rows.flatMap((r) => r.steps.map((s) => s.skipReason ?? ''));
    expect(reasons.filter((r) => r.startsWith('already '))).toEqual([]);
    expect(reasons.some((r) => /^contact cap: emailed 3 min ago/.test(r))).toBe(true);
  });

  it('started again, the SMTP server receives no second copy of any step, now or as the run goes on', async () => {
    const run = await env.call('runs.start', { workspaceId: env.workspaceId, planId: plan2.planId, confirm: true, wait: true });
    runIds.push(run.id);
    expect(smtp.received.length).toBe(firstEmails);
    // The rest of the sequence plays out over five weeks.
    for (let day = 0; day < 35; day++) {
      env.clock.advance(86_400);
      await env.call('runs.tick', { workspaceId: env.workspaceId });
    }
    const got = await receivedSteps();
    expect(got.length).toBeGreaterThan(firstEmails);
    const seen = new Map<string, string>();
    for (const g of got) {
      const k = `${g.invoice}:${g.step}`;
      expect(seen.get(k), `${k} sent by ${seen.get(k)} and again by ${g.runId}`).toBeUndefined();
      seen.set(k, g.runId);
    }
  });

});

describe('the per-customer contact cap across channels and the account manager queue', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function enterprise() {
    const { core, clock } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    seed(core.registry.openDb(ws.id), [{ id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'alice.wong@example.test' }]);
    // A personal note, a reminder the same morning, and the manager's task: three ways to email one customer on day 0.
    await call(core, 'strategies.set', {
      workspaceId: ws.id, segmentId: 'seg_enterprise',
      strategy: { name: 'Enterprise', steps: [step.email('note', 0), step.email('reminder', 0, 2), step.am('am', 0)] },
    });
    return { core, clock, ws };
  }

  it('a second email the same day is skipped in the plan and never sent; the manager’s email is held to the cap too', async () => {
    const { core, clock, ws } = await enterprise();
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    const reminder = plan.rows[0]!.steps.find((s) => s.stepId === 'reminder');
    expect(reminder).toMatchObject({ when: 'skip' });
    expect(reminder?.skipReason).toMatch(/^contact cap: another email to this customer is planned within 24 h \(at most 1 email per 24 h\)/);
    const run = await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    clock.sec += 3 * 3600;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    expect((await call(core, 'outbox.list', { workspaceId: ws.id })).total).toBe(1);
    const [task] = (await call(core, 'queue.list', { workspaceId: ws.id })).rows;
    await expect(call(core, 'queue.sendEmail', { workspaceId: ws.id, taskId: task!.id, subject: 'Quick note', text: 'Hi Ada' })).rejects.toThrow(
      /not sent: contact cap: emailed 3 h ago \(at most 1 email per 24 h\)/,
    );
    expect((await call(core, 'outbox.list', { workspaceId: ws.id })).total).toBe(1);
    // A day later the manager may write.
    clock.sec += 22 * 3600;
    await call(core, 'queue.sendEmail', { workspaceId: ws.id, taskId: task!.id, subject: 'Quick note', text: 'Hi Ada' });
    expect((await call(core, 'outbox.list', { workspaceId: ws.id })).total).toBe(2);
    const actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.find((a) => a.stepId === 'reminder')?.status).toBe('skipped');
  });

  it('the cap is a workspace recovery setting', async () => {
    const { core, ws } = await enterprise();
    expect((await call(core, 'recovery.settings.get', { workspaceId: ws.id })).contactPolicy).toEqual({ windowHours: 24, maxEmails: 1, maxCalls: 1 });
    const saved = await call(core, 'recovery.settings.set', { workspaceId: ws.id, contactPolicy: { maxEmails: 2 } });
    expect(saved.contactPolicy).toEqual({ windowHours: 24, maxEmails: 2, maxCalls: 1 });
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    expect(plan.rows[0]!.steps.find((s) => s.stepId === 'reminder')?.when).not.toBe('skip');
  });
});
