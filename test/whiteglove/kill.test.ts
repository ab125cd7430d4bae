import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../main/stripe-sim/generator';
import { startFakeVoiceProvider, type FakeVoiceProvider } from '../../main/voice-sim/fake-voice-provider';
import { call, clockedCore, step } from './engine-helpers';
import { NOW, seed } from './helpers';
import { startReceiver } from './receiver';

// The run executes in a child process (the engine's own test child) so it can be SIGKILLed mid-flight.
const CHILD = path.join(__dirname, '../recovery/run-child.ts');
const N = 36;

describe('SIGKILL during a run with calls, tasks and webhooks, then resume', () => {
  let provider: FakeVoiceProvider;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let secret = '';

  beforeAll(async () => {
    provider = await startFakeVoiceProvider({ delayMs: 40 });
    rx = await startReceiver(() => secret, { delayMs: 40 });
  });
  afterAll(async () => {
    await provider.close();
    await rx.close();
  });

  it('never places a call twice, never creates a task twice, and the receiver acts on each webhook once', async () => {
    const { core, dataDir } = clockedCore(NOW);
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    const db = core.registry.openDb(ws.id);
    const ids = Array.from({ length: N }, (_, i) => `c${String(i).padStart(2, '0')}`);
    seed(db, ids.map((id) => ({ id, mrr: 150_000, amountAtRisk: 150_000 })));
    await call(core, 'whiteglove.voice.set', {
      workspaceId: ws.id, provider: 'http', apiBase: provider.url, accountId: provider.accountId, authToken: provider.authToken, fromNumber: '+15550000000',
      costPerCall: 100, perRunBudget: 1_000_000, dailyBudget: 1_000_000,
    });
    await call(core, 'whiteglove.am.set', { workspaceId: ws.id, managers: ['alice.wong@example.test', 'bruno.diaz@example.test'] });
    secret = (await call(core, 'whiteglove.webhook.set', { workspaceId: ws.id, url: rx.url, backoffMs: 10 })).secret!;
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'WG', steps: [step.voice('call', 0), step.am('am', 0), step.webhook('hook', 0)] } });
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    expect(plan.totals.actionsNow).toBe(3 * N);
    await core.close();

    const rnd = prng(Number(process.env.KILL_SEED ?? 11));
    const spawnChild = (what: 'start' | 'resume', id: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, ws.id, what, id], { env: { ...process.env, RUN_NOW_MS: String(NOW * 1000) }, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const started = new Promise<void>((r) => child.stdout.once('data', () => r()));
      return { child, exited, started };
    };
    let runId: string | null = null;
    let kills = 0;
    for (let i = 0; i < 5; i++) {
      const c = runId ? spawnChild('resume', runId) : spawnChild('start', plan.planId);
      await c.started;
      await new Promise((r) => setTimeout(r, 300 + rnd.int(0, 900)));
      if (c.child.exitCode === null && c.child.kill('SIGKILL')) kills++;
      await c.exited;
      if (!runId) {
        const probe = clockedCore(NOW, dataDir).core;
        runId = (await call(probe, 'runs.list', { workspaceId: ws.id })).at(0)?.id ?? null;
        await probe.close();
      }
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const { core: last } = clockedCore(NOW, dataDir);
    // A child may have finished the run before it was killed; otherwise resume it to the end.
    const before = await call(last, 'runs.status', { workspaceId: ws.id, runId: runId! });
    const done = before.status === 'completed' ? before : await call(last, 'runs.resume', { workspaceId: ws.id, runId: runId!, wait: true });
    expect(done.counts.in_flight).toBe(0);
    expect(done.counts.scheduled).toBe(0);

    // Calls, counted at the fake provider: exactly one per invoice.
    const perNumber = new Map<string, number>();
    for (const c of provider.calls) perNumber.set(c.to, (perNumber.get(c.to) ?? 0) + 1);
    expect(provider.calls).toHaveLength(N);
    expect([...perNumber.values()].every((n) => n === 1)).toBe(true);
    // Tasks: exactly one per invoice.
    const tasks = (await call(last, 'queue.list', { workspaceId: ws.id, status: 'all' })).rows;
    expect(tasks).toHaveLength(N);
    expect(new Set(tasks.map((t) => t.invoiceId)).size).toBe(N);
    // Webhooks: the receiver acted once per invoice (it dedupes on Reclaim-Delivery, as the README tells receivers to).
    expect(rx.acted.size).toBe(N);
    const invoicesActed = new Set(rx.received.filter((r) => r.valid && rx.acted.has(r.delivery)).map((r) => JSON.parse(r.body).data.invoice.id));
    expect(invoicesActed.size).toBe(N);
    const actions = (await call(last, 'runs.actions', { workspaceId: ws.id, runId: runId!, limit: 1000 })).rows;
    // Every voice action points at one of the provider's calls, each at a different one (resumed ticks poll, so some already ended).
    const voice = actions.filter((a) => a.channel === 'voice');
    expect(voice.every((a) => a.status === 'pending' || a.status === 'succeeded')).toBe(true);
    expect(new Set(voice.map((a) => a.externalId))).toEqual(new Set(provider.calls.map((c) => c.sid)));
    expect(actions.filter((a) => a.channel === 'webhook' && a.status === 'succeeded')).toHaveLength(N);
    console.log(`white-glove kill test: ${kills} kills, ${provider.posts} call requests → ${provider.calls.length} calls, ${tasks.length} tasks, ${rx.received.length} webhook POSTs → ${rx.acted.size} acted on`);
    await last.close();
  }, 180_000);
});
