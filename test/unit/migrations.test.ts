import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, MigrationError, openSqlite, type Migration } from '../../main/core/db/sqlite';
import { registryMigrations } from '../../main/core/db/registry-migrations';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { testCore, tempDir } from '../helpers/core';

const tables = (db: ReturnType<typeof openSqlite>) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('migrations', () => {
  it('bring an empty database to the latest schema, in WAL mode', () => {
    const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    expect(migrate(db, workspaceMigrations)).toEqual({ from: 0, to: workspaceMigrations.length });
    expect(db.pragma('user_version', { simple: true })).toBe(workspaceMigrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tables(db)).toEqual(expect.arrayContaining(['customers', 'invoices', 'customer_facts', 'segments', 'sync_state']));
    expect(migrate(db, workspaceMigrations)).toEqual({ from: workspaceMigrations.length, to: workspaceMigrations.length });
    db.close();
  });

  it('upgrade an existing database and keep its rows', () => {
    const file = path.join(tempDir(), 'ws.sqlite');
    let db = openSqlite(file);
    migrate(db, workspaceMigrations.slice(0, 1));
    db.prepare("INSERT INTO meta(key, value) VALUES ('currency', 'gbp')").run();
    db.close();
    db = openSqlite(file);
    expect(migrate(db, workspaceMigrations)).toEqual({ from: 1, to: workspaceMigrations.length });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'currency'").get()).toEqual({ value: 'gbp' });
    db.close();
  });

  it('roll back a failing migration whole and leave the version where it was', () => {
    const db = openSqlite(path.join(tempDir(), 'x.sqlite'));
    const broken: Migration[] = [
      { version: 1, name: 'ok', up: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', up: 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).toEqual(['a']);
    db.close();
  });

  it('refuse a database written by a newer Reclaim, and misnumbered migrations', () => {
    const db = openSqlite(path.join(tempDir(), 'new.sqlite'));
    db.pragma('user_version = 99');
    expect(() => migrate(db, registryMigrations)).toThrow(MigrationError);
    expect(() => migrate(db, [{ version: 2, name: 'gap', up: '' }])).toThrow(/expected 1/);
    db.close();
  });

  it('give each workspace its own migrated file, removed with the workspace', () => {
    const dataDir = tempDir();
    const core = testCore({ dataDir });
    const a = core.registry.create({ name: 'A', mode: 'test', currency: 'usd' });
    const b = core.registry.create({ name: 'B', mode: 'live', currency: 'eur' });
    const fileA = path.join(dataDir, 'workspaces', `${a.id}.sqlite`);
    expect(fs.existsSync(fileA)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'workspaces', `${b.id}.sqlite`))).toBe(true);
    expect(core.registry.openDb(b.id).prepare("SELECT value FROM meta WHERE key='currency'").get()).toEqual({ value: 'eur' });
    core.registry.remove(a.id);
    expect(fs.existsSync(fileA)).toBe(false);
    expect(core.registry.list().map((w) => w.name)).toEqual(['B']);
    core.close();
    // Reopening the same folder finds the same workspaces.
    const again = testCore({ dataDir });
    expect(again.registry.list().map((w) => [w.name, w.mode])).toEqual([['B', 'live']]);
    again.close();
  });
});
