import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type Sqlite = Database.Database;

export interface Migration {
  /** 1-based, strictly increasing, never renumbered once shipped. */
  version: number;
  name: string;
  up: string;
}

/** Opens (creating if needed) a SQLite file in WAL mode with foreign keys on. */
export function openSqlite(file: string, opts: { readonly?: boolean } = {}): Sqlite {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
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
export function migrate(db: Sqlite, migrations: readonly Migration[]): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new MigrationError(`this database was written by a newer Reclaim (schema ${from}, this build knows ${latest})`);
  }
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: latest };
}
