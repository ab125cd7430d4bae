import { createHash } from 'node:crypto';
import type { Sqlite } from '../db/sqlite';

/**
 * The audit log is a hash chain (issue #18 item 6): each row carries the hash
 * of the row before it (`prev_hash`) and its own `hash` = SHA-256 over the
 * previous hash and a canonical serialisation of the row. Changing, removing
 * or inserting a row anywhere but at the end breaks the chain at that row;
 * `verifyAudit` names the first row where it breaks.
 *
 * Triggers refuse UPDATE, DELETE, an insert that reuses or goes below an
 * existing id (what `INSERT OR REPLACE` does) and an insert that does not
 * chain to the last row. Anyone with the file can drop triggers; the chain is
 * what makes such a rewrite visible. (A rewrite of the whole chain from some
 * row to the end is only visible against a head hash kept elsewhere: `reclaim
 * audit verify` prints it.)
 */
export const GENESIS = '0'.repeat(64);

export interface ChainRow {
  id: number;
  at_ms: number;
  actor: string;
  kind: string;
  run_id: string | null;
  customer_id: string | null;
  invoice_id: string | null;
  message: string;
  /** The stored JSON text, hashed as stored. */
  data: string;
}

/** Canonical form: a JSON array of the columns in a fixed order (strings and numbers only, so one spelling). */
export function canonicalRow(r: ChainRow): string {
  return JSON.stringify([r.id, r.at_ms, r.actor, r.kind, r.run_id, r.customer_id, r.invoice_id, r.message, r.data]);
}

export function rowHash(prevHash: string, r: ChainRow): string {
  return createHash('sha256').update(prevHash, 'utf8').update('\n', 'utf8').update(canonicalRow(r), 'utf8').digest('hex');
}

/** The triggers of the chained log (created by the migration that chains existing rows). */
export const CHAIN_TRIGGERS = `
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: an entry cannot replace or precede an existing one')
      WHERE NEW.id IS NULL OR NEW.id <= (SELECT coalesce(max(id), 0) FROM audit_log);
    SELECT RAISE(ABORT, 'the audit log is a hash chain: an entry must carry the hash of the last entry')
      WHERE NEW.hash IS NULL OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '${GENESIS}');
  END;
`;

/**
 * Migration step: hash the rows written before the chain existed, in id
 * order, then put the triggers in place. Runs inside the migration's
 * transaction.
 */
export function chainExistingRows(db: Sqlite): number {
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update');
  const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?');
  let prev = GENESIS;
  let n = 0;
  const page = db.prepare('SELECT id, at_ms, actor, kind, run_id, customer_id, invoice_id, message, data FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000');
  // In pages: the connection cannot update while a statement is still iterating.
  for (let rows = page.all(0) as ChainRow[]; rows.length; rows = page.all(rows[rows.length - 1]!.id) as ChainRow[]) {
    for (const r of rows) {
      const hash = rowHash(prev, r);
      update.run(prev, hash, r.id);
      prev = hash;
      n++;
    }
  }
  db.exec(CHAIN_TRIGGERS);
  return n;
}

/**
 * Appends one entry. The last row is read and the new one written in the same
 * write transaction: on its own a BEGIN IMMEDIATE (the write lock is held
 * before the read, so another process — CLI and app write the same file —
 * cannot append in between); inside a caller's transaction, that one (all
 * Reclaim transactions are IMMEDIATE, see db/sqlite.ts). The chain trigger
 * refuses a row whose prev_hash is not the last hash, so a stale read can
 * only fail, never fork the chain.
 */
export function appendAudit(db: Sqlite, e: Omit<ChainRow, 'id'>): number {
  const write = (): number => {
    const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string | null } | undefined;
    const row: ChainRow = { id: (last?.id ?? 0) + 1, ...e };
    const prev = last?.hash ?? GENESIS;
    db.prepare(
      `INSERT INTO audit_log (id, at_ms, actor, kind, run_id, customer_id, invoice_id, message, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(row.id, row.at_ms, row.actor, row.kind, row.run_id, row.customer_id, row.invoice_id, row.message, row.data, prev, rowHash(prev, row));
    return row.id;
  };
  return db.inTransaction ? write() : db.transaction(write).immediate();
}

export interface AuditVerdict {
  ok: boolean;
  /** Rows checked (all of them when ok). */
  count: number;
  /** Hash of the last row: compare with a copy kept elsewhere to see a rewritten tail. */
  head: string | null;
  broken: { id: number; at: number; reason: string } | null;
}

/** Walks the whole log in id order; stops at the first row that does not chain. */
export function verifyAudit(db: Sqlite): AuditVerdict {
  let prev = GENESIS;
  let prevId = 0;
  let count = 0;
  const rows = db.prepare('SELECT id, at_ms, actor, kind, run_id, customer_id, invoice_id, message, data, prev_hash, hash FROM audit_log ORDER BY id').iterate() as IterableIterator<
    ChainRow & { prev_hash: string | null; hash: string | null }
  >;
  for (const r of rows) {
    const fail = (reason: string): AuditVerdict => ({ ok: false, count, head: null, broken: { id: r.id, at: r.at_ms, reason } });
    let reason: string | null = null;
    if (r.hash == null || r.prev_hash == null) reason = `entry ${r.id} has no hash: it was written outside Reclaim`;
    else if (r.prev_hash !== prev) {
      reason = prevId === 0
        ? `entry ${r.id} does not start the chain: entries before it were removed, or it was written outside Reclaim`
        : `entry ${r.id} does not follow entry ${prevId}: an entry between them was removed or inserted, or entry ${prevId} was changed`;
    } else if (rowHash(prev, r) !== r.hash) reason = `entry ${r.id} was changed after it was written (its content does not match its hash)`;
    if (reason) return fail(reason); // leaving the for-of closes the statement's iterator
    prev = r.hash!;
    prevId = r.id;
    count++;
  }
  return { ok: true, count, head: count ? prev : null, broken: null };
}
