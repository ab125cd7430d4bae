import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { FileSecrets } from '../../main/core/secrets/file-secrets';
import { testCore, tempDir } from '../helpers/core';
import { checkWorkspace } from '../harness/lib/consistency';

type Env = { ok: boolean; value?: unknown; error?: { code: string; message: string } };
const call = (core: Core, method: string, input: unknown) => dispatch(core, method, input, core.ports.logger) as Promise<Env>;
const emptyGroups = (n: number) => ({ combinator: 'and', rules: Array.from({ length: n }, () => ({ combinator: 'and', rules: [] })) });
const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe('defects of issue #10, through the core', () => {
  let core: Core;
  let dataDir: string;
  let ws: string;
  let ids: string[];

  beforeAll(async () => {
    dataDir = tempDir();
    core = testCore({ dataDir });
    const demo = await call(core, 'demo.create', { customers: 40, seed: 7, history: false });
    expect(demo.ok).toBe(true);
    ws = (demo.value as { id: string }).id;
    ids = core.registry.openDb(ws).prepare('SELECT customer_id FROM customer_facts ORDER BY customer_id').pluck().all() as string[];
  }, 240_000);
  afterAll(async () => core.close());

  it('#3 refuses a segment of 1,000 empty groups with a clear message, and the workspace keeps working', async () => {
    const r = await call(core, 'segments.create', { workspaceId: ws, name: 'Groups', rule: emptyGroups(1000) });
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/at most 100 groups and 200 conditions \(empty groups count too\)/);
    const nested = await call(core, 'segments.create', { workspaceId: ws, name: 'Groups', rule: { combinator: 'and', rules: Array.from({ length: 101 }, () => emptyGroups(0)) } });
    expect(nested.error!.message).toMatch(/more than 100 groups/);
    // One saved by an older build (written straight into the table) no longer blocks recomputes: it is skipped.
    const db = core.registry.openDb(ws);
    db.prepare(`INSERT INTO segments (id, name, rule, priority, created_at_ms, updated_at_ms) VALUES ('seg_legacy', 'Legacy groups', ?, 99, 0, 0)`).run(JSON.stringify(emptyGroups(1500)));
    const csv = `id,plan_seats\n${ids.slice(0, 5).map((id, i) => `${id},${i + 1}`).join('\n')}\n`;
    const imp = await call(core, 'attributes.importCsv', { workspaceId: ws, csv });
    expect(imp.error?.message).toBeUndefined();
    expect(db.prepare("SELECT count(*) FROM segment_members WHERE segment_id = 'seg_legacy'").pluck().get()).toBe(0);
    // Within the bound, empty groups fold away: 99 of them match everyone.
    const folded = await call(core, 'segments.create', { workspaceId: ws, name: 'Folded', rule: emptyGroups(99) });
    expect((folded.value as { stats: { members: number } }).stats.members).toBe(ids.length);
    await call(core, 'segments.remove', { workspaceId: ws, id: (folded.value as { id: string }).id });
    db.prepare("DELETE FROM segments WHERE id = 'seg_legacy'").run();
    await call(core, 'segments.list', { workspaceId: ws });
  });

  it('#3 an empty group inside an OR still matches everyone, and NOT of it no one (compiler and explainer agree)', async () => {
    const everyone = await call(core, 'segments.evaluate', { workspaceId: ws, rule: { combinator: 'or', rules: [{ field: 'mrr', operator: '>', value: 99999999 }, { combinator: 'and', rules: [] }] } });
    expect((everyone.value as { count: number }).count).toBe(ids.length);
    const noone = await call(core, 'segments.evaluate', { workspaceId: ws, rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 0 }, { combinator: 'and', not: true, rules: [] }] } });
    expect((noone.value as { count: number }).count).toBe(0);
  });

  it('#9 evaluate and preview do not say "The rule was not saved"', async () => {
    for (const method of ['segments.evaluate', 'segments.preview']) {
      const r = await call(core, method, { workspaceId: ws, rule: { combinator: 'and', rules: [{ field: 'nope', operator: '=', value: 1 }] } });
      expect(r.ok).toBe(false);
      expect(r.error!.message).toMatch(/^The rule is not valid: /);
      expect(r.error!.message).not.toMatch(/not saved/);
    }
  });

  it('#5 an import that changes an attribute type is refused, naming the segments it would break; confirmed, it applies', async () => {
    const first = `id,usage\n${ids.map((id, i) => `${id},${i}`).join('\n')}\n`;
    expect((await call(core, 'attributes.importCsv', { workspaceId: ws, csv: first })).ok).toBe(true);
    const seg = await call(core, 'segments.create', { workspaceId: ws, name: 'Heavy users', rule: { combinator: 'and', rules: [{ field: 'attrs.usage', operator: '>', value: 10 }] } });
    expect(seg.ok).toBe(true);
    const before = (await call(core, 'segments.evaluate', { workspaceId: ws, rule: { combinator: 'and', rules: [{ field: 'attrs.usage', operator: '>', value: 10 }] } })).value as { count: number };
    const textual = `id,usage\n${ids[0]},n/a\n${ids[1]},5\n`;
    const preview = await call(core, 'attributes.previewCsv', { workspaceId: ws, csv: textual });
    expect(preview.value).toMatchObject({ typeChanges: [{ key: 'usage', from: 'number', to: 'string', segments: ['Heavy users'] }] });
    const refused = await call(core, 'attributes.importCsv', { workspaceId: ws, csv: textual });
    expect(refused.ok).toBe(false);
    expect(refused.error!.message).toContain('"usage" would change from number to string');
    expect(refused.error!.message).toContain('"Heavy users"');
    const still = (await call(core, 'segments.evaluate', { workspaceId: ws, rule: { combinator: 'and', rules: [{ field: 'attrs.usage', operator: '>', value: 10 }] } })).value as { count: number };
    expect(still.count).toBe(before.count);
    const confirmed = await call(core, 'attributes.importCsv', { workspaceId: ws, csv: textual, allowTypeChange: true });
    expect(confirmed.ok).toBe(true);
  });

  it('#5 duplicate headers are an error; __proto__ and constructor columns reach the facts', async () => {
    const dup = await call(core, 'attributes.previewCsv', { workspaceId: ws, csv: `id,score,Score\n${ids[0]},1,2\n` });
    expect((dup.value as { errors: { message: string }[] }).errors[0]!.message).toMatch(/repeats column 2/);
    const proto = `id,__proto__,constructor\n${ids[0]},7,x\n${ids[1]},9,y\n`;
    const r = await call(core, 'attributes.importCsv', { workspaceId: ws, csv: proto });
    expect(r.error?.message).toBeUndefined();
    const count = (rule: unknown) => (async () => ((await call(core, 'segments.evaluate', { workspaceId: ws, rule })).value as { count: number; ids: string[] }))();
    const p = await count({ combinator: 'and', rules: [{ field: 'attrs.__proto__', operator: '>', value: 8 }] });
    expect(p.ids).toEqual([ids[1]]);
    const c = await count({ combinator: 'and', rules: [{ field: 'attrs.constructor', operator: '=', value: 'x' }] });
    expect(c.ids).toEqual([ids[0]]);
    // The explainer reads the same values.
    const m = await call(core, 'segments.membership', { workspaceId: ws, customerId: ids[1] });
    expect(m.ok).toBe(true);
  });

  it('#9 a UTF-16 CSV is reported as not UTF-8', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`id,usage\n${ids[0]},1\n`, 'utf16le')]).toString('utf8');
    const r = await call(core, 'attributes.previewCsv', { workspaceId: ws, csv: utf16 });
    expect((r.value as { errors: { message: string }[] }).errors[0]!.message).toMatch(/not UTF-8 \(it looks like UTF-16\)/);
  });

  it('#4 a change whose recompute was cut short is finished on the next open', async () => {
    const db = core.registry.openDb(ws);
    // What a kill between the import commit and the recompute leaves behind.
    db.transaction(() => {
      db.prepare("UPDATE custom_attributes SET value_num = 1000 WHERE key = 'usage' AND customer_id = ?").run(ids[3]);
      db.prepare('INSERT OR IGNORE INTO dirty_customers (customer_id) VALUES (?)').run(ids[3]);
      db.prepare("INSERT OR IGNORE INTO pending_recompute (what, since_ms) VALUES ('membership', 0)").run();
    })();
    await core.close();
    const file = core.registry.fileOf(ws);
    expect(checkWorkspace(file)).toContain('1 customers still marked dirty (facts not recomputed)');
    core = testCore({ dataDir });
    expect((await call(core, 'segments.list', { workspaceId: ws })).ok).toBe(true);
    expect(checkWorkspace(file)).toEqual([]);
  });

  it('#6 data folder 0700; databases, WAL files, logs and secrets 0600 — existing files tightened on open', async () => {
    await core.close();
    const file = path.join(dataDir, 'workspaces', `${ws}.sqlite`);
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(file, 0o644);
    fs.chmodSync(path.join(dataDir, 'registry.sqlite'), 0o644);
    core = testCore({ dataDir });
    await call(core, 'segments.list', { workspaceId: ws });
    await new FileSecrets(dataDir).set('x', 'y');
    expect(mode(dataDir)).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`, path.join(dataDir, 'registry.sqlite'), path.join(dataDir, 'secrets', 'master.key')]) {
      if (fs.existsSync(f)) expect(mode(f), f).toBe(0o600);
    }
    expect(mode(path.join(dataDir, 'workspaces'))).toBe(0o700);
    expect(mode(path.join(dataDir, 'secrets'))).toBe(0o700);
  });
});

describe('damaged files and secrets are said plainly (#7, #9)', () => {
  it('a zero-byte workspace file is refused, never recreated empty', async () => {
    const dataDir = tempDir();
    let core = testCore({ dataDir });
    const ws = ((await call(core, 'workspaces.create', { name: 'Zero' })).value as { id: string }).id;
    await core.close();
    const file = path.join(dataDir, 'workspaces', `${ws}.sqlite`);
    for (const f of [`${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    fs.writeFileSync(file, '');
    core = testCore({ dataDir });
    const r = await call(core, 'segments.list', { workspaceId: ws });
    expect(r.error?.message).toMatch(/is empty \(0 bytes\).*will not recreate it/);
    expect(fs.statSync(file).size).toBe(0);
    await core.close();
  });

  it('a zero-byte registry is refused', () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'registry.sqlite'), '');
    expect(() => testCore({ dataDir })).toThrow(/The workspace list .* is empty \(0 bytes\)/);
  });

  it('a workspace from a newer Reclaim and a corrupt workspace file say exactly what is wrong', async () => {
    const dataDir = tempDir();
    let core = testCore({ dataDir });
    const a = ((await call(core, 'workspaces.create', { name: 'Newer' })).value as { id: string }).id;
    const b = ((await call(core, 'workspaces.create', { name: 'Corrupt' })).value as { id: string }).id;
    core.registry.openDb(a).pragma('user_version = 999');
    await core.close();
    const fileB = path.join(dataDir, 'workspaces', `${b}.sqlite`);
    for (const f of [`${fileB}-wal`, `${fileB}-shm`]) fs.rmSync(f, { force: true });
    fs.writeFileSync(fileB, Buffer.alloc(8192, 0x41));
    core = testCore({ dataDir });
    const newer = (await call(core, 'segments.list', { workspaceId: a })).error?.message;
    expect(newer).toMatch(/was written by a newer version of Reclaim \(schema 999.*update Reclaim/);
    expect((await call(core, 'segments.list', { workspaceId: b })).error?.message).toMatch(/is damaged \(not a readable SQLite database\)/);
    await core.close();
  });

  it('an empty master.key gives a clear message; key creation is atomic', async () => {
    const dataDir = tempDir();
    const s = new FileSecrets(dataDir);
    await s.set('k', 'secret-value');
    expect(fs.readdirSync(path.join(dataDir, 'secrets')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    fs.writeFileSync(path.join(dataDir, 'secrets', 'master.key'), '');
    await expect(new FileSecrets(dataDir).get('k')).rejects.toThrow(/master.key is damaged \(0 bytes, expected 32\).*connect your Stripe key again/);
    expect(new FileSecrets(dataDir).note).toMatch(/sits beside it/);
  });

  it('a key the desktop app keeps in the OS keychain gets a clear message from the Node shells', async () => {
    const dataDir = tempDir();
    const s = new FileSecrets(dataDir);
    await s.set('other', 'x');
    const dir = path.join(dataDir, 'secrets');
    const enc = fs.readdirSync(dir).find((f) => f.endsWith('.enc'))!;
    fs.renameSync(path.join(dir, enc), path.join(dir, enc.replace(/\.enc$/, '.safe')));
    await expect(s.get('other')).rejects.toThrow(/connected in the desktop app, which keeps it in the OS keychain/);
  });
});
