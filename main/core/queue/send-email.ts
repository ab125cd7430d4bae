/**
 * The personal email from a task, in the account manager's name, through the
 * run's outbox: a row keyed `<task's outbox key>:personal-email` is committed
 * (in flight) before anything is sent, the Message-ID derives from that key,
 * and the result is written back to the row and the audit log. Sending twice
 * (a double click, a second window, a crash and a retry) sends once.
 */
import type { Sqlite } from '../db/sqlite';
import { badRequest, conflict } from '../errors';
import type { Secrets } from '../ports';
import { amSender } from '../recovery/am-sender';
import { audit } from '../recovery/audit';
import { capReason } from '../recovery/contact-policy';
import { DEFAULT_FROM } from '../recovery/channels/deliver';
import { EmailRejected, emailExists, messageIdFor, sendEmail } from '../recovery/mailer';
import { readSettings, readSmtp } from '../recovery/settings';
import { textToHtml } from '../recovery/templates';
import { getTaskRow } from './tasks';
import { signedIn } from '../operators/session';

export interface SendTaskEmail {
  db: Sqlite;
  workspaceId: string;
  secrets: Secrets;
  taskId: string;
  subject?: string | undefined;
  text?: string | undefined;
  nowMs: number;
}

export const personalEmailKey = (taskActionKey: string) => `${taskActionKey}:personal-email`;

export async function sendTaskEmail(a: SendTaskEmail): Promise<{ messageId: string; to: string; transport: 'capture' | 'smtp' }> {
  const { db } = a;
  const t = getTaskRow(db, a.taskId);
  const to = (db.prepare(`SELECT email FROM customer_facts WHERE customer_id = ?`).pluck().get(t.customer_id) as string | null | undefined) ?? null;
  if (!to) throw badRequest('This customer has no email address.');
  const key = personalEmailKey(t.action_key);
  const smtp = readSmtp(db);
  const messageId = messageIdFor(key, smtp.from ?? DEFAULT_FROM);
  // #23: the operator signed in on this desktop sends it (in the account manager's name, as before).
  const actor = signedIn(db)?.name ?? t.assignee ?? readSettings(db).operatorName;
  const sender = amSender(db, t.assignee, DEFAULT_FROM);
  const nowSec = Math.floor(a.nowMs / 1000);

  const existing = db.prepare(`SELECT status, external_id FROM recovery_outbox WHERE key = ?`).get(key) as { status: string; external_id: string | null } | undefined;
  if (existing?.status === 'succeeded') return { messageId: existing.external_id ?? messageId, to, transport: smtp.transport };
  if (existing?.status === 'in_flight' && !emailExists(db, messageId) && smtp.transport === 'smtp') {
    throw conflict('The personal email was interrupted while being sent over SMTP; it is not sent again so the customer never gets it twice. Check the outbox.');
  }

  // #17.10: the contact cap holds for the account manager's email too (README "Contact policy").
  const capped = existing?.status === 'in_flight' ? null : capReason(db, t.customer_id, key, 'email', nowSec);
  if (capped) throw conflict(`The personal email was not sent: ${capped}. Raise the cap (Runs → Email settings) to send it anyway.`);

  const subject = (a.subject ?? t.email_subject).trim();
  const text = a.text ?? t.email_text;
  db.transaction(() => {
    db.prepare(`UPDATE am_tasks SET email_subject = ?, email_text = ?, email_action_key = ? WHERE id = ?`).run(subject, text, key, t.id);
    const taskRow = db.prepare(`SELECT step_index FROM recovery_outbox WHERE key = ?`).get(t.action_key) as { step_index: number } | undefined;
    const inserted = db
      .prepare(
        `INSERT OR IGNORE INTO recovery_outbox (key, run_id, invoice_id, customer_id, step_id, step_index, channel, delay_from, delay_sec, due_at, status, detail, attempts, created_at_ms, updated_at_ms, started_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, 'email', 'first_failure', 0, ?, 'in_flight', 'personal email from the queue', 1, ?, ?, ?)`,
      )
      .run(key, t.run_id, t.invoice_id, t.customer_id, `${t.step_id}.email`, taskRow?.step_index ?? 0, nowSec, a.nowMs, a.nowMs, a.nowMs).changes;
    if (!inserted) {
      db.prepare(`UPDATE recovery_outbox SET status = 'in_flight', attempts = attempts + 1, started_at_ms = ?, updated_at_ms = ? WHERE key = ? AND status = 'failed'`).run(a.nowMs, a.nowMs, key);
    } else {
      audit(db, a.nowMs, { actor, kind: 'action.started', runId: t.run_id, customerId: t.customer_id, invoiceId: t.invoice_id, message: `personal email from task ${t.id} started`, data: { key } });
    }
  })();

  try {
    const sent = await sendEmail({
      db,
      workspaceId: a.workspaceId,
      secrets: a.secrets,
      nowMs: a.nowMs,
      defaultFrom: DEFAULT_FROM,
      email: {
        key,
        runId: t.run_id,
        customerId: t.customer_id,
        to: { address: to, name: null },
        fromName: sender.fromName,
        fromAddress: sender.fromAddress,
        replyTo: sender.replyTo,
        rendered: { subject, text, html: textToHtml(text) },
      },
    });
    const detail = `${sent.transport === 'capture' ? 'captured (not delivered)' : 'sent'} to ${sent.to}: "${subject}"`;
    db.transaction(() => {
      db.prepare(`UPDATE recovery_outbox SET status = 'succeeded', detail = ?, external_id = ?, updated_at_ms = ?, finished_at_ms = ? WHERE key = ?`).run(detail, sent.messageId, a.nowMs, a.nowMs, key);
      db.prepare(`UPDATE am_tasks SET email_sent_at = COALESCE(email_sent_at, ?) WHERE id = ?`).run(nowSec, t.id);
      audit(db, a.nowMs, { actor, kind: 'action.succeeded', runId: t.run_id, customerId: t.customer_id, invoiceId: t.invoice_id, message: `personal email: ${detail}`, data: { key, externalId: sent.messageId } });
    })();
    return sent;
  } catch (e) {
    const message = e instanceof EmailRejected ? e.message : `could not send: ${e instanceof Error ? e.message : String(e)}`;
    db.transaction(() => {
      // Not sent: the manager may try again (same key, same Message-ID).
      db.prepare(`UPDATE recovery_outbox SET status = 'failed', detail = ?, updated_at_ms = ? WHERE key = ?`).run(message, a.nowMs, key);
      audit(db, a.nowMs, { actor, kind: 'action.failed', runId: t.run_id, customerId: t.customer_id, invoiceId: t.invoice_id, message: `personal email: ${message}`, data: { key } });
    })();
    throw badRequest(`The personal email was not sent: ${message}`);
  }
}
