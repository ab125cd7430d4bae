import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWorkspace } from '../harness/lib/consistency';
import { call, cloneDataDir, connectedWorkspace, openCore, workspaceFile, type Fixture } from '../harness/lib/fixture';
import { cli, opChild, sleep } from '../harness/lib/procs';

/**
 * Real processes on one workspace (issue #10, defects 2 and 4): two
 * `reclaim sync`, the console writing while the CLI syncs, and a SIGKILL
 * in the middle of a CSV import.
 */
describe('several Reclaim processes on one workspace', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await connectedWorkspace({ customers: 300, seed: 11, sync: false });
  }, 240_000);
  afterAll(async () => fx?.sim.close());

  it('a second `reclaim sync` joins the running one: never "database is locked"', async () => {
    fx.sim.setFaults([{ kind: 'slow', ms: 30, rate: 1 }]);
    const a = cli(fx.dataDir, ['sync']);
    await sleep(300);
    const b = cli(fx.dataDir, ['sync']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    fx.sim.setFaults([]);
    for (const r of [ra, rb]) {
      expect(r.err + r.out).not.toMatch(/locked|could not complete/i);
      expect(r.code, r.err).toBe(0);
    }
    const both = ra.err + ra.out + rb.err + rb.out;
    expect(both).toMatch(/Sync completed/);
    expect(both).toMatch(/already running in another Reclaim process/);
    expect(checkWorkspace(workspaceFile(fx.dataDir, fx.workspaceId))).toEqual([]);
  }, 240_000);

  it('the console creates segments and imports CSVs while the CLI syncs: no failure', async () => {
    const core = openCore(fx.dataDir);
    const ws = fx.workspaceId;
    // Force a full backfill so the CLI sync writes throughout.
    core.registry.openDb(ws).prepare('DELETE FROM sync_state').run();
    fx.sim.setFaults([{ kind: 'slow', ms: 5, rate: 1 }]);
    const sync = cli(fx.dataDir, ['sync']);
    const failures: string[] = [];
    let ops = 0;
    let exited = false;
    void sync.done.then(() => (exited = true));
    for (let i = 0; !exited || i < 6; i++) {
      try {
        await call(core, 'segments.create', { workspaceId: ws, name: `Busy ${i}`, rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>', value: i * 100 }] } });
        const csv = `id,visits\n${fx.customerIds.slice(0, 50).map((id, j) => `${id},${i + j}`).join('\n')}\n`;
        await call(core, 'attributes.importCsv', { workspaceId: ws, csv });
        await call(core, 'customers.list', { workspaceId: ws, limit: 20 });
        ops += 3;
      } catch (e) {
        failures.push((e as Error).message);
      }
      await sleep(20);
      if (i > 200) break;
    }
    const r = await sync.done;
    fx.sim.setFaults([]);
    await core.close();
    expect(failures).toEqual([]);
    expect(ops).toBeGreaterThan(6);
    expect(r.code, r.err).toBe(0);
    expect(checkWorkspace(workspaceFile(fx.dataDir, ws))).toEqual([]);
  }, 180_000);

  it('SIGKILL during a CSV import: the attributes are all-or-nothing and the next open finishes facts and membership', async () => {
    const base = fx.dataDir;
    const csvFile = path.join(base, '..', `import-${process.pid}.csv`);
    fs.writeFileSync(csvFile, `id,score,tier\n${fx.customerIds.map((id, i) => `${id},${i * 3},t${i % 4}`).join('\n')}\n`);
    // How long an uninterrupted import takes here (from "ready" to "done"): kills are drawn within it,
    // so they land mid-import on a fast machine and a busy one alike.
    const probe = opChild(cloneDataDir(base), fx.workspaceId, 'import', csvFile);
    expect(await probe.waitFor('ready')).toBe(true);
    const t0 = Date.now();
    await probe.waitFor('done');
    const importMs = Math.max(5, Date.now() - t0);
    await probe.done;
    const outcomes: string[] = [];
    // At least 4 trials, more (up to 12) until a kill has landed mid-import.
    for (let trial = 0; trial < 12 && (trial < 4 || !outcomes.includes('killed')); trial++) {
      const dir = cloneDataDir(base);
      const child = opChild(dir, fx.workspaceId, 'import', csvFile);
      expect(await child.waitFor('ready')).toBe(true);
      await sleep(Math.floor(Math.random() * importMs));
      child.child.kill('SIGKILL');
      const r = await child.done;
      outcomes.push(r.out.includes('done') ? 'finished' : 'killed');
      const core = openCore(dir);
      await call(core, 'segments.list', { workspaceId: fx.workspaceId });
      const n = core.registry.openDb(fx.workspaceId).prepare("SELECT count(*) FROM custom_attributes WHERE key = 'score'").pluck().get() as number;
      await core.close();
      expect([0, fx.customerIds.length]).toContain(n);
      expect(checkWorkspace(workspaceFile(dir, fx.workspaceId))).toEqual([]);
    }
    expect(outcomes).toContain('killed');
  }, 180_000);
});
