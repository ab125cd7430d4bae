import crypto from 'node:crypto';
import type { Sqlite } from '../db/sqlite';
import type { Secrets } from '../ports';
import { readSmtp, smtpSecretId } from './settings';
import { clearStage, composeMessage, recordStage, stagedSend, type SendStage } from './smtp-stages';
import { headerSafe, type Rendered } from './templates';

/**
 * Builds every email with nodemailer and either delivers it over SMTP or
 * captures it (stored in the workspace, viewable in the app: the demo default,
 * so the demo never mails anyone). The Message-ID derives from the outbox key,
 * and the stored row is keyed by it, so a captured email can never be stored
 * twice. SMTP has no idempotency of its own: how far an SMTP send got is
 * committed before each stage (smtp-stages.ts), and a send interrupted by a
 * crash is repeated only when it never handed the message over (see the
 * email channel's `recover`).
 */
export interface OutgoingEmail {
  /** Outbox key (null for a test send). */
  key: string | null;
  runId: string | null;
  customerId: string | null;
  to: { address: string; name?: string | null };
  /** Overrides the workspace's From display name (the account manager's name). */
  fromName?: string | null;
  /**
   * Overrides the From address (the account manager's own, #17 item 16). The workspace
   * address stays the Sender and the envelope sender (bounces come back to it), and the
   * Message-ID keeps its domain, so a resend after a crash still finds the stored copy.
   */
  fromAddress?: string | null;
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
    /** The recipient was refused for good (a bounce: the address is suppressed). */
    readonly permanent: boolean,
    /** Not to be tried again (a bounce, a permanent refusal of the message, or a send that may have gone out). */
    readonly final: boolean = permanent,
  ) {
    super(message);
  }
}

/** One address, nothing else: no display name, no list, no whitespace or control characters. */
// eslint-disable-next-line no-control-regex -- excluding control characters is the point
const PLAIN_ADDRESS = /^[^\s@<>,;"\u0000-\u001f\u007f]+@[^\s@<>,;"\u0000-\u001f\u007f]+$/;

/**
 * A failed SMTP send as the operator should read it, and what to do about it.
 * SMTP has no idempotency: when the connection breaks after the whole message
 * was handed to the server but before it confirmed (RFC 5321 §4.1.1.4: the
 * server takes responsibility only with its reply to the final dot; RFC 1047
 * describes the duplicates a resend then makes), the message may have been
 * delivered, so it is not sent again — the same at-most-once rule as a send
 * cut off by a crash. A refusal before the message was handed over (no
 * connection, no greeting, a reset while writing, a 4xx) is tried again; a
 * 5xx to the recipient is a bounce; any other 5xx is final.
 */
