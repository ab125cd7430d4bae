import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Mode, Workspace } from '../../../shared/contract';
import { conflict, notFound, UserError } from '../errors';
import type { Clock } from '../ports';
import { isWritableDir, secureDir } from '../db/files';
import { registryMigrations } from '../db/registry-migrations';
import { assertNotTruncated, DatabaseFileError, migrate, MigrationError, openSqlite, type MigrationProgress, type Sqlite } from '../db/sqlite';
import { workspaceMigrations } from '../db/workspace-migrations';
import { vacuumIfPending } from '../stripe/shrink-raw';

/** Turns a file that cannot be opened into a sentence naming the file and what is wrong with it. */
export function fileProblem(e: unknown, file: string, what: string): UserError | null {
  if (e instanceof UserError) return e;
  if (e instanceof DatabaseFileError) return new UserError('unavailable', e.message);
  if (e instanceof MigrationError) {
    return new UserError('unavailable', `${what} ${file} was written by a newer version of Reclaim ${e.message.replace(/^this database was written by a newer Reclaim /, '')}; update Reclaim to open it.`);
  }
  const code = (e as { code?: string }).code;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new UserError('unavailable', `${what} ${file} is damaged (not a readable SQLite database); restore it from a backup, or move it away to start over.`);
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return new UserError('unavailable', `${what} ${file} cannot be opened (the folder or file is not readable or not writable).`);
  }
  return null;
}

/** "Upgrading the workspace: shrinking stored Stripe data (1,200 of 65,000)"; a step without a count ends in "…". */
export function upgradeMessage(p: { step: string; done: number; total: number }): string {
  return `Upgrading the workspace: ${p.step}${p.total > 1 ? ` (${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')})` : p.done < p.total ? '…' : ''}`;
}

interface WorkspaceRow {
  id: string;
  name: string;
  kind: 'stripe' | 'demo';
  mode: Mode;
  stripe_account_id: string | null;
  currency: string;
  key_prefix: string | null;
  key_last4: string | null;
  api_base: string | null;
  created_at: number;
  last_sync_at: number | null;
}

function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    mode: row.mode,
    stripeAccountId: row.stripe_account_id,
    currency: row.currency,
    key:
      row.key_prefix && row.key_last4
        ? { configured: true, mode: row.mode, masked: `${row.key_prefix}…${row.key_last4}`, last4: row.key_last4 }
        : null,
    createdAt: row.created_at,
    lastSyncAt: row.last_sync_at,
  };
}

/**
 * The list of workspaces (registry.sqlite) and their database files
 * (workspaces/<id>.sqlite, one per Stripe account and mode).
 */
export class WorkspaceRegistry {
  readonly db: Sqlite;
  /** True when the data folder cannot be written: lists and views work, changes are refused. */
  readonly readonly: boolean;
  private readonly open = new Map<string, Sqlite>();

