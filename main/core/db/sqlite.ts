import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { secureDbFiles, secureDir } from './files';

export type Sqlite = Database.Database;

export interface Migration {
  /** 1-based, strictly increasing, never renumbered once shipped. */
  version: number;
  name: string;
  up: string;
  /** Data changes SQL cannot express, run after `up` in the same transaction; a long one reports how far it is. */
  run?: (db: Sqlite, progress: MigrationProgress) => void;
}

/** A long migration's progress: `done` of `total` (its own unit), and what it is doing in a user's words. */
export type MigrationProgress = (p: { step: string; done: number; total: number }) => void;

/** A database file Reclaim refuses to open, with a sentence saying why. */
export class DatabaseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseFileError';
  }
}

/**
 * How long a writer waits for another process's write transaction. Writers use
 * BEGIN IMMEDIATE (below), so the wait is honoured; the longest writer is a
 * membership recompute at 1M customers (≈7 s).
 */
export const BUSY_TIMEOUT_MS = 15_000;

/**
 * Every `db.transaction(fn)` runs as BEGIN IMMEDIATE: it takes the write lock
 * before its first read. A deferred transaction that reads and then writes
 * cannot wait for another process's writer under WAL (SQLite answers
 * SQLITE_BUSY at once, whatever the busy timeout), which is how two writers
 * used to fail with "database is locked". Nested calls stay savepoints.
 */
function immediateTransactions(db: Sqlite): void {
  const deferred = db.transaction.bind(db);
  (db as { transaction: Sqlite['transaction'] }).transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = deferred(fn);
    const run = ((...args: unknown[]) => t.immediate(...args)) as unknown as typeof t;
    Object.assign(run, { default: t.immediate, deferred: t.deferred, immediate: t.immediate, exclusive: t.exclusive, database: db });
    return run;
  }) as Sqlite['transaction'];
}

/**
 * A file that exists but is empty (0 bytes, no WAL content) is a damaged
 * database: SQLite would silently treat it as a new empty one and Reclaim would
 * recreate its tables, losing segments and attributes without a word.
 */
export function assertNotTruncated(file: string, what: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size > 0) return;
  let wal = 0;
  try {
    wal = fs.statSync(`${file}-wal`).size;
  } catch {
    wal = 0;
  }
  if (wal > 0) return;
  throw new DatabaseFileError(
    `${what} ${file} is empty (0 bytes): it was damaged (a crash or a full disk while it was written). Reclaim will not recreate it empty; restore it from a backup, or move it away to start over.`,
  );
}

/** Opens (creating if needed) a SQLite file in WAL mode with foreign keys on; files 0600, folder 0700. */
export function openSqlite(file: string, opts: { readonly?: boolean } = {}): Sqlite {
  if (file !== ':memory:' && !opts.readonly) secureDir(path.dirname(file));
  let db: Sqlite;
  if (opts.readonly && file !== ':memory:') db = openReadonly(file);
  else db = new Database(file);
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    if (file !== ':memory:') secureDbFiles(file);
    immediateTransactions(db);
  }
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * Read-only open. A WAL database in a read-only folder cannot be opened in
 * place when its -shm file is absent (SQLite must create it), so it is read
 * from a private copy in the temp folder: enough to list and show, never to write.
 */
function openReadonly(file: string): Sqlite {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_CANTOPEN' || !fs.existsSync(file)) throw e;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-ro-'));
  const copy = path.join(dir, path.basename(file));
  fs.copyFileSync(file, copy);
  if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new Database(copy);
  db.pragma('query_only = ON');
  const close = db.close.bind(db);
  (db as { close: () => Sqlite }).close = () => {
    const r = close();
    fs.rmSync(dir, { recursive: true, force: true });
    return r;
  };
  return db;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Runs every migration newer than the file's `user_version`, each in its own
 * transaction together with the version bump, so a crash leaves the file at a
 * whole version. Refuses a file written by a newer Reclaim.
 */
export function migrate(db: Sqlite, migrations: readonly Migration[], onProgress: MigrationProgress = () => {}): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new MigrationError(`this database was written by a newer Reclaim (schema ${from}, this build knows ${latest})`);
  }
  for (const m of migrations.slice(from)) {
    // Re-read the version under the write lock: another process may have migrated meanwhile.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= m.version) return;
      db.exec(m.up);
      m.run?.(db, onProgress);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: latest };
}
