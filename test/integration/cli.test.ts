import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import { tempDir } from '../helpers/core';

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');

function reclaim(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8', input: '' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('reclaim CLI', () => {
  it('creates, lists and removes workspaces, in JSON and as a table', () => {
    const dir = tempDir();
    const created = reclaim(['--json', 'workspaces', 'create', 'Acme Live', '--mode', 'live', '--currency', 'GBP'], dir);
    expect(created.code).toBe(0);
    const ws = JSON.parse(created.out) as { id: string; mode: string; currency: string };
    expect(ws).toMatchObject({ mode: 'live', currency: 'gbp' });

    const list = reclaim(['--json', 'workspaces', 'list'], dir);
    expect(JSON.parse(list.out)).toHaveLength(1);
    const human = reclaim(['workspaces', 'list'], dir);
    expect(human.out).toMatch(/NAME\s+MODE/);
    expect(human.out).toMatch(/Acme Live\s+LIVE\s+gbp/);

    const refused = reclaim(['workspaces', 'remove', 'Acme Live'], dir);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    expect(JSON.parse(reclaim(['--json', 'workspaces', 'list'], dir).out)).toHaveLength(1);

    const removed = reclaim(['--json', 'workspaces', 'remove', ws.id, '--yes'], dir);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.out)).toEqual({ removed: true, id: ws.id });
    expect(reclaim(['workspaces', 'list'], dir).out).toContain('(none)');
  });

  it('fails with one line and a non-zero exit, never a stack', () => {
    const dir = tempDir();
    reclaim(['workspaces', 'create', 'Dup'], dir);
    const dup = reclaim(['workspaces', 'create', 'dup'], dir);
    expect(dup.code).toBe(1);
    expect(dup.err.trim()).toBe('reclaim: A workspace named "dup" already exists');

    const empty = reclaim(['workspaces', 'create', '  '], dir);
    expect(empty.code).toBe(2);
    expect(empty.err.trim().split('\n')).toHaveLength(1);

    const mode = reclaim(['workspaces', 'create', 'X', '--mode', 'prod'], dir);
    expect(mode.code).not.toBe(0);
    expect(mode.err).toContain('prod');

    const missing = reclaim(['workspaces', 'remove', 'ghost', '--yes'], dir);
    expect(missing.code).toBe(1);
    for (const r of [dup, empty, mode, missing]) expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('prints its version and help', () => {
    const dir = tempDir();
    expect(reclaim(['--version'], dir).out.trim()).toBe(pkg.version);
    const help = reclaim(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--data-dir');
    expect(help.out).toContain('workspaces');
    expect(help.out).toContain('console');
  });
});
