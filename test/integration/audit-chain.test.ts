import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { audit } from '../../main/core/recovery/audit';
import { verifyAudit } from '../../main/core/recovery/audit-chain';
import type { Output } from '../../shared/contract';
import { tempDir, testCore } from '../helpers/core';

/**
 * Issue #18 item 6: the audit log refuses INSERT OR REPLACE, and is a hash
 * chain that `audit.verify`, `reclaim audit verify` and the app use to say
 * where it was rewritten. A real workspace file, tampered with through a
 * second SQLite connection ("anyone with the file"), the real CLI process.
 */
const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
const WRITER = path.resolve(import.meta.dirname, 'children/audit-writer.ts');

let dir: string;
let core: Core;
const call = async <M extends 'workspaces.create' | 'suppressions.add' | 'audit.verify' | 'audit.list'>(m: M, input: unknown): Promise<Output<M>> => {
  const r = await dispatch(core, m, input, silentLogger);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as Output<M>;
};
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A workspace with `n` audit entries (each suppression is audited). */
async function workspaceWithEntries(name: string, n: number): Promise<{ id: string; file: string }> {
  const ws = await call('workspaces.create', { name });
  for (let i = 0; i < n; i++) await call('suppressions.add', { workspaceId: ws.id, email: `c${i}@example.test`, reason: 'test' });
  return { id: ws.id, file: path.join(dir, 'workspaces', `${ws.id}.sqlite`) };
}
/** What someone with the file does: a plain SQLite connection, no Reclaim code. */
function tamper(file: string, sql: string): void {
  const raw = new Database(file);
  try {
    raw.exec(sql);
  } finally {
    raw.close();
  }
}

