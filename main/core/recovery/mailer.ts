import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Sqlite } from '../db/sqlite';
import type { Secrets } from '../ports';
import { readSmtp, smtpSecretId } from './settings';
import { headerSafe, type Rendered } from './templates';

/**
 * Builds every email with nodemailer and either delivers it over SMTP or
 * captures it (stored in the workspace, viewable in the app: the demo default,
 * so the demo never mails anyone). The Message-ID derives from the outbox key,
 * and the stored row is keyed by it, so a captured email can never be stored
 * twice. SMTP has no idempotency of its own: an SMTP send interrupted by a
 * crash is not repeated (see the email channel's `recover`).
 */
export interface OutgoingEmail {
  /** Outbox key (null for a test send). */
  key: string | null;
  runId: string | null;
  customerId: string | null;
  to: { address: string; name?: string | null };
  /** Overrides the workspace's From display name (the account manager's name). */
  fromName?: string | null;
  replyTo?: string | null;
  rendered: Rendered;
}

export interface SentEmail {
  messageId: string;
  transport: 'capture' | 'smtp';
  to: string;
}

export class EmailRejected extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** One address, nothing else: no display name, no list, no whitespace or control characters. */
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const PLAIN_ADDRESS = /^[^\s@<>,;"\u0000-\u001f\u007f]+@[^\s@<>,;"\u0000-\u001f\u007f]+$/;

export function messageIdFor(key: string, fromAddress: string): string {
  const domain = /@([A-Za-z0-9.-]+)$/.exec(fromAddress)?.[1] ?? 'reclaim.local';
  return `<reclaim.${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

const nextSlot = new Map<string, number>();
/** Spaces sends so a workspace never exceeds its emails-per-minute setting (per process). */
async function rateLimit(workspaceId: string, perMinute: number): Promise<void> {
  const gap = 60_000 / Math.max(1, perMinute);
  const now = Date.now();
  const at = Math.max(now, nextSlot.get(workspaceId) ?? 0);
  nextSlot.set(workspaceId, at + gap);
  if (at > now) await new Promise((r) => setTimeout(r, at - now));
}

export function emailExists(db: Sqlite, messageId: string): boolean {
  return !!db.prepare(`SELECT 1 FROM recovery_emails WHERE message_id = ?`).get(messageId);
}

export async function sendEmail(args: { db: Sqlite; workspaceId: string; secrets: Secrets; nowMs: number; defaultFrom: string; email: OutgoingEmail }): Promise<SentEmail> {
  const { db, email } = args;
  const smtp = readSmtp(db);
  const fromAddress = smtp.from ?? args.defaultFrom;
  const fromName = headerSafe(email.fromName ?? smtp.fromName ?? '');
  const messageId = email.key ? messageIdFor(email.key, fromAddress) : messageIdFor(`test:${crypto.randomUUID()}`, fromAddress);
  const to = email.to.address.trim();
  if (/[\r\n]/.test(to) || !PLAIN_ADDRESS.test(to)) throw new EmailRejected(`"${headerSafe(to).slice(0, 80)}" is not a usable email address`, true);
  // Reply-To may come from customer data (the account manager): one plain address, or none.
  const replyTo = [email.replyTo, smtp.replyTo].map((a) => a?.trim() ?? '').find((a) => a !== '');
  const message = {
    from: fromName ? { name: fromName, address: fromAddress } : fromAddress,
    to: email.to.name ? { name: headerSafe(email.to.name), address: to } : to,
    ...(replyTo && PLAIN_ADDRESS.test(replyTo) ? { replyTo } : {}),
    subject: headerSafe(email.rendered.subject),
    text: email.rendered.text,
    html: email.rendered.html,
    messageId,
    headers: {
      'X-Reclaim-Action': email.key ? crypto.createHash('sha256').update(email.key).digest('hex').slice(0, 16) : 'test-send',
      'List-Unsubscribe': `<mailto:${fromAddress}?subject=unsubscribe>`,
      'Auto-Submitted': 'auto-generated',
    },
  };
  if (email.key && emailExists(db, messageId)) return { messageId, transport: smtp.transport, to };

  if (smtp.transport === 'smtp') {
    await rateLimit(args.workspaceId, smtp.ratePerMinute);
    const pass = await args.secrets.get(smtpSecretId(args.workspaceId));
    const transport = nodemailer.createTransport({
      host: smtp.host!,
      port: smtp.port ?? 587,
      secure: smtp.tls === 'tls',
      requireTLS: smtp.tls === 'starttls',
      ignoreTLS: smtp.tls === 'none',
      ...(smtp.user ? { auth: { user: smtp.user, pass: pass ?? '' } } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
    try {
      await transport.sendMail(message);
    } catch (e) {
      const err = e as { responseCode?: number; response?: string; message?: string };
      const text = headerSafe(err.response ?? err.message ?? String(e)).slice(0, 300);
      throw new EmailRejected(`The mail server refused the message: ${text}`, (err.responseCode ?? 0) >= 500);
    } finally {
      transport.close();
    }
  }
  // Captured (or sent): store it. The UNIQUE message id makes this at most once per outbox key.
  db.prepare(
    `INSERT OR IGNORE INTO recovery_emails (id, message_id, outbox_key, run_id, customer_id, to_addr, from_addr, subject, text, html, headers, transport, created_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    `em_${crypto.randomBytes(8).toString('hex')}`, messageId, email.key, email.runId, email.customerId, to,
    fromName ? `${fromName} <${fromAddress}>` : fromAddress, message.subject, message.text, message.html,
    JSON.stringify({ 'Message-ID': messageId, ...message.headers, ...(message.replyTo ? { 'Reply-To': message.replyTo } : {}) }), smtp.transport, args.nowMs,
  );
  return { messageId, transport: smtp.transport, to };
}
