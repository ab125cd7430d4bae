import type { Operator } from '../../../shared/operators';
import type { Sqlite } from '../db/sqlite';
import { prepared } from '../db/statements';
import { readSettings } from '../recovery/settings';
import type { WorkspaceRegistry } from '../workspaces/registry';
import { findOperator, hasOperators } from './store';

/**
 * Who is signed in on this desktop, per workspace. It is kept in the desktop's
 * registry (registry.sqlite, table settings), never in the workspace file: a
 * workspace may later be shared by several desktops, each with its own
 * operator. The CLI and the app on one data folder are one desktop.
 */
const key = (workspaceId: string) => `operator.signedIn:${workspaceId}`;

export function signedInId(registry: WorkspaceRegistry, workspaceId: string): string | null {
  const row = prepared(registry.db, 'SELECT value FROM settings WHERE key = ?').get(key(workspaceId)) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setSignedInId(registry: WorkspaceRegistry, workspaceId: string, id: string | null): void {
  if (id === null) prepared(registry.db, 'DELETE FROM settings WHERE key = ?').run(key(workspaceId));
  else prepared(registry.db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key(workspaceId), id);
}

/** The signed-in operator of the workspace (null: nobody, or they were removed from the list). */
export function currentOperator(registry: WorkspaceRegistry, workspaceId: string, db: Sqlite): Operator | null {
  const id = signedInId(registry, workspaceId);
  return id ? findOperator(db, id) : null;
}

/**
 * The core binds each workspace database it opens to "who is signed in" there,
 * so code that only has the database (the audit log, the executor, the queue)
 * names the operator without every caller passing it down.
 */
const sessions = new WeakMap<Sqlite, () => Operator | null>();

export function bindSession(db: Sqlite, who: () => Operator | null): void {
  if (!sessions.has(db)) sessions.set(db, who);
}

export function signedIn(db: Sqlite): Operator | null {
  return sessions.get(db)?.() ?? null;
}

/** The name audit rows, runs and queue outcomes record: the signed-in operator's, else the workspace's operator name setting (one person, as before #23). */
export function actorName(db: Sqlite): string {
  return signedIn(db)?.name ?? readSettings(db).operatorName;
}

/**
 * Who a run's own actions name. With operators, whoever started the run: the app's ticker may fire
 * its later steps while someone else (an account manager, say) is signed in on this desktop.
 * Without operators, as before: the operator-name setting.
 */
export function runActor(db: Sqlite, runId: string): string {
  if (hasOperators(db)) {
    const by = prepared(db, 'SELECT started_by FROM recovery_runs WHERE id = ?').pluck().get(runId);
    if (typeof by === 'string') return by;
  }
  return actorName(db);
}
