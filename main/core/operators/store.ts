import crypto from 'node:crypto';
import type { Operator, OperatorRole } from '../../../shared/operators';
import type { Sqlite } from '../db/sqlite';
import { prepared } from '../db/statements';
import { badRequest, conflict, notFound } from '../errors';

/** The workspace's operator list (table `operator`, migration 23): who works it, and in which role. */
interface Row { id: string; name: string; email: string; role: OperatorRole; created_at: number }
const toOperator = (r: Row): Operator => ({ id: r.id, name: r.name, email: r.email, role: r.role, createdAt: r.created_at });

/** Roles that may manage operators when the workspace has no admin. */
const MANAGERS: readonly OperatorRole[] = ['admin', 'specialist'];

export function hasOperators(db: Sqlite): boolean {
  return prepared(db, 'SELECT 1 FROM operator LIMIT 1').get() !== undefined;
}

export function listOperators(db: Sqlite): Operator[] {
  return (prepared(db, 'SELECT * FROM operator ORDER BY name COLLATE NOCASE, id').all() as Row[]).map(toOperator);
}

export function findOperator(db: Sqlite, id: string): Operator | null {
  const row = prepared(db, 'SELECT * FROM operator WHERE id = ?').get(id) as Row | undefined;
  return row ? toOperator(row) : null;
}

export function getOperator(db: Sqlite, id: string): Operator {
  const op = findOperator(db, id);
  if (!op) throw notFound(`The operator "${id.slice(0, 40)}"`);
  return op;
}

function assertEmailFree(db: Sqlite, email: string, exceptId: string | null): void {
  const clash = prepared(db, 'SELECT name FROM operator WHERE email = ? COLLATE NOCASE AND id IS NOT ?').get(email, exceptId) as { name: string } | undefined;
  if (clash) throw conflict(`${clash.name} already uses ${email}; each operator has their own address`);
}

/** Someone must remain who can add and remove operators (an admin, or a specialist). */
function assertManagerRemains(db: Sqlite): void {
  const ops = listOperators(db);
  if (ops.length > 0 && !ops.some((o) => MANAGERS.includes(o.role))) {
    throw conflict('Keep at least one admin or recovery specialist: account managers cannot add or remove operators');
  }
}

export function addOperator(db: Sqlite, input: { name: string; email: string; role: OperatorRole }, nowMs: number): Operator {
  return db.transaction(() => {
    if (!hasOperators(db) && !MANAGERS.includes(input.role)) {
      throw badRequest('The first operator must be an admin or a recovery specialist, who can then add the account managers');
    }
    assertEmailFree(db, input.email, null);
    const id = `op_${crypto.randomBytes(6).toString('hex')}`;
    db.prepare('INSERT INTO operator (id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)').run(id, input.name, input.email, input.role, nowMs);
    return getOperator(db, id);
  })();
}

export function updateOperator(db: Sqlite, id: string, patch: { name?: string | undefined; email?: string | undefined; role?: OperatorRole | undefined }): Operator {
  return db.transaction(() => {
    const cur = getOperator(db, id);
    const next = { name: patch.name ?? cur.name, email: patch.email ?? cur.email, role: patch.role ?? cur.role };
    if (next.email.toLowerCase() !== cur.email.toLowerCase()) assertEmailFree(db, next.email, id);
    db.prepare('UPDATE operator SET name = ?, email = ?, role = ? WHERE id = ?').run(next.name, next.email, next.role, id);
    assertManagerRemains(db);
    return getOperator(db, id);
  })();
}

export function removeOperator(db: Sqlite, id: string): Operator {
  return db.transaction(() => {
    const op = getOperator(db, id);
    db.prepare('DELETE FROM operator WHERE id = ?').run(id);
    assertManagerRemains(db);
    return op;
  })();
}

/** Whether `op` may add, change or remove operators: an admin; a specialist where there is no admin. */
export function mayManageOperators(db: Sqlite, op: Operator): boolean {
  if (op.role === 'admin') return true;
  if (op.role !== 'specialist') return false;
  return prepared(db, `SELECT 1 FROM operator WHERE role = 'admin' LIMIT 1`).get() === undefined;
}
