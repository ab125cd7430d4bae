import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/core/dispatch';
import type { Core } from '../../main/core/api';
import type { Operator } from '../../shared/operators';
import { startSmtp } from '../recovery/helpers';
import { call, clockedCore, step } from '../whiteglove/engine-helpers';
import { NOW, seed } from '../whiteglove/helpers';

/** #23: the queue's "mine" is the operator signed in on this desktop; outcomes and personal emails name them. */
describe('the white-glove queue with operators', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let core: Core;
  let workspaceId: string;
  let ana: Operator;
  let bo: Operator;
  const signIn = (id: string | null) => call(core, 'operators.signIn', { workspaceId, id });
  const mine = async () => (await call(core, 'queue.list', { workspaceId, mine: true })).rows.map((t) => t.customerId);

  beforeAll(async () => {
    smtp = await startSmtp();
    core = clockedCore(NOW).core;
    workspaceId = (await call(core, 'workspaces.create', { name: 'Team', mode: 'test', currency: 'usd' })).id;
    await call(core, 'smtp.set', { workspaceId, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', ratePerMinute: 10_000 });
    // One customer's account manager is stored as an address, the other's as a name: "mine" finds both.
    seed(core.registry.openDb(workspaceId), [
      { id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'ana@team.test' },
      { id: 'c02', name: 'Bob', mrr: 120_000, amountAtRisk: 90_000, accountManager: 'Bo Lin' },
    ]);
    await call(core, 'strategies.set', { workspaceId, segmentId: 'seg_enterprise', strategy: { name: 'AM', steps: [step.am('am', 0)] } });
    await call(core, 'operators.add', { workspaceId, name: 'Sam Carter', email: 'sam@team.test', role: 'specialist' });
    ana = await call(core, 'operators.add', { workspaceId, name: 'Ana Ruiz', email: 'ana@team.test', role: 'account_manager' });
    bo = await call(core, 'operators.add', { workspaceId, name: 'Bo Lin', email: 'bo@team.test', role: 'account_manager' });
    const plan = await call(core, 'runs.plan', { workspaceId });
    await call(core, 'runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
  }, 60_000);
  afterAll(async () => {
    await core.close();
    await smtp.close();
  });

  it('"mine" lists the signed-in operator’s tasks, by their address or their name', async () => {
    expect((await call(core, 'queue.list', { workspaceId })).rows.map((t) => t.customerId).sort()).toEqual(['c01', 'c02']);
    await signIn(ana.id);
    expect(await mine()).toEqual(['c01']);
    await signIn(bo.id);
    expect(await mine()).toEqual(['c02']);
    await signIn(null);
    const r = await dispatch(core, 'queue.list', { workspaceId, mine: true }, core.ports.logger);
    expect(r).toEqual({ ok: false, error: { code: 'bad_request', message: 'Sign in as an operator to see your own tasks' } });
  });

  it('an account manager logs an outcome and sends the personal email; both name her, with her id', async () => {
    await signIn(ana.id);
    const [task] = (await call(core, 'queue.list', { workspaceId, mine: true })).rows;
    await call(core, 'queue.sendEmail', { workspaceId, taskId: task!.id, subject: 'Quick note', text: 'Hi Ada' });
    expect(smtp.received.map((m) => m.to)).toEqual(['c01@example.test']);
    // `by` from an older client is not who logs it: the signed-in operator is.
    await call(core, 'queue.outcome', { workspaceId, taskId: task!.id, outcome: 'updated', note: 'new card on file', by: 'someone@else.test' });
    const ctx = await call(core, 'queue.get', { workspaceId, taskId: task!.id });
    expect(ctx.log.map((l) => l.by)).toEqual(['Ana Ruiz']);
    const rows = (await call(core, 'audit.list', { workspaceId, customerId: 'c01', limit: 100 })).rows.filter((r) => r.actor === 'Ana Ruiz');
    expect(rows.map((r) => r.kind).sort()).toEqual(['action.started', 'action.succeeded', 'action.succeeded'].sort());
    for (const r of rows) expect(r.data.operatorId).toBe(ana.id);
  });
});
