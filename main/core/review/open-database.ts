import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { workspaceMigrations } from '../db/workspace-migrations';
import { badRequest } from '../errors';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** True when the file starts with SQLite's header. */
export function isSqliteFile(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(16);
    const n = fs.readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString('latin1') === SQLITE_MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export interface ReviewDatabase {
  db: Sqlite;
  /** The workspace as far as its file tells (the name is the copy's file name: the registry is not in it). */
  workspace: Workspace;
  simulated: boolean;
}

/**
 * Opens a copy of a workspace database READ-ONLY (nothing is migrated,
 * checkpointed or written) and checks it is a Reclaim workspace of this
 * build's schema. Refusals are one sentence naming the file.
 */
export function openReviewDatabase(file: string, reviewId: string): ReviewDatabase {
  const name = path.basename(file);
  let db: Sqlite;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw badRequest(`${name} could not be opened for reading; check the path and that the file is readable.`);
  }
  try {
    let version: number;
    let hasMeta: boolean;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
      hasMeta = !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
    } catch {
      throw badRequest(`${name} is not a Reclaim workspace database (not a readable SQLite file).`);
    }
    const latest = workspaceMigrations.length;
    if (!hasMeta || version === 0) throw badRequest(`${name} is a database, but not a Reclaim workspace.`);
    if (version > latest) {
      throw badRequest(`${name} was written by a newer Reclaim (schema ${version}; this version reads ${latest}). Update Reclaim to review it.`);
    }
    if (version < latest) {
      throw badRequest(
        `${name} was written by an older Reclaim (schema ${version}; this version reads ${latest}). Open it once as a workspace in this version to upgrade it, then make a new copy; review never changes a file.`,
      );
    }
    const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    const live = db.prepare(`SELECT 1 FROM customers WHERE json_extract(raw, '$.livemode') = 1 LIMIT 1`).get();
    const lastSync = db.prepare(`SELECT max(updated_at_ms) AS t FROM sync_state`).pluck().get() as number | null | undefined;
    const simulated = meta.has('demo.sim');
    const workspace: Workspace = {
      id: reviewId,
      name: name.replace(/\.(sqlite3?|db)$/i, ''),
      kind: simulated ? 'demo' : 'stripe',
      mode: live ? 'live' : 'test',
      stripeAccountId: null,
      currency: meta.get('currency') ?? 'usd',
      key: null,
      createdAt: 0,
      lastSyncAt: typeof lastSync === 'number' ? lastSync : null,
    };
    return { db, workspace, simulated };
  } catch (e) {
    db.close();
    throw e;
  }
}
