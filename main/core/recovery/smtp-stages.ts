import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Sqlite } from '../db/sqlite';

/**
 * How far an SMTP send got, committed to SQLite before the send goes further,
 * so that after a crash Reclaim knows whether the mail server can have the
 * message (issue #18.1). nodemailer's transport hides the stages; this drives
 * its SMTPConnection (connect, login, send with an envelope) directly:
 *
 * - `connecting`: about to open the connection; nothing sent yet.
 * - `connected`: greeting, EHLO (and login) done; MAIL FROM / RCPT TO next.
 * - `envelope_accepted`: the server answered DATA with 354; the message data goes next.
 * - `data_sent`: the message data was queued to the connection; committed
 *   BEFORE the end-of-data dot is released (a crash between the two counts as
 *   handed over: at most once wins). From here the server may have the whole
 *   message: RFC 5321 §4.1.1.4 — the server takes responsibility with its
 *   reply to the final dot, and a client that lost that reply cannot know
 *   whether it did (RFC 1047's duplicates).
 * - `replied`: the server's reply was received (stored with the email row, one transaction).
 * - `unknown`: a send interrupted under an older version that kept no stages.
 *
 * Recovery: before `data_sent` (or no stage at all: the crash came before the
 * first stage was recorded) the message was never handed over, so it is sent
 * again; from `data_sent` on it stays at most once.
 */
export type SendStage = 'connecting' | 'connected' | 'envelope_accepted' | 'data_sent' | 'replied' | 'unknown';

const STAGE_TEXT: Record<SendStage, string> = {
  connecting: 'before the connection to the mail server opened',
  connected: 'after connecting, before the envelope (MAIL FROM / RCPT TO) was accepted',
  envelope_accepted: 'after the envelope was accepted, while the message was being written',
  data_sent: 'after the whole message was handed to the mail server, before it confirmed',
  replied: 'after the mail server replied',
  unknown: 'at an unrecorded stage (an earlier version kept none)',
};

export function stageText(stage: SendStage | null): string {
  return stage ? STAGE_TEXT[stage] : 'before it reached the mail server';
}

/** True when the mail server may have the whole message: resending could deliver it twice. */
export function mayHaveBeenHandedOver(stage: SendStage | null): boolean {
  return stage === 'data_sent' || stage === 'replied' || stage === 'unknown';
}

/** Commits the stage (autocommit: durable once this returns). */
export function recordStage(db: Sqlite, key: string, stage: SendStage, nowMs: number): void {
  db.prepare(
    `INSERT INTO smtp_send_stages (outbox_key, stage, at_ms) VALUES (?, ?, ?)
     ON CONFLICT (outbox_key) DO UPDATE SET stage = excluded.stage, at_ms = excluded.at_ms`,
  ).run(key, stage, nowMs);
}

export function readStage(db: Sqlite, key: string): SendStage | null {
  return (db.prepare(`SELECT stage FROM smtp_send_stages WHERE outbox_key = ?`).pluck().get(key) as SendStage | undefined) ?? null;
}

/** A send that failed before the hand-over and will be tried again leaves nothing outstanding. */
export function clearStage(db: Sqlite, key: string): void {
  db.prepare(`DELETE FROM smtp_send_stages WHERE outbox_key = ?`).run(key);
}

export interface StagedSendOptions {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  ignoreTLS: boolean;
  auth: { user: string; pass: string } | null;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

/**
 * The message exactly as nodemailer's SMTP transport would send it (its own
 * compile and stream steps, CRLF line breaks) and its SMTP envelope.
 */
export async function composeMessage(message: Mail.Options): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await composer.sendMail(message);
  const env = info.envelope as { from: string | false; to: string[] };
  return { raw: info.message as Buffer, envelope: { from: env.from || '', to: env.to } };
}

/**
 * The message as a stream that calls `beforeData` when SMTPConnection starts
 * reading it (after the 354 reply to DATA) and `beforeDot` before it ends:
 * SMTPConnection's DataStream writes the end-of-data dot only once this
 * stream has ended, so whatever `beforeDot` commits precedes the dot.
 */
function stagedMessage(raw: Buffer, beforeData: () => void, beforeDot: () => void): Readable {
  let step = 0;
  return new Readable({
    read() {
      try {
        if (step === 0) {
          step = 1;
          beforeData();
          this.push(raw);
        } else if (step === 1) {
          step = 2;
          beforeDot();
          this.push(null);
        }
      } catch (e) {
        this.destroy(e as Error);
      }
    },
  });
}

/**
 * Sends one message over SMTP, calling `stage` (synchronously, so it can
 * commit) before each stage. Resolves with the server's final reply; rejects
 * with nodemailer's error (code, responseCode, command), as its transport did.
 */
export function stagedSend(o: StagedSendOptions, envelope: { from: string; to: string[] }, raw: Buffer, stage: (s: SendStage) => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let connection: SMTPConnection | null = null;
    const done = (err: unknown, reply?: string) => {
      if (settled) return;
      settled = true;
      if (err) connection?.close();
      else connection?.quit();
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(reply ?? '');
    };
    try {
      stage('connecting');
      connection = new SMTPConnection({
        host: o.host,
        port: o.port,
        secure: o.secure,
        requireTLS: o.requireTLS,
        ignoreTLS: o.ignoreTLS,
        connectionTimeout: o.connectionTimeout,
        greetingTimeout: o.greetingTimeout,
        socketTimeout: o.socketTimeout,
        logger: false,
      });
    } catch (e) {
      done(e);
      return;
    }
    const conn = connection;
    conn.on('error', (e: Error) => done(e));
    conn.once('end', () => done(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })));
    const send = () => {
      try {
        stage('connected');
      } catch (e) {
        done(e);
        return;
      }
      const message = stagedMessage(raw, () => stage('envelope_accepted'), () => stage('data_sent'));
      conn.send(envelope, message, (err, info) => (err ? done(err) : done(null, info?.response ?? '')));
    };
    conn.connect((err) => {
      if (settled) return;
      if (err) return done(err);
      // As nodemailer's SMTP transport: log in when credentials are set and the server offers AUTH.
      if (o.auth && conn.allowsAuth) {
        conn.login({ user: o.auth.user, pass: o.auth.pass }, (e) => {
          if (settled) return;
          if (e) return done(e);
          send();
        });
      } else send();
    });
  });
}
