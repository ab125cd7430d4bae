import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { openDemoIfEmpty } from '../../main/core/boot';
import { DEMO_BUILDING_META } from '../../main/core/demo/unfinished';
import { testCore } from '../helpers/core';
import { call } from '../whiteglove/engine-helpers';

const SMALL = { customers: 40, seed: 3, history: false } as const;

/** A pid that no process has any more: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

const markBuilding = (core: Core, id: string, pid: number) =>
  core.registry.openDb(id).prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(DEMO_BUILDING_META, JSON.stringify({ pid, startedAtMs: Date.now() }));

/** A demo whose first build was stopped half-way (Ctrl+C during `npm start`) is built again at the next start, not kept half-made. */
describe('an interrupted demo build', () => {
  let core: Core;
  beforeAll(() => {
    core = testCore();
  });
  afterAll(() => core?.close());

  it('a finished demo carries no building mark and is kept at the next start', async () => {
    const ws = await call(core, 'demo.create', SMALL);
    expect(core.registry.openDb(ws.id).prepare(`SELECT value FROM meta WHERE key = ?`).get(DEMO_BUILDING_META)).toBeUndefined();
    await openDemoIfEmpty(core, SMALL);
    expect(core.registry.list().map((w) => w.id)).toEqual([ws.id]);
    core.registry.remove(ws.id);
  }, 120_000);

  it('is removed and built again when the process that built it is gone', async () => {
    const half = await call(core, 'demo.create', SMALL);
    markBuilding(core, half.id, await deadPid());
    await openDemoIfEmpty(core, SMALL);
    const now = core.registry.list();
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(half.id);
    expect(now[0]!.kind).toBe('demo');
    expect((await call(core, 'customers.list', { workspaceId: now[0]!.id, limit: 1 })).total).toBeGreaterThan(0);
    core.registry.remove(now[0]!.id);
  }, 120_000);

  it('is left alone while another process is still building it', async () => {
    const building = await call(core, 'demo.create', SMALL);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      markBuilding(core, building.id, other.pid!);
      await openDemoIfEmpty(core, SMALL);
      expect(core.registry.list().map((w) => w.id)).toEqual([building.id]);
    } finally {
      other.kill();
    }
  }, 120_000);
});
