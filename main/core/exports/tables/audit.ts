import type { Sqlite } from '../../db/sqlite';
import { col, statementRows, type Table } from '../table';

/** The audit log, oldest first, entries with `at` in [sinceMs, untilMs). Streamed from SQLite. */
export function auditTable(db: Sqlite, sinceMs: number | undefined, untilMs: number | undefined): Table {
  const where: string[] = [];
  const args: number[] = [];
  if (sinceMs !== undefined) {
    where.push('at_ms >= ?');
    args.push(sinceMs);
  }
  if (untilMs !== undefined) {
    where.push('at_ms < ?');
    args.push(untilMs);
  }
  const stmt = db.prepare(`SELECT id, at_ms, actor, kind, run_id, customer_id, invoice_id, message, data FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`).raw(true);
  return {
    name: 'Audit log',
    title: 'Audit log',
    columns: [
      col('id', 'Entry', 'integer'),
      col('at', 'At (UTC)', 'datetime'),
      col('actor', 'Actor'),
      col('kind', 'Kind'),
      col('run_id', 'Run'),
      col('customer_id', 'Customer'),
      col('invoice_id', 'Invoice'),
      col('message', 'Message'),
      col('data', 'Data (JSON)'),
    ],
    rows: statementRows(stmt, args),
  };
}
