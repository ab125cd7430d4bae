import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../main/stripe-sim/generator';
import { coreAt, caller, startSmtp, syncedWorkspace } from './helpers';

const CHILD = path.join(__dirname, 'run-child.ts');

describe('SIGKILL during a run, then resume', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let env: Awaited<ReturnType<typeof syncedWorkspace>>;

  beforeAll(async () => {
    smtp = await startSmtp({ delayMs: 25 });
    env = await syncedWorkspace({ seed: 23, customers: 220, smtpPort: smtp.port });
  }, 240_000);
  afterAll(async () => {
    await env.sim.close();
    await smtp.close();
  });

  it('never sends an email twice and never pays an invoice twice', async () => {
    const plan = await env.call('runs.plan', { workspaceId: env.workspaceId });
    expect(plan.totals.actionsNow).toBeGreaterThan(15);
    // Slow Stripe answers widen the window between the outbox commit and the effect.
    env.sim.setFaults([{ kind: 'slow', ms: 30, rate: 1 }]);
    await env.core.close();
    const rnd = prng(Number(process.env.KILL_SEED ?? 7));
    const spawnChild = (what: 'start' | 'resume', id: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, env.dataDir, env.workspaceId, what, id], {
        env: { ...process.env, RUN_NOW_MS: String(env.clock.now()) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const started = new Promise<void>((r) => child.stdout.once('data', () => r()));
      return { child, exited, started };
    };
    let runId: string | null = null;
    const killedMidway: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      // After the first child, four days have passed: retries are due as well as emails.
      if (i === 1) env.clock.advance(4 * 86_400);
      const c = runId ? spawnChild('resume', runId) : spawnChild('start', plan.planId);
      await c.started;
      await new Promise((r) => setTimeout(r, 150 + rnd.int(0, 900)));
      killedMidway.push(c.child.exitCode === null && c.child.kill('SIGKILL'));
      await c.exited;
      if (!runId) {
        const probe = coreAt(env.dataDir, env.clock);
        runId = (await caller(probe)('runs.list', { workspaceId: env.workspaceId })).at(0)?.id ?? null;
        await probe.close();
      }
    }
    expect(killedMidway.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(runId).not.toBeNull();
    // Resume to the end in this process.
    const core = coreAt(env.dataDir, env.clock);
    const call = caller(core);
    const done = await call('runs.resume', { workspaceId: env.workspaceId, runId: runId!, wait: true });
    expect(done.counts.in_flight).toBe(0);
    expect(done.dueNow).toBe(0);

    // 0 duplicate emails, counted at the SMTP server.
    const ids = smtp.received.map((m) => m.messageId);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    // 0 duplicate payments, counted at the Stripe server by Idempotency-Key and per invoice.
    const executions = env.sim.writes.executions();
    expect([...executions.values()].every((n) => n === 1)).toBe(true);
    expect([...env.sim.writes.payments().values()].every((n) => n === 1)).toBe(true);
    const payKeys = [...executions.keys()].filter((k) => k.startsWith('reclaim-pay-'));
    const perInvoice = new Map<string, number>();
    for (const k of payKeys) {
      const inv = Buffer.from(k.slice('reclaim-pay-'.length), 'base64url').toString().split(':')[1]!;
      perInvoice.set(inv, (perInvoice.get(inv) ?? 0) + 1);
    }
    const actions = await call('runs.actions', { workspaceId: env.workspaceId, runId: runId!, limit: 1000 });
    const retriesFired = actions.rows.filter((a) => a.channel === 'retry' && (a.status === 'succeeded' || a.status === 'failed') && !/new card/.test(a.detail ?? ''));
    expect(payKeys.length).toBeGreaterThan(0);
    expect(payKeys.length).toBe(retriesFired.length);
    // Every email the run records as sent arrived exactly once; interrupted SMTP sends are reported, not repeated.
    const sent = actions.rows.filter((a) => a.status === 'succeeded' && a.externalId?.startsWith('<reclaim.'));
    for (const a of sent) expect(ids.filter((x) => x === a.externalId)).toHaveLength(1);
    const interrupted = actions.rows.filter((a) => /interrupted/.test(a.detail ?? '')).length;
    console.log(`kill test: ${killedMidway.filter(Boolean).length} kills, ${ids.length} emails received, ${payKeys.length} pay requests executed, ${interrupted} SMTP sends interrupted (not repeated)`);
    await core.close();
  }, 180_000);
});
