import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../../../main/core/api';
import { dispatch } from '../../../main/core/dispatch';
import { createNodePorts } from '../../../main/core/node-ports';
import { silentLogger } from '../../../main/core/ports';
import { randomTestKey, startStripeSim, type StripeSim } from '../../../main/stripe-sim';

export function tempDir(prefix = 'reclaim-h-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function openCore(dataDir: string): Core {
  return createCore(createNodePorts({ dataDir, shell: 'test', logger: silentLogger }));
}

export async function call<T = unknown>(core: Core, method: string, input: unknown): Promise<T> {
  const r = await dispatch(core, method, input, silentLogger);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.value as T;
}

export interface Fixture {
  sim: StripeSim;
  key: string;
  dataDir: string;
  workspaceId: string;
  customerIds: string[];
}

/**
 * A workspace connected to a local Stripe server (key stored in the Node
 * secret store, as `reclaim connect` does). With `sync`, fully synced.
 */
export async function connectedWorkspace(opts: { customers: number; seed: number; sync: boolean }): Promise<Fixture> {
  const sim = await startStripeSim({ seed: opts.seed, customers: opts.customers, rateLimit: null });
  const key = randomTestKey();
  sim.addKey(key, 'all');
  const dataDir = tempDir();
  const core = openCore(dataDir);
  try {
    const { workspace } = await call<{ workspace: { id: string } }>(core, 'workspaces.connect', { key, apiBase: sim.url });
    if (opts.sync) {
      const { done } = await core.sync.start(workspace.id, { key, apiBase: sim.url, ratePerSecond: 10_000 });
      const outcome = await done!;
      if (outcome.status !== 'completed') throw new Error(outcome.message);
    }
    const customerIds = core.registry.openDb(workspace.id).prepare('SELECT id FROM customers ORDER BY id').pluck().all() as string[];
    return { sim, key, dataDir, workspaceId: workspace.id, customerIds };
  } finally {
    await core.close();
  }
}

/** A private copy of a (closed) data folder for one trial. */
export function cloneDataDir(src: string): string {
  const dst = tempDir();
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

export function workspaceFile(dataDir: string, workspaceId: string): string {
  return path.join(dataDir, 'workspaces', `${workspaceId}.sqlite`);
}
