import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/core/dispatch';
import type { Core } from '../../main/core/api';
import type { Input, Method } from '../../shared/contract';
import type { Operator } from '../../shared/operators';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock } from '../recovery/helpers';
import { CUSTOMERS, NOW, seedWorkspace } from '../recovery/fixture';

/** The envelope a shell gets (the CLI, the bridge and Electron IPC all go through dispatch). */
const envelope = <M extends Method>(core: Core, method: M, input: Input<M>) => dispatch(core, method, input, core.ports.logger);
const refusal = async <M extends Method>(core: Core, method: M, input: Input<M>) => {
  const r = await envelope(core, method, input);
  if (r.ok) throw new Error(`${method} was allowed`);
  return r.error;
};

describe('a workspace without operators (one person, as before #23)', () => {
  const core = coreAt(tempDir(), mutableClock(NOW * 1000));
  const call = caller(core);
  afterAll(() => core.close());

  it('allows everything and names the operator-name setting as the actor', async () => {
    const workspaceId = (await call('workspaces.create', { name: 'Solo' })).id;
    seedWorkspace(core, workspaceId, CUSTOMERS);
    await call('recovery.settings.set', { workspaceId, operatorName: 'Dana Solo' });
    expect(await call('operators.current', { workspaceId })).toEqual({ signedIn: null, hasOperators: false });
    const plan = await call('runs.plan', { workspaceId, customerIds: ['cus_new'] });
    const run = await call('runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
    expect(run.startedBy).toBe('Dana Solo');
    const confirmed = (await call('audit.list', { workspaceId, kind: 'run.confirmed' })).rows;
    expect(confirmed.map((r) => r.actor)).toEqual(['Dana Solo']);
    expect(confirmed[0]!.data).not.toHaveProperty('operatorId');
    const strategy = await call('strategies.get', { workspaceId, segmentId: 'default' });
    await call('strategies.set', { workspaceId, segmentId: 'default', strategy: { name: strategy.name, steps: strategy.steps } });
  });
});

describe('operators with roles on a real SQLite workspace', () => {
  const dataDir = tempDir();
  const clock = mutableClock(NOW * 1000);
  let core = coreAt(dataDir, clock);
  let call = caller(core);
  let workspaceId: string;
  let sam: Operator;
  let ana: Operator;

  beforeAll(async () => {
    workspaceId = (await call('workspaces.create', { name: 'Team' })).id;
    seedWorkspace(core, workspaceId, CUSTOMERS);
    await call('recovery.settings.set', { workspaceId, operatorName: 'Not A Person' });
  });
  afterAll(() => core.close());

  it('the first operator must be able to add the others, and this desktop is signed in as them', async () => {
    const e = await refusal(core, 'operators.add', { workspaceId, name: 'Ana Ruiz', email: 'ana@team.test', role: 'account_manager' });
    expect(e.message).toBe('The first operator must be an admin or a recovery specialist, who can then add the account managers');
    sam = await call('operators.add', { workspaceId, name: 'Sam Carter', email: 'Sam@Team.test', role: 'specialist' });
    expect(sam).toMatchObject({ name: 'Sam Carter', email: 'sam@team.test', role: 'specialist' });
    ana = await call('operators.add', { workspaceId, name: 'Ana Ruiz', email: 'ana@team.test', role: 'account_manager' });
    const list = await call('operators.list', { workspaceId });
    expect(list.operators.map((o) => [o.name, o.role])).toEqual([['Ana Ruiz', 'account_manager'], ['Sam Carter', 'specialist']]);
    expect(list.signedIn?.id).toBe(sam.id);
    expect((await refusal(core, 'operators.add', { workspaceId, name: 'Sam Two', email: 'SAM@team.test', role: 'specialist' })).message).toBe('Sam Carter already uses sam@team.test; each operator has their own address');
  });

  it('an account manager cannot start a run, edit a strategy or a segment — through the same dispatcher the CLI and bridge use', async () => {
    await call('operators.signIn', { workspaceId, id: ana.id });
    // A dry run sends nothing: she may look at what a run would do.
    const plan = await call('runs.plan', { workspaceId, customerIds: ['cus_new'] });
    const start = await refusal(core, 'runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
    expect(start).toEqual({ code: 'forbidden', message: 'Account managers work the queue; ask a specialist to start runs' });
    expect(await call('runs.list', { workspaceId, limit: 10 })).toEqual([]);
    const strategy = await call('strategies.get', { workspaceId, segmentId: 'default' });
    expect((await refusal(core, 'strategies.set', { workspaceId, segmentId: 'default', strategy: { name: strategy.name, steps: strategy.steps } })).message).toBe('Account managers work the queue; ask a specialist to edit strategies');
    const segs = (await call('segments.list', { workspaceId })).segments;
    expect((await refusal(core, 'segments.reorder', { workspaceId, ids: segs.map((s) => s.id).reverse() })).message).toBe('Account managers work the queue; ask a specialist to edit segments');
    expect((await call('segments.list', { workspaceId })).segments.map((s) => s.id)).toEqual(segs.map((s) => s.id));
    expect((await refusal(core, 'operators.remove', { workspaceId, id: sam.id })).message).toMatch(/^Only an admin adds, changes or removes operators; Ana Ruiz is signed in as an account manager$/);
    // The direct handler call (what the CLI's streams and exports use) is refused the same way.
    await expect(core.handlers['runs.start']({ workspaceId, planId: plan.planId, confirm: true, wait: true })).rejects.toThrow('Account managers work the queue; ask a specialist to start runs');
    // The plan names her.
    const planned = (await call('audit.list', { workspaceId, kind: 'run.planned' })).rows[0]!;
    expect(planned).toMatchObject({ actor: 'Ana Ruiz', data: expect.objectContaining({ operatorId: ana.id }) });
  });

  it('with nobody signed in, reads work and writes are refused in one line', async () => {
    await call('operators.signIn', { workspaceId, id: null });
    expect((await call('operators.current', { workspaceId })).signedIn).toBeNull();
    expect((await call('audit.list', { workspaceId })).total).toBeGreaterThan(0);
    expect((await call('customers.list', { workspaceId, limit: 5 })).rows.length).toBeGreaterThan(0);
    const e = await refusal(core, 'runs.plan', { workspaceId });
    expect(e).toEqual({ code: 'forbidden', message: 'Sign in as an operator first: this workspace has operators, and nobody is signed in on this desktop' });
    expect((await refusal(core, 'suppressions.add', { workspaceId, email: 'x@y.test', reason: 'asked' })).code).toBe('forbidden');
  });

  it('a specialist starts the run: the run, its confirmation and its audit rows name her, with her id', async () => {
    await call('operators.signIn', { workspaceId, id: sam.id });
    const plan = await call('runs.plan', { workspaceId, customerIds: ['cus_new'] });
    const run = await call('runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
    expect(run.startedBy).toBe('Sam Carter');
    const confirmed = (await call('audit.list', { workspaceId, kind: 'run.confirmed' })).rows;
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({ actor: 'Sam Carter', runId: run.id, data: expect.objectContaining({ operatorId: sam.id }) });
    expect(confirmed[0]!.message).toMatch(/^Sam Carter started run /);
    const actions = (await call('audit.list', { workspaceId, runId: run.id, limit: 100 })).rows;
    expect(actions.length).toBeGreaterThan(1);
    for (const a of actions) expect(a.actor).toBe('Sam Carter');
    expect((await call('audit.verify', { workspaceId })).ok).toBe(true);

    // Days later the app's ticker fires the run's next step while Ana is signed in: it is still Sam's run.
    await call('operators.signIn', { workspaceId, id: ana.id });
    const before = (await call('audit.list', { workspaceId, runId: run.id, limit: 500 })).total;
    clock.advance(4 * 86_400);
    const tick = await core.recovery.engine.tick(workspaceId);
    expect(tick.fired).toBeGreaterThan(0);
    const later = (await call('audit.list', { workspaceId, runId: run.id, limit: 500 })).rows.slice(0, -before);
    expect(later.length).toBeGreaterThan(0);
    expect([...new Set(later.map((r) => r.actor))]).toEqual(['Sam Carter']);
    await call('operators.signIn', { workspaceId, id: sam.id });
  });

  it('who is signed in is kept on this desktop (its registry), not in the workspace, and survives a restart', async () => {
    await core.close();
    core = coreAt(dataDir, clock);
    call = caller(core);
    expect((await call('operators.current', { workspaceId })).signedIn?.id).toBe(sam.id);
    const db = core.registry.openDb(workspaceId);
    const inWorkspace = db.prepare(`SELECT count(*) FROM meta WHERE value LIKE ?`).pluck().get(`%${sam.id}%`);
    expect(inWorkspace).toBe(0);
  });

  it('removing the signed-in operator signs this desktop out; the last one who can manage operators stays', async () => {
    expect((await refusal(core, 'operators.update', { workspaceId, id: sam.id, role: 'account_manager' })).message).toBe('Keep at least one admin or recovery specialist: account managers cannot add or remove operators');
    const lee = await call('operators.add', { workspaceId, name: 'Lee Admin', email: 'lee@team.test', role: 'admin' });
    // With an admin in the workspace, a specialist no longer manages operators.
    expect((await refusal(core, 'operators.remove', { workspaceId, id: ana.id })).message).toBe('Only an admin adds, changes or removes operators; Sam Carter is signed in as a specialist');
    await call('operators.signIn', { workspaceId, id: lee.id });
    await call('operators.remove', { workspaceId, id: lee.id });
    expect((await call('operators.current', { workspaceId })).signedIn).toBeNull();
    const removed = (await call('audit.list', { workspaceId, kind: 'operator.removed' })).rows[0]!;
    expect(removed).toMatchObject({ actor: 'Lee Admin', message: 'Lee Admin <lee@team.test> removed from the operators' });
  });
});
