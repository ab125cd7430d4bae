import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock, startSmtp, type MutableClock } from './helpers';
import { CUSTOMERS, DAY, NOW, seedWorkspace } from './fixture';

describe('bounces, suppression and the customer timeline', () => {
  const core = coreAt(tempDir(), mutableClock(NOW * 1000));
  const call = caller(core);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let workspaceId: string;

  beforeAll(async () => {
    smtp = await startSmtp({ reject: (to) => (to === 'ada@lovelace.test' ? 550 : null) });
    workspaceId = (await call('workspaces.create', { name: 'Bounces' })).id;
    seedWorkspace(core, workspaceId, CUSTOMERS);
    await call('smtp.set', { workspaceId, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', ratePerMinute: 10_000 });
  });
  afterAll(async () => {
    await core.close();
    await smtp.close();
  });

  it('a 5xx rejection fails the action, suppresses the address, and the next plan skips it', async () => {
    const plan = await call('runs.plan', { workspaceId, customerIds: ['cus_new', 'cus_ent'] });
    const run = await call('runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
    const actions = await call('runs.actions', { workspaceId, runId: run.id, limit: 100 });
    const bounced = actions.rows.find((a) => a.customerId === 'cus_new' && a.stepId === 'welcome-help')!;
    expect(bounced.status).toBe('failed');
    expect(bounced.detail).toMatch(/^bounced: .*550/);
    expect(actions.rows.find((a) => a.customerId === 'cus_ent' && a.stepId === 'personal-email')!.status).toBe('succeeded');
    expect(smtp.received.map((m) => m.to)).toEqual(['grace@hopper.test']);
    // Sent in the account manager's name, replies going to them.
    expect(smtp.received[0]!.from).toMatch(/^"?Alice Wong"? <billing@northwind\.test>$/);
    expect((await call('suppressions.list', { workspaceId })).map((s) => s.email)).toEqual(['ada@lovelace.test']);
    await call('runs.cancel', { workspaceId, runId: run.id });
    const again = await call('runs.plan', { workspaceId, customerIds: ['cus_new'] });
    expect(again.rows[0]!.steps[0]!.skipReason).toMatch(/^unsubscribed \(bounced/);
    const timeline = await call('customers.timeline', { workspaceId, customerId: 'cus_new' });
    expect(timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['failure', 'action', 'run']));
    expect(timeline.find((t) => t.kind === 'action' && t.status === 'failed')?.detail).toMatch(/bounced/);
  });

  it('pause stops later steps from firing; resume fires them; cancel stops the rest', async () => {
    const clock = core.ports.clock as MutableClock;
    const id = (await call('workspaces.create', { name: 'Pause' })).id;
    seedWorkspace(core, id, CUSTOMERS.filter((c) => c.id === 'cus_default' || c.id === 'cus_new'));
    const plan = await call('runs.plan', { workspaceId: id });
    const run = await call('runs.start', { workspaceId: id, planId: plan.planId, confirm: true, wait: true });
    expect(run.counts.succeeded).toBe(2);
    expect((await call('outbox.list', { workspaceId: id })).total).toBe(2);
    await call('runs.pause', { workspaceId: id, runId: run.id });
    clock.advance(4 * DAY);
    expect((await call('runs.tick', { workspaceId: id })).fired).toBe(0);
    const resumed = await call('runs.resume', { workspaceId: id, runId: run.id, wait: true });
    expect(resumed.status).toBe('running');
    // Day 3 retries are due; no Stripe key on this workspace, so they fail clearly and will be tried again.
    const acts = await call('runs.actions', { workspaceId: id, runId: run.id, limit: 100 });
    expect(acts.rows.filter((a) => a.channel === 'retry' && a.dueAt <= NOW + 4 * DAY).every((a) => /Connect a Stripe key/.test(a.detail ?? ''))).toBe(true);
    const canceled = await call('runs.cancel', { workspaceId: id, runId: run.id });
    expect(canceled.counts.scheduled).toBe(0);
    clock.advance(30 * DAY);
    expect((await call('runs.tick', { workspaceId: id })).fired).toBe(0);
    clock.set(NOW * 1000);
  });
});