export function smtpFailure(e: unknown, server: string, handedOver: boolean): EmailRejected {
  const err = (e ?? {}) as { code?: string; originalCode?: string; responseCode?: number; response?: string; message?: string; command?: string };
  const sys = err.originalCode ?? err.code ?? '';
  const reply = headerSafe(err.response ?? '').slice(0, 300);
  if (err.code === 'EAUTH') return new EmailRejected(`The mail server at ${server} did not accept the user name and password${reply ? ` (${reply})` : ''}; check the SMTP settings`, false);
  if (err.responseCode) {
    const text = `The mail server refused the message: ${reply || headerSafe(err.message ?? '').slice(0, 300)}`;
    if (err.responseCode < 500) return new EmailRejected(text, false);
    return new EmailRejected(text, err.command === 'RCPT TO', true);
  }
  const cutOff = ['ECONNECTION', 'ETIMEDOUT', 'ECONNRESET'].includes(err.code ?? '') || sys === 'ECONNRESET';
  if (handedOver && cutOff && sys !== 'EPIPE') {
    return new EmailRejected(
      `The connection to the mail server at ${server} broke after the message was handed over and before the server confirmed it; it may have been delivered, so it is not sent again (the customer never gets it twice)`,
      false,
      true,
    );
  }
  if (sys === 'ECONNREFUSED') return new EmailRejected(`The mail server at ${server} could not be reached: it refused the connection (is it running, and are the host and port right?)`, false);
  if (sys === 'ENOTFOUND' || sys === 'EAI_AGAIN' || err.code === 'EDNS') return new EmailRejected(`The mail server host in ${server} could not be found`, false);
  if (err.code === 'ETIMEDOUT' || sys === 'ETIMEDOUT') return new EmailRejected(`The mail server at ${server} did not answer in time`, false);
  if (err.code === 'ETLS') return new EmailRejected(`The secure connection to the mail server at ${server} failed; check its TLS setting`, false);
  if (cutOff || sys === 'EPIPE' || err.code === 'ESOCKET') return new EmailRejected(`The mail server at ${server} closed the connection before accepting the message`, false);
  return new EmailRejected(`The mail server at ${server} could not take the message: ${headerSafe(err.message ?? String(e)).slice(0, 200)}`, false);
}

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
  const workspaceFrom = smtp.from ?? args.defaultFrom;
  const ownFrom = email.fromAddress?.trim() ?? '';
  const fromAddress = ownFrom && PLAIN_ADDRESS.test(ownFrom) ? ownFrom : workspaceFrom;
  const fromName = headerSafe(email.fromName ?? smtp.fromName ?? '');
  const messageId = email.key ? messageIdFor(email.key, workspaceFrom) : messageIdFor(`test:${crypto.randomUUID()}`, workspaceFrom);
  const to = email.to.address.trim();
  if (!PLAIN_ADDRESS.test(to)) throw new EmailRejected(`"${headerSafe(to).slice(0, 80)}" is not a usable email address`, true);
  // Reply-To may come from customer data (the account manager): one plain address, or none.
  const replyTo = [email.replyTo, smtp.replyTo].map((a) => a?.trim() ?? '').find((a) => a !== '');
  const message = {
    from: fromName ? { name: fromName, address: fromAddress } : fromAddress,
    ...(fromAddress !== workspaceFrom ? { sender: workspaceFrom, envelope: { from: workspaceFrom, to: [to] } } : {}),
    to: email.to.name ? { name: headerSafe(email.to.name), address: to } : to,
    ...(replyTo && PLAIN_ADDRESS.test(replyTo) ? { replyTo } : {}),
    subject: headerSafe(email.rendered.subject),
    text: email.rendered.text,
    html: email.rendered.html,
    messageId,
    headers: {
      'X-Reclaim-Action': email.key ? crypto.createHash('sha256').update(email.key).digest('hex').slice(0, 16) : 'test-send',
      'List-Unsubscribe': `<mailto:${workspaceFrom}?subject=unsubscribe>`,
      'Auto-Submitted': 'auto-generated',
    },
  };
  if (email.key && emailExists(db, messageId)) return { messageId, transport: smtp.transport, to };

  if (smtp.transport === 'smtp') {
    const server = `${smtp.host}:${smtp.port ?? 587}`;
    await rateLimit(args.workspaceId, smtp.ratePerMinute);
    const pass = await args.secrets.get(smtpSecretId(args.workspaceId));
    // Built as nodemailer's SMTP transport builds it, then sent stage by stage: each stage of an
    // outbox send is committed before it is entered, so recovery after a crash knows whether the
    // server can have the message (smtp-stages.ts).
    const built = await composeMessage(message);
    let reached = null as SendStage | null;
    try {
      await stagedSend(
        {
          host: smtp.host!,
          port: smtp.port ?? 587,
          secure: smtp.tls === 'tls',
          requireTLS: smtp.tls === 'starttls',
          ignoreTLS: smtp.tls === 'none',
          auth: smtp.user ? { user: smtp.user, pass: pass ?? '' } : null,
          connectionTimeout: 15_000,
          greetingTimeout: 15_000,
          socketTimeout: 30_000,
        },
        built.envelope,
        built.raw,
        (stage) => {
          reached = stage;
          if (email.key) recordStage(db, email.key, stage, args.nowMs);
        },
      );
    } catch (e) {
      const failure = smtpFailure(e, server, reached === 'data_sent');
      // Not handed over and tried again later: nothing is outstanding at the server.
      if (email.key && !failure.final) clearStage(db, email.key);
      throw failure;
    }
  }
  // Captured (or sent): store it, with the 'replied' stage of a send (one transaction). The UNIQUE message id makes this at most once per outbox key.
  const insert = db.prepare(
    `INSERT OR IGNORE INTO recovery_emails (id, message_id, outbox_key, run_id, customer_id, to_addr, from_addr, subject, text, html, headers, transport, created_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    insert.run(
      `em_${crypto.randomBytes(8).toString('hex')}`, messageId, email.key, email.runId, email.customerId, to,
      fromName ? `${fromName} <${fromAddress}>` : fromAddress, message.subject, message.text, message.html,
      JSON.stringify({ 'Message-ID': messageId, ...('sender' in message ? { Sender: message.sender } : {}), ...message.headers, ...(message.replyTo ? { 'Reply-To': message.replyTo } : {}) }), smtp.transport, args.nowMs,
    );
    if (smtp.transport === 'smtp' && email.key) recordStage(db, email.key, 'replied', args.nowMs);
  })();
  return { messageId, transport: smtp.transport, to };
}
