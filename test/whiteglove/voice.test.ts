import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVoiceChannel, lastCall } from '../../main/core/recovery/channels/voice/channel';
import { updateSettings, voiceTokenSecretId } from '../../main/core/queue/settings';
import { startFakeVoiceProvider, type FakeVoiceProvider } from '../../main/voice-sim/fake-voice-provider';
import type { Secrets } from '../../main/core/ports';
import { workspaceDb } from '../segments/helpers';
import { actionFor, memorySecrets, NOW, seed } from './helpers';
import type { Sqlite } from '../../main/core/db/sqlite';

let provider: FakeVoiceProvider;
let ws: ReturnType<typeof workspaceDb>;
let db: Sqlite;
let secrets: Secrets;

beforeEach(async () => {
  provider = await startFakeVoiceProvider();
  ws = workspaceDb();
  db = ws.db;
  secrets = memorySecrets();
  await secrets.set(voiceTokenSecretId('ws_test'), provider.authToken);
  updateSettings(db, 'voice', { provider: 'http', apiBase: provider.url, accountId: provider.accountId, fromNumber: '+15550000000', costPerCall: 150, minCustomerValue: 50_000, dailyBudget: 5_000, perRunBudget: 2_000 });
});
afterEach(async () => {
  await provider.close();
  ws.close();
});

const channel = () => createVoiceChannel({ secrets, fetch });