describe('the audit log is append-only and tamper-evident (issue #18 item 6)', () => {
  beforeAll(() => {
    dir = tempDir();
    core = testCore({ dataDir: dir });
  });
  afterAll(async () => {
    await core.close();
  });

  it('INSERT OR REPLACE cannot overwrite an entry, and an entry that does not chain is refused', async () => {
    const ws = await workspaceWithEntries('Replace', 3);
    const before = (await call('audit.list', { workspaceId: ws.id, limit: 10 })).rows.find((r) => r.id === 1)!;
    expect(() =>
      tamper(ws.file, `INSERT OR REPLACE INTO audit_log (id, at_ms, actor, kind, message, data) VALUES (1, 0, 'mallory', 'suppression.added', 'rewritten', '{}')`),
    ).toThrow(/append-only/);
    // Appending without the chain's hashes (any writer but Reclaim) is refused too.
    expect(() => tamper(ws.file, `INSERT INTO audit_log (id, at_ms, actor, kind, message, data) VALUES (100, 0, 'mallory', 'x', 'forged', '{}')`)).toThrow(/hash chain/);
    const after = (await call('audit.list', { workspaceId: ws.id, limit: 10 })).rows.find((r) => r.id === 1)!;
    expect(after).toEqual(before);
    expect(await call('audit.verify', { workspaceId: ws.id })).toMatchObject({ ok: true, count: 3 });
  });

  it('verify: an intact log gives the count (CLI exit 0); a changed entry is named (CLI exit 1)', async () => {
    const ws = await workspaceWithEntries('Changed', 4);
    const ok = await call('audit.verify', { workspaceId: ws.id });
    expect(ok).toMatchObject({ ok: true, count: 4, broken: null });
    expect(ok.head).toMatch(/^[0-9a-f]{64}$/);
    const good = cli(['-w', ws.id, 'audit', 'verify']);
    expect(good.code, good.err).toBe(0);
    expect(good.out).toContain('Audit log intact: 4 entries');

    tamper(ws.file, `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET message = 'c2@example.test may be emailed again' WHERE id = 3`);
    const bad = await call('audit.verify', { workspaceId: ws.id });
    expect(bad).toMatchObject({ ok: false, count: 2, broken: { id: 3 } });
    expect(bad.broken!.reason).toMatch(/entry 3 was changed/);
    const r = cli(['-w', ws.id, 'audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^reclaim: The audit log is broken at entry 3 \(.*\): entry 3 was changed after it was written/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const j = cli(['--json', '-w', ws.id, 'audit', 'verify']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, broken: { id: 3 } });
  });

  it('a removed entry, and a REPLACE with every trigger dropped, break the chain where they happened', async () => {
    const removed = await workspaceWithEntries('Removed', 4);
    tamper(removed.file, `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2`);
    const v = await call('audit.verify', { workspaceId: removed.id });
    expect(v).toMatchObject({ ok: false, count: 1, broken: { id: 3 } });
    expect(v.broken!.reason).toMatch(/entry 3 does not follow entry 1/);

    const replaced = await workspaceWithEntries('Replaced', 4);
    // Even copying the old row's hashes over does not help: they do not match the new content.
    tamper(
      replaced.file,
      `DROP TRIGGER audit_log_append_only;
       CREATE TEMP TABLE old AS SELECT * FROM audit_log WHERE id = 2;
       INSERT OR REPLACE INTO audit_log (id, at_ms, actor, kind, run_id, customer_id, invoice_id, message, data, prev_hash, hash)
         SELECT id, at_ms, actor, kind, run_id, customer_id, invoice_id, 'nothing happened', data, prev_hash, hash FROM old`,
    );
    const w = await call('audit.verify', { workspaceId: replaced.id });
    expect(w).toMatchObject({ ok: false, count: 1, broken: { id: 2 } });
    expect(w.broken!.reason).toMatch(/entry 2 was changed/);
  });

  it('the migration chains entries written before it; new entries continue the chain', () => {
    const file = path.join(tempDir(), 'old.sqlite');
    const db = openSqlite(file);
    migrate(db, workspaceMigrations.slice(0, 12));
    const insert = db.prepare(`INSERT INTO audit_log (at_ms, actor, kind, message, data) VALUES (?, 'operator', 'run.started', ?, '{}')`);
    for (let i = 0; i < 5; i++) insert.run(1_700_000_000_000 + i, `old entry ${i}`);
    migrate(db, workspaceMigrations);
    expect(verifyAudit(db)).toMatchObject({ ok: true, count: 5 });
    audit(db, Date.now(), { actor: 'operator', kind: 'run.started', message: 'new entry' });
    expect(verifyAudit(db)).toMatchObject({ ok: true, count: 6 });
    expect(() => db.prepare(`INSERT OR REPLACE INTO audit_log (id, at_ms, actor, kind, message, data) VALUES (2, 0, 'x', 'x', 'x', '{}')`).run()).toThrow(/append-only/);
    db.close();
  });

  it('entries appended by three processes at once form one unbroken chain', async () => {
    const ws = await workspaceWithEntries('Concurrent', 2);
    const N = 120;
    let finished = false;
    const children = Promise.all(
      ['cli-a', 'cli-b', 'app'].map(
        (tag) =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ws.file, tag, String(N)], { stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            child.stdout.on('data', (c: Buffer) => (out += c.toString()));
            child.stderr.on('data', (c: Buffer) => (out += c.toString()));
            child.on('error', reject);
            child.on('close', () => resolve(out));
          }),
      ),
    ).finally(() => (finished = true));
    // This process (the app's core) appends meanwhile too, until the children are done.
    let mine = 0;
    while (!finished) {
      await call('suppressions.add', { workspaceId: ws.id, email: `core-${mine++}@example.test`, reason: 'test' });
      await new Promise((r) => setTimeout(r, 5)); // let the children's events in
    }
    const outs = await children;
    expect(outs.map((o) => o.trim())).toEqual([`done ${N}`, `done ${N}`, `done ${N}`]);
    const v = await call('audit.verify', { workspaceId: ws.id });
    expect(v).toMatchObject({ ok: true, count: 2 + 3 * N + mine, broken: null });
  });
});
