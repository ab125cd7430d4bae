import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '../../shared/contract';
import { tempDir } from '../helpers/core';

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
let dir: string;

function reclaimAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

vi.setConfig({ testTimeout: 300_000 });

// Issue #18.7: two `reclaim run start --yes` at once used to both exit 0, the second with an empty completed run.
describe('two `reclaim run start --yes` started at once', () => {
  beforeAll(() => {
    dir = tempDir();
    const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'demo', '--customers', '60', '--seed', '9', '--no-history'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 240_000);

  it('one runs the invoices; the other exits 1 naming that run, and no empty run is left', async () => {
    const [a, b] = await Promise.all([reclaimAsync(['--json', 'run', 'start', '--yes']), reclaimAsync(['--json', 'run', 'start', '--yes'])]);
    const won = [a, b].filter((r) => r.code === 0);
    const refused = [a, b].filter((r) => r.code !== 0);
    expect(won, `${a.err}\n${b.err}`).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const run = JSON.parse(won[0]!.out) as RunSummary;
    expect(run.counts.succeeded).toBeGreaterThan(0);
    expect(refused[0]!.code).toBe(1);
    expect(refused[0]!.err.trim()).toMatch(new RegExp(`^reclaim: Run ${run.id} is already executing these invoices \\(\\d+\\); nothing new was started\\.`));
    expect(refused[0]!.err.trim().split('\n')).toHaveLength(1);

    const list = spawnSync(process.execPath, [BIN, '--data-dir', dir, '--json', 'run', 'list'], { encoding: 'utf8' });
    const runs = JSON.parse(list.stdout) as RunSummary[];
    expect(runs.map((r) => r.id)).toEqual([run.id]);
  });
});
