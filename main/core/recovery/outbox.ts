import type { Sqlite } from '../db/sqlite';
import { Where } from '../db/where';
import { notFound } from '../errors';

/** Emails Reclaim built: captured ones (demo / no SMTP) and SMTP-sent ones, for the outbox view. */
interface Row { id: string; message_id: string; outbox_key: string | null; run_id: string | null; customer_id: string | null; to_addr: string; from_addr: string; subject: string; text: string; html: string; headers: string; transport: 'capture' | 'smtp'; created_at_ms: number }

const summary = (r: Row) => ({ id: r.id, messageId: r.message_id, runId: r.run_id, actionKey: r.outbox_key, customerId: r.customer_id, to: r.to_addr, from: r.from_addr, subject: r.subject, transport: r.transport, createdAt: r.created_at_ms });

export function listEmails(db: Sqlite, f: { runId?: string | undefined; customerId?: string | undefined; search?: string | undefined; offset: number; limit: number }) {
  const like = f.search ? `%${f.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : undefined;
  const { sql: w, args } = new Where()
    .add('run_id = ?', f.runId)
    .add('customer_id = ?', f.customerId)
    .add(`(to_addr LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\')`, like, like);
  const total = db.prepare(`SELECT count(*) FROM recovery_emails ${w}`).pluck().get(...args) as number;
  const rows = db.prepare(`SELECT * FROM recovery_emails ${w} ORDER BY created_at_ms DESC, id LIMIT ? OFFSET ?`).all(...args, f.limit, f.offset) as Row[];
  return { total, rows: rows.map(summary) };
}

export function getEmail(db: Sqlite, id: string) {
  const r = db.prepare(`SELECT * FROM recovery_emails WHERE id = ?`).get(id) as Row | undefined;
  if (!r) throw notFound('The email');
  return { ...summary(r), text: r.text, html: r.html, headers: JSON.parse(r.headers) as Record<string, string> };
}
