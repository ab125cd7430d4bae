import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../shared/contract';
import { caller, startSmtp, syncedWorkspace } from './helpers';

type Env = Awaited<ReturnType<typeof syncedWorkspace>>;

const nowSteps = (plan: Plan) => plan.rows.flatMap((r) => r.steps.filter((s) => s.when === 'now').map((s) => ({ row: r, step: s })));
const payRequests = (env: Env) => env.sim.requestLog.filter((r) => r.method === 'POST' && /^\/v1\/invoices\/[^/]+\/pay$/.test(r.path) && r.idempotencyKey?.startsWith('reclaim-pay-'));

describe('recovery run over real SMTP and the local Stripe server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let env: Env;
  let plan: Plan;

  beforeAll(async () => {
    smtp = await startSmtp();
    env = await syncedWorkspace({ seed: 11, customers: 160, smtpPort: smtp.port });
  }, 240_000);
  afterAll(async () => {
    await env.core.close();
    await env.sim.close();
    await smtp.close();
  });

  it('plans every open failed invoice with its strategy, skip reasons and the Smart Retries warning, sending nothing', async () => {
    plan = await env.call('runs.plan', { workspaceId: env.workspaceId });
    const open = env.sim.snapshot().invoices.filter((i) => i.status === 'open' && (i.attempt_count as number) > 0);
    expect(plan.rows.map((r) => r.invoiceId).sort()).toEqual(open.map((i) => i.id).sort());
    expect(plan.totals.actionsNow).toBeGreaterThan(5);
    expect(plan.warnings.join(' ')).toMatch(/Smart Retries/);
    // Hard declines: the retry step acts as an email asking for a new card, never as a retry.
    const hard = plan.rows.filter((r) => r.hardDecline);
    expect(hard.length).toBeGreaterThan(0);
    for (const r of hard) expect(r.steps.filter((s) => s.stepId.startsWith('retry') && s.channel === 'retry' && s.when !== 'skip')).toEqual([]);
    expect(smtp.received).toHaveLength(0);
    expect(payRequests(env)).toHaveLength(0);
    const csv = await env.call('runs.planExport', { workspaceId: env.workspaceId, planId: plan.planId, format: 'csv' });
    expect(csv.text.split('\r\n')[0]).toMatch(/^invoice,number,customer/);
    expect(csv.text).toContain(plan.rows[0]!.invoiceId);
  });

  it('executes exactly the planned emails and retries, once each', async () => {
    const run = await env.call('runs.start', { workspaceId: env.workspaceId, planId: plan.planId, confirm: true, wait: true });
    const due = nowSteps(plan);
    const plannedEmails = due.filter((d) => d.step.channel === 'email' || d.step.channel === 'offer');
    const plannedRetries = due.filter((d) => d.step.channel === 'retry');
    // Each invoice acts on its due steps in order; a retry that gets paid stops that invoice's later due steps.
    const actions = await env.call('runs.actions', { workspaceId: env.workspaceId, runId: run.id, limit: 1000 });
    const done = actions.rows.filter((a) => a.status === 'succeeded' || a.status === 'failed');
    const canceledAfterPay = actions.rows.filter((a) => a.status === 'canceled' && /paid/.test(a.detail ?? ''));
    expect(done.length + canceledAfterPay.filter((a) => a.dueAt <= env.clock.now() / 1000).length).toBe(due.length);
    const sentEmails = done.filter((a) => a.channel !== 'retry' || /new card/.test(a.detail ?? ''));
    expect(smtp.received).toHaveLength(sentEmails.filter((a) => a.status === 'succeeded').length);
    expect(smtp.received.length).toBeGreaterThan(0);
    expect(smtp.received.length).toBeLessThanOrEqual(plannedEmails.length + plannedRetries.filter((d) => d.row.hardDecline).length);
    // Every email went to its customer, once, with a Message-ID derived from the action.
    const ids = smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const emailsByCustomer = new Map(plan.rows.map((r) => [r.email, r]));
    for (const m of smtp.received) expect(emailsByCustomer.has(m.to)).toBe(true);
    // Retries: one pay request per planned soft-decline retry, none for hard declines.
    const pays = payRequests(env);
    expect(pays.length).toBe(done.filter((a) => a.channel === 'retry' && !/new card/.test(a.detail ?? '')).length);
    const hardIds = new Set(plan.rows.filter((r) => r.hardDecline).map((r) => r.invoiceId));
    for (const p of pays) expect(hardIds.has(p.path.split('/')[3]!)).toBe(false);
    for (const p of pays) expect(p.idempotencyKey).toMatch(/^reclaim-pay-/);
    for (const n of env.sim.writes.payments().values()) expect(n).toBe(1);
    const status = await env.call('runs.status', { workspaceId: env.workspaceId, runId: run.id });
    expect(status.counts.in_flight).toBe(0);
    expect(status.counts.scheduled).toBeGreaterThan(0);
    expect(status.status).toBe('running');
  });

  it('a second tick at the same moment sends nothing more', async () => {
    const before = smtp.received.length;
    const pays = payRequests(env).length;
    const r = await env.call('runs.tick', { workspaceId: env.workspaceId });
    expect(r.fired).toBe(0);
    expect(smtp.received.length).toBe(before);
    expect(payRequests(env).length).toBe(pays);
  });

  it('new failures that a later sync brings join the running run', async () => {
    const [run] = await env.call('runs.list', { workspaceId: env.workspaceId });
    const before = (await env.call('runs.status', { workspaceId: env.workspaceId, runId: run!.id })).invoices;
    // Time passes at Stripe: renewals fail (and Stripe's own retries pay some invoices).
    env.sim.advance(3 * 86_400);
    const { done } = await env.core.sync.start(env.workspaceId);
    expect((await done!).status).toBe('completed');
    env.clock.set(env.sim.now() * 1000);
    const tick = await env.call('runs.tick', { workspaceId: env.workspaceId });
    expect(tick.joined).toBeGreaterThan(0);
    const after = await env.call('runs.status', { workspaceId: env.workspaceId, runId: run!.id });
    expect(after.invoices).toBe(before + tick.joined);
    const log = await env.call('audit.list', { workspaceId: env.workspaceId, kind: 'run.joined', limit: 100 });
    expect(log.total).toBe(tick.joined);
  });

  it('a payment seen by sync stops that invoice’s remaining steps; later steps fire when due', async () => {
    const [run] = await env.call('runs.list', { workspaceId: env.workspaceId });
    const scheduled = await env.call('runs.actions', { workspaceId: env.workspaceId, runId: run!.id, status: 'scheduled', limit: 1000 });
    const target = scheduled.rows[0]!;
    expect(env.sim.writes.payOnHostedPage(target.invoiceId)).not.toBeNull();
    const { done } = await env.core.sync.start(env.workspaceId);
    expect((await done!).status).toBe('completed');
    env.clock.advance(30 * 86_400);
    const before = smtp.received.length;
    const tick = await env.call('runs.tick', { workspaceId: env.workspaceId });
    expect(tick.stopped).toBeGreaterThanOrEqual(1);
    expect(tick.fired).toBeGreaterThan(0);
    expect(smtp.received.length).toBeGreaterThan(before);
    const after = await env.call('runs.actions', { workspaceId: env.workspaceId, runId: run!.id, customerId: target.customerId, limit: 100 });
    const forInvoice = after.rows.filter((a) => a.invoiceId === target.invoiceId);
    expect(forInvoice.filter((a) => a.dueAt >= target.dueAt).every((a) => a.status === 'canceled')).toBe(true);
    const timeline = await env.call('customers.timeline', { workspaceId: env.workspaceId, customerId: target.customerId });
    expect(timeline.some((t) => t.kind === 'payment' && t.invoiceId === target.invoiceId)).toBe(true);
    expect(timeline.some((t) => t.kind === 'action')).toBe(true);
    // Every step has fired or been stopped: the run completes.
    const status = await env.call('runs.status', { workspaceId: env.workspaceId, runId: run!.id });
    expect(status.counts.scheduled).toBe(0);
    expect(status.status).toBe('completed');
    expect(status.recovered.invoices).toBeGreaterThanOrEqual(1);
    for (const n of env.sim.writes.payments().values()) expect(n).toBe(1);
    const ids = smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps an append-only audit log of the plan, the confirmation and every action', async () => {
    const call = caller(env.core);
    const log = await call('audit.list', { workspaceId: env.workspaceId, limit: 1000 });
    const kinds = new Set(log.rows.map((r) => r.kind));
    for (const k of ['run.planned', 'run.confirmed', 'action.started', 'action.succeeded', 'sequence.stopped', 'run.completed']) expect(kinds).toContain(k);
    expect(log.rows.every((r) => r.actor === 'Test Operator')).toBe(true);
    const db = env.core.registry.openDb(env.workspaceId);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET message = 'x'").run()).toThrow(/append-only/);
    const csv = await call('audit.export', { workspaceId: env.workspaceId, format: 'csv' });
    expect(csv.text.split('\r\n').length).toBeGreaterThan(log.total);
  });
});