  constructor(
    readonly dataDir: string,
    private readonly clock: Clock,
    /** A long upgrade of a workspace file (migration 21 and its VACUUM) says how far it is (the `workspaces.upgrade` event). */
    private readonly onUpgrade: (workspaceId: string, p: Parameters<MigrationProgress>[0]) => void = () => {},
  ) {
    const file = path.join(dataDir, 'registry.sqlite');
    this.readonly = fs.existsSync(dataDir) && !isWritableDir(dataDir);
    try {
      assertNotTruncated(file, 'The workspace list');
      if (this.readonly) {
        if (!fs.existsSync(file)) {
          throw new UserError('unavailable', `The data folder ${dataDir} is read-only and holds no Reclaim data yet.`);
        }
        this.db = openSqlite(file, { readonly: true });
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version !== registryMigrations.length) migrate(this.db, registryMigrations);
      } else {
        secureDir(dataDir);
        this.db = openSqlite(file);
        migrate(this.db, registryMigrations);
      }
    } catch (e) {
      throw fileProblem(e, file, 'The workspace list') ?? e;
    }
  }

  /** The sentence shown when a change is attempted in a read-only data folder. */
  readonlyMessage(): string {
    return `The data folder ${this.dataDir} is read-only: Reclaim can list and show data but cannot save changes. Make the folder writable, or use --data-dir to pick another.`;
  }

  private assertWritable(): void {
    if (this.readonly) throw new UserError('unavailable', this.readonlyMessage());
  }

  fileOf(id: string): string {
    if (!/^ws_[a-z0-9]+$/.test(id)) throw notFound(`Workspace "${id.slice(0, 40)}"`);
    return path.join(this.dataDir, 'workspaces', `${id}.sqlite`);
  }

  list(): Workspace[] {
    const rows = this.db.prepare('SELECT * FROM workspaces ORDER BY created_at, name').all() as WorkspaceRow[];
    return rows.map(toWorkspace);
  }

  get(id: string): Workspace {
    const row = this.db.prepare('SELECT * FROM workspaces WHERE id = ?').get(id) as WorkspaceRow | undefined;
    if (!row) throw notFound(`Workspace "${id.slice(0, 40)}"`);
    return toWorkspace(row);
  }

  apiBase(id: string): string | null {
    const row = this.db.prepare('SELECT api_base FROM workspaces WHERE id = ?').get(id) as { api_base: string | null } | undefined;
    if (!row) throw notFound(`Workspace "${id.slice(0, 40)}"`);
    return row.api_base;
  }

  private assertNameFree(name: string, exceptId?: string): void {
    const clash = this.db
      .prepare('SELECT id FROM workspaces WHERE name = ? COLLATE NOCASE AND id IS NOT ?')
      .get(name, exceptId ?? null) as { id: string } | undefined;
    if (clash) throw conflict(`A workspace named "${name}" already exists`);
  }

  create(input: { name: string; mode: Mode; currency: string; kind?: 'stripe' | 'demo' }): Workspace {
    this.assertWritable();
    this.assertNameFree(input.name);
    const id = `ws_${crypto.randomBytes(8).toString('hex')}`;
    // Create and migrate the workspace file first: a registry row never points at a missing file.
    const db = this.openDb(id, { create: true });
    db.prepare('INSERT INTO meta(key, value) VALUES (?, ?)').run('currency', input.currency);
    this.db
      .prepare(
        `INSERT INTO workspaces (id, name, kind, mode, currency, created_at) VALUES (@id, @name, @kind, @mode, @currency, @created_at)`,
      )
      .run({ id, name: input.name, kind: input.kind ?? 'stripe', mode: input.mode, currency: input.currency, created_at: this.clock.now() });
    return this.get(id);
  }

  rename(id: string, name: string): Workspace {
    this.get(id);
    this.assertNameFree(name, id);
    this.db.prepare('UPDATE workspaces SET name = ? WHERE id = ?').run(name, id);
    return this.get(id);
  }

  update(
    id: string,
    fields: Partial<Pick<WorkspaceRow, 'stripe_account_id' | 'key_prefix' | 'key_last4' | 'api_base' | 'last_sync_at' | 'currency' | 'mode'>>,
  ): Workspace {
    this.get(id);
    const keys = Object.keys(fields) as (keyof typeof fields)[];
    if (keys.length > 0) {
      const allowed = new Set(['stripe_account_id', 'key_prefix', 'key_last4', 'api_base', 'last_sync_at', 'currency', 'mode']);
      const set = keys.filter((k) => allowed.has(k)).map((k) => `${k} = @${k}`).join(', ');
      this.db.prepare(`UPDATE workspaces SET ${set} WHERE id = @id`).run({ ...fields, id });
    }
    return this.get(id);
  }

  remove(id: string): void {
    this.get(id);
    this.assertWritable();
    this.open.get(id)?.close();
    this.open.delete(id);
    this.db.prepare('DELETE FROM workspaces WHERE id = ?').run(id);
    const file = this.fileOf(id);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }

  /**
   * The workspace's database, opened once and migrated to the latest schema.
   * A missing or empty file of a listed workspace is refused, never recreated.
   */
  openDb(id: string, opts: { create?: boolean } = {}): Sqlite {
    let db = this.open.get(id);
    if (!db) {
      const file = this.fileOf(id);
      try {
        if (!opts.create && !fs.existsSync(file)) {
          throw new UserError('unavailable', `The workspace file ${file} is missing; restore it from a backup, or remove the workspace.`);
        }
        assertNotTruncated(file, 'The workspace file');
        if (this.readonly) {
          db = openSqlite(file, { readonly: true });
          const version = db.pragma('user_version', { simple: true }) as number;
          if (version !== workspaceMigrations.length) {
            db.close();
            throw version > workspaceMigrations.length
              ? new MigrationError(`this database was written by a newer Reclaim (schema ${version}, this build knows ${workspaceMigrations.length})`)
              : new UserError('unavailable', `${this.readonlyMessage()} (The workspace needs an upgrade, which writes to it.)`);
          }
        } else {
          db = openSqlite(file);
          try {
            migrate(db, workspaceMigrations, (p) => this.onUpgrade(id, p));
            vacuumIfPending(db, (done) => this.onUpgrade(id, { step: 'giving the freed space back to the disk', done: done ? 1 : 0, total: 1 }));
          } catch (e) {
            db.close();
            throw e;
          }
        }
      } catch (e) {
        throw fileProblem(e, file, 'The workspace file') ?? e;
      }
      this.open.set(id, db);
    }
    return db;
  }

  close(): void {
    for (const db of this.open.values()) db.close();
    this.open.clear();
    this.db.close();
  }
}
