import { describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../helpers/core';
import { runReclaim } from '../helpers/cli';
import { CUSTOMERS, seedWorkspace } from '../recovery/fixture';

/** #23 from a terminal: `reclaim operators …` against a temp data folder, the CLI as a user runs it (bin/reclaim.mjs). */
describe('reclaim operators', () => {
  it('adds operators, signs in, and an account manager cannot start a run; the specialist’s run names her', async () => {
    const dir = tempDir();
    const core = testCore({ dataDir: dir });
    const ws = await core.handlers['workspaces.create']({ name: 'Team', mode: 'test', currency: 'usd' });
    seedWorkspace(core, ws.id, CUSTOMERS);
    await core.close();
    const reclaim = (...args: string[]) => runReclaim(dir, args);

    const none = await reclaim('operators', 'list');
    expect(none.code).toBe(0);
    expect(none.out).toMatch(/^No operators: one person works this workspace/);

    const badRole = await reclaim('operators', 'add', '--name', 'Ana Ruiz', '--email', 'ana@team.test', '--role', 'boss');
    expect(badRole.code).toBe(2);
    const sam = await reclaim('operators', 'add', '--name', 'Sam Carter', '--email', 'sam@team.test', '--role', 'specialist');
    expect(sam.code).toBe(0);
    expect(sam.out.trim()).toMatch(/^Added Sam Carter <sam@team\.test>, recovery specialist \(op_[0-9a-f]+\)$/);
    expect((await reclaim('operators', 'add', '--name', 'Ana Ruiz', '--email', 'ana@team.test', '--role', 'account_manager')).code).toBe(0);
    expect((await reclaim('operators', 'whoami')).out.trim()).toBe('Signed in as Sam Carter <sam@team.test>, recovery specialist');

    expect((await reclaim('operators', 'sign-in', 'ANA@team.test')).out.trim()).toBe('Signed in as Ana Ruiz <ana@team.test>, account manager');
    const list = await reclaim('operators', 'list');
    expect(list.out).toMatch(/^\*\s+op_\w+\s+Ana Ruiz\s+ana@team\.test\s+Account manager$/m);
    const plan = JSON.parse((await reclaim('--json', 'run', 'plan')).out) as { planId: string };
    const refused = await reclaim('run', 'start', '--plan', plan.planId, '--yes');
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toBe('reclaim: Account managers work the queue; ask a specialist to start runs');
    expect((await reclaim('--json', 'run', 'list')).out.trim()).toBe('[]');

    expect((await reclaim('operators', 'sign-out')).code).toBe(0);
    const nobody = await reclaim('run', 'plan');
    expect(nobody.code).toBe(1);
    expect(nobody.err.trim()).toBe('reclaim: Sign in as an operator first: this workspace has operators, and nobody is signed in on this desktop');
    expect((await reclaim('audit')).code).toBe(0);

    expect((await reclaim('operators', 'sign-in', 'sam@team.test')).code).toBe(0);
    const started = await reclaim('--json', 'run', 'start', '--plan', plan.planId, '--yes');
    expect(started.code).toBe(0);
    expect(JSON.parse(started.out)).toMatchObject({ startedBy: 'Sam Carter' });
    const audit = JSON.parse((await reclaim('--json', 'audit', '--kind', 'run.confirmed')).out) as { rows: { actor: string }[] };
    expect(audit.rows.map((r) => r.actor)).toEqual(['Sam Carter']);
    const table = (await reclaim('audit', '--kind', 'run')).out;
    expect(table).toMatch(/Ana Ruiz\s+run\.planned/);
    expect(table).toMatch(/Sam Carter\s+run\.confirmed/);
    expect(table).not.toContain(process.env.USER ?? 'root');
    // The queue's Mine is the signed-in operator's: Sam has no tasks, whatever the run put in the queue.
    const mine = await reclaim('--json', 'queue', 'list', '--mine');
    expect(mine.code).toBe(0);
    expect(JSON.parse(mine.out)).toEqual([]);
    expect((await reclaim('operators', 'sign-out')).code).toBe(0);
    const anon = await reclaim('queue', 'list', '--mine');
    expect([anon.code, anon.err.trim()]).toEqual([2, 'reclaim: Sign in as an operator to see your own tasks']);
  }, 240_000);
});
