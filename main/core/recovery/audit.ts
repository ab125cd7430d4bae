import type { AuditEntry } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { Where } from '../db/where';
import { toCsv } from '../export/csv';
import { appendAudit } from './audit-chain';
import { signedIn } from '../operators/session';

/** Append-only and hash-chained (triggers refuse UPDATE, DELETE and REPLACE; audit-chain.ts): every plan, confirmation, action, result and error. */
export interface AuditInput {
  actor: string;
  kind: string;
  message: string;
  runId?: string | null;
  customerId?: string | null;
  invoiceId?: string | null;
  data?: Record<string, unknown>;
}

/** Appends one entry to the hash chain (audit-chain.ts). */
export function audit(db: Sqlite, nowMs: number, e: AuditInput): void {
  // #23: a row written by the operator signed in on this desktop carries their id too (names may repeat or change).
  const op = signedIn(db);
  const data = op && op.name === e.actor ? { ...e.data, operatorId: op.id } : (e.data ?? {});
  appendAudit(db, {
    at_ms: nowMs, actor: e.actor, kind: e.kind, run_id: e.runId ?? null, customer_id: e.customerId ?? null, invoice_id: e.invoiceId ?? null, message: e.message, data: JSON.stringify(data),
  });
}

export interface AuditFilter {
  since?: number | undefined;
  until?: number | undefined;
  kind?: string | undefined;
  runId?: string | undefined;
  customerId?: string | undefined;
}

function where(f: AuditFilter): Where {
  return new Where()
    .add('at_ms >= ?', f.since)
    .add('at_ms < ?', f.until)
    .add('(kind = ? OR kind LIKE ?)', f.kind, `${f.kind}.%`)
    .add('run_id = ?', f.runId)
    .add('customer_id = ?', f.customerId);
}

interface Row { id: number; at_ms: number; actor: string; kind: string; run_id: string | null; customer_id: string | null; invoice_id: string | null; message: string; data: string }
const toEntry = (r: Row): AuditEntry => ({ id: r.id, at: r.at_ms, actor: r.actor, kind: r.kind, runId: r.run_id, customerId: r.customer_id, invoiceId: r.invoice_id, message: r.message, data: JSON.parse(r.data) as Record<string, unknown> });

export function listAudit(db: Sqlite, f: AuditFilter & { offset: number; limit: number }): { total: number; rows: AuditEntry[] } {
  const w = where(f);
  const total = db.prepare(`SELECT count(*) FROM audit_log ${w.sql}`).pluck().get(...w.args) as number;
  const rows = db.prepare(`SELECT * FROM audit_log ${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...w.args, f.limit, f.offset) as Row[];
  return { total, rows: rows.map(toEntry) };
}

export function exportAudit(db: Sqlite, f: AuditFilter, format: 'csv' | 'json'): string {
  const w = where(f);
  const rows = (db.prepare(`SELECT * FROM audit_log ${w.sql} ORDER BY id`).all(...w.args) as Row[]).map(toEntry);
  if (format === 'json') return JSON.stringify(rows, null, 2);
  return toCsv(
    ['id', 'at', 'actor', 'kind', 'run_id', 'customer_id', 'invoice_id', 'message', 'data'],
    rows.map((r) => [r.id, new Date(r.at).toISOString(), r.actor, r.kind, r.runId, r.customerId, r.invoiceId, r.message, r.data]),
  );
}