describe('voice calls through the fake provider', () => {
  it('places no call below the value threshold, and the plan says "under voice threshold"', async () => {
    seed(db, [
      { id: 'small', mrr: 20_000, amountAtRisk: 30_000 },
      { id: 'big', mrr: 20_000, amountAtRisk: 60_000, phone: '+15550100000' },
    ]);
    const ch = channel();
    expect(ch.estimate(actionFor(db, { customerId: 'small', channel: 'voice' })).skipReason).toBe('under voice threshold');
    const r = await ch.execute(actionFor(db, { customerId: 'small', channel: 'voice' }));
    expect(r).toMatchObject({ status: 'skipped', detail: 'under voice threshold' });
    expect(provider.posts).toBe(0);

    // The amount at risk counts when it is above MRR: this one is called.
    expect(ch.estimate(actionFor(db, { customerId: 'big', channel: 'voice' }))).toEqual({ skipReason: null, estimatedCost: { amount: 150, currency: 'usd' } });
    expect((await ch.execute(actionFor(db, { customerId: 'big', channel: 'voice' }))).status).toBe('pending');
    expect(provider.calls.map((c) => c.to)).toEqual(['+15550100000']);
    // A step may raise the threshold for its strategy.
    expect(ch.estimate(actionFor(db, { customerId: 'big', channel: 'voice', runId: 'r2', config: { minCustomerValue: 100_000 } })).skipReason).toBe('under voice threshold');
  });

  it('respects the per-run and daily caps when the plan would exceed them', async () => {
    const ids = ['c01', 'c02', 'c03', 'c04', 'c05', 'c06'];
    seed(db, ids.map((id) => ({ id, mrr: 100_000, amountAtRisk: 100_000 })));
    updateSettings(db, 'voice', { costPerCall: 150, perRunBudget: 400, dailyBudget: 700 });
    const ch = channel();

    // Plan: 6 calls of 1.50 against a 4.00 run cap → the first 2 fit, the rest show the cap.
    const plan = ids.map((id) => ch.estimate(actionFor(db, { customerId: id, channel: 'voice', runId: 'run_a', dryRun: true })).skipReason);
    expect(plan).toEqual([null, null, 'over voice budget (run cap reached)', 'over voice budget (run cap reached)', 'over voice budget (run cap reached)', 'over voice budget (run cap reached)']);

    // Execution holds the same line, counted at the provider.
    const results = [];
    for (const id of ids) results.push(await ch.execute(actionFor(db, { customerId: id, channel: 'voice', runId: 'run_a' })));
    expect(results.map((r) => r.status)).toEqual(['pending', 'pending', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(provider.calls).toHaveLength(2);

    // A second run the same day: the daily cap (7.00, 3.00 already reserved) allows 2 more, not 2 + a run's worth.
    const second = [];
    for (const id of ids) second.push(await ch.execute(actionFor(db, { customerId: id, channel: 'voice', runId: 'run_b', stepId: 'call' })));
    expect(second.filter((r) => r.status === 'pending')).toHaveLength(2);
    expect(second.find((r) => r.status === 'skipped')?.detail).toBe('over voice budget (daily cap reached)');
    expect(provider.calls).toHaveLength(4);

    // Next day, the daily cap starts again.
    const tomorrow = await ch.execute(actionFor(db, { customerId: 'c06', channel: 'voice', runId: 'run_c', now: NOW + 86_400 }));
    expect(tomorrow.status).toBe('pending');
    expect(provider.calls).toHaveLength(5);
  });

  it('records the provider price as the channel cost once the call ends, and the budget uses it', async () => {
    seed(db, [{ id: 'c01', mrr: 100_000 }, { id: 'c02', mrr: 100_000, phone: '+15559990002' }]);
    provider.setOutcome('+15559990002', 'no-answer');
    const ch = channel();
    const a = await ch.execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    expect(a).toMatchObject({ status: 'pending', cost: { amount: 150, currency: 'usd' } });
    await ch.execute(actionFor(db, { customerId: 'c02', channel: 'voice' }));
    // queued → ringing → in-progress → completed: three reads.
    for (let i = 0; i < 3; i++) await ch.poll('ws_test', db, NOW + 60);
    const rows = db.prepare(`SELECT customer_id, status, duration_sec, cost FROM voice_calls ORDER BY customer_id`).all();
    // 95 s at 0.25/min → 2 minutes → 0.50; an unanswered call costs nothing.
    expect(rows).toEqual([
      { customer_id: 'c01', status: 'answered', duration_sec: 95, cost: 50 },
      { customer_id: 'c02', status: 'no-answer', duration_sec: 0, cost: 0 },
    ]);
    expect(lastCall(db, 'in_c02')?.status).toBe('no-answer');
    // Spend is now 0.50, not 3.00 reserved: more calls fit the run cap.
    const spent = db.prepare(`SELECT SUM(COALESCE(cost, reserved_cost)) AS s FROM voice_calls`).get() as { s: number };
    expect(spent.s).toBe(50);
  });

  it('dials once when the answer is lost and the step runs again (same idempotency key)', async () => {
    seed(db, [{ id: 'c01', mrr: 100_000 }]);
    provider.loseNextAnswers(1);
    const ch = channel();
    const first = await ch.execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    expect(first).toMatchObject({ status: 'failed', retryable: true });
    const again = await ch.execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    expect(again.status).toBe('pending');
    expect(provider.posts).toBe(2);
    expect(provider.calls).toHaveLength(1);
    expect(again.externalId).toBe(provider.calls[0]!.sid);
    // And once recorded, a third execution does not even ask the provider.
    await ch.execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    expect(provider.posts).toBe(2);
  });

  it('reads the auth token from the secrets port and says so when it is missing or wrong', async () => {
    seed(db, [{ id: 'c01', mrr: 100_000 }, { id: 'c02', mrr: 100_000 }, { id: 'c03', mrr: 100_000, phone: null }]);
    await secrets.delete(voiceTokenSecretId('ws_test'));
    const missing = await channel().execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    expect(missing).toMatchObject({ status: 'failed', retryable: false });
    expect(missing.detail).toMatch(/auth token is not set/);
    await secrets.set(voiceTokenSecretId('ws_test'), 'wrong');
    const wrong = await channel().execute(actionFor(db, { customerId: 'c02', channel: 'voice' }));
    expect(wrong).toMatchObject({ status: 'failed', retryable: false });
    expect(wrong.detail).toMatch(/rejected the account id or auth token/);
    // A refused call gives its reservation back.
    expect(db.prepare(`SELECT reserved_cost FROM voice_calls WHERE customer_id = 'c02'`).get()).toEqual({ reserved_cost: 0 });
    expect(channel().estimate(actionFor(db, { customerId: 'c03', channel: 'voice' })).skipReason).toBe('no phone number');
    expect(provider.calls).toHaveLength(0);
  });

  it('the call-list adapter turns the call into one queue task for a human', async () => {
    seed(db, [{ id: 'c01', mrr: 100_000, accountManager: 'alice.wong@example.test', phone: null }]);
    updateSettings(db, 'voice', { provider: 'call_list' });
    const ch = channel();
    expect(ch.estimate(actionFor(db, { customerId: 'c01', channel: 'voice' }))).toEqual({ skipReason: null, estimatedCost: { amount: 0, currency: 'usd' } });
    const r1 = await ch.execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    const r2 = await ch.execute(actionFor(db, { customerId: 'c01', channel: 'voice' }));
    expect(r1.status).toBe('pending');
    expect(r2.externalId).toBe(r1.externalId);
    const tasks = db.prepare(`SELECT kind, assignee, call_script FROM am_tasks`).all() as { kind: string; assignee: string; call_script: string }[];
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'call', assignee: 'alice.wong@example.test' });
    expect(tasks[0]!.call_script).toContain('INV-C01');
    expect(provider.posts).toBe(0);
  });
});
