import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAmTaskChannel } from '../../main/core/recovery/channels/am-task';
import { updateSettings } from '../../main/core/queue/settings';
import { tempDir, testCore } from '../helpers/core';
import { actionFor, NOW, seed } from './helpers';

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
const reclaim = (args: string[], dataDir: string) => {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8', input: '' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('reclaim queue', () => {
  it('lists tasks (mine, overdue) and logs outcomes; promised needs a date', async () => {
    const dir = tempDir();
    const core = testCore({ dataDir: dir });
    const ws = await core.handlers['workspaces.create']({ name: 'Acme', mode: 'test', currency: 'usd' });
    const db = core.registry.openDb(ws.id);
    seed(db, [
      { id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'alice.wong@example.test' },
      { id: 'c02', name: 'Bob', mrr: 90_000, amountAtRisk: 400_000 },
    ]);
    updateSettings(db, 'am', { managers: ['bruno.diaz@example.test'] });
    // Tasks created long ago, so they are overdue now.
    for (const id of ['c01', 'c02']) await createAmTaskChannel().execute({ ...actionFor(db, { customerId: id, channel: 'am_task', now: NOW }), workspaceId: ws.id });
    await core.close();

    const all = reclaim(['--json', 'queue', 'list'], dir);
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.out) as { id: string; customerId: string; assignee: string; overdue: boolean }[];
    expect(rows.map((r) => [r.customerId, r.assignee, r.overdue])).toEqual([
      ['c02', 'bruno.diaz@example.test', true],
      ['c01', 'alice.wong@example.test', true],
    ]);
    const mine = JSON.parse(reclaim(['--json', 'queue', 'list', '--mine', 'alice.wong@example.test', '--overdue'], dir).out) as { customerId: string }[];
    expect(mine.map((r) => r.customerId)).toEqual(['c01']);
    expect(reclaim(['queue', 'list'], dir).out).toMatch(/TASK\s+KIND\s+CUSTOMER[\s\S]*Bob\s+Enterprise\s+\$4,000\.00\s+bruno\.diaz@example\.test\s+.*OVERDUE/);

    const noDate = reclaim(['queue', 'outcome', rows[0]!.id, '--result', 'promised'], dir);
    expect(noDate.code).toBe(2);
    expect(noDate.err.trim()).toBe('reclaim: --result promised needs --date YYYY-MM-DD');
    const bad = reclaim(['queue', 'outcome', rows[0]!.id, '--result', 'maybe'], dir);
    expect(bad.code).toBe(2);
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const ok = reclaim(['queue', 'outcome', rows[0]!.id, '--result', 'promised', '--date', date, '--note', 'after payroll'], dir);
    expect(ok.code).toBe(0);
    expect(ok.out.trim()).toBe(`${rows[0]!.id}: Promised to pay by ${date} (remaining steps wait until then); task done`);
    const ghost = reclaim(['queue', 'outcome', 'task_nope', '--result', 'refused'], dir);
    expect(ghost.code).toBe(1);
    expect(ghost.err.trim()).toBe('reclaim: The task was not found');

    const open = JSON.parse(reclaim(['--json', 'queue', 'list'], dir).out) as { customerId: string }[];
    expect(open.map((r) => r.customerId)).toEqual(['c01']);
    const done = JSON.parse(reclaim(['--json', 'queue', 'list', '--status', 'done'], dir).out) as { customerId: string; outcome: string; promisedDate: string }[];
    expect(done).toEqual([expect.objectContaining({ customerId: 'c02', outcome: 'promised', promisedDate: date })]);
  }, 180_000);
});
