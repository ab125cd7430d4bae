import os from 'node:os';
import type { SmtpSettings } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';
import { prepared } from '../db/statements';

/** Workspace recovery settings live in `meta` (keys `recovery.*`); the SMTP password in the secrets port. */
export const smtpSecretId = (workspaceId: string) => `smtp-password:${workspaceId}`;

const SMTP_KEY = 'recovery.smtp';
const SETTINGS_KEY = 'recovery.settings';

interface StoredSmtp {
  transport: 'capture' | 'smtp';
  host: string | null;
  port: number | null;
  tls: 'starttls' | 'tls' | 'none';
  user: string | null;
  from: string | null;
  fromName: string | null;
  replyTo: string | null;
  ratePerMinute: number;
}

const DEFAULT_SMTP: StoredSmtp = { transport: 'capture', host: null, port: null, tls: 'starttls', user: null, from: null, fromName: null, replyTo: null, ratePerMinute: 60 };

function readMeta<T>(db: Sqlite, key: string): T | null {
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as T) : null;
}
function writeMeta(db: Sqlite, key: string, value: unknown): void {
  db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(key, JSON.stringify(value));
}

export function readSmtp(db: Sqlite): StoredSmtp {
  return { ...DEFAULT_SMTP, ...(readMeta<Partial<StoredSmtp>>(db, SMTP_KEY) ?? {}) };
}

export function smtpView(db: Sqlite, passwordSet: boolean): SmtpSettings {
  return { ...readSmtp(db), passwordSet };
}

export interface SmtpPatch {
  transport?: 'capture' | 'smtp' | undefined;
  host?: string | undefined;
  port?: number | undefined;
  tls?: 'starttls' | 'tls' | 'none' | undefined;
  user?: string | null | undefined;
  from?: string | undefined;
  fromName?: string | null | undefined;
  replyTo?: string | null | undefined;
  ratePerMinute?: number | undefined;
}

export function writeSmtp(db: Sqlite, patch: SmtpPatch): StoredSmtp {
  const cur = readSmtp(db);
  // A patch: what it does not name keeps its stored value (issue #18 item 4).
  const tls = patch.tls ?? cur.tls;
  const next: StoredSmtp = {
    transport: patch.transport ?? cur.transport,
    host: patch.host ?? cur.host,
    port: patch.port ?? cur.port ?? (tls === 'tls' ? 465 : 587),
    tls,
    user: patch.user === undefined ? cur.user : patch.user,
    from: patch.from ?? cur.from,
    fromName: patch.fromName === undefined ? cur.fromName : patch.fromName,
    replyTo: patch.replyTo === undefined ? cur.replyTo : patch.replyTo,
    ratePerMinute: patch.ratePerMinute ?? cur.ratePerMinute,
  };
  if (next.transport === 'smtp') {
    if (!next.host) throw badRequest('SMTP needs a host', [{ path: 'host', message: 'Required for SMTP' }]);
    if (!next.from) throw badRequest('SMTP needs a From address', [{ path: 'from', message: 'Required for SMTP' }]);
    if (next.fromName) next.fromName = next.fromName.replace(/[\r\n]+/g, ' ');
  }
  writeMeta(db, SMTP_KEY, next);
  return next;
}

export interface RecoverySettingsValue {
  operatorName: string;
  operatorEmail: string | null;
}

export function readSettings(db: Sqlite): RecoverySettingsValue {
  let fallback = 'operator';
  try {
    fallback = os.userInfo().username || fallback;
  } catch {
    /* no user info on this platform */
  }
  return { operatorName: fallback, operatorEmail: null, ...(readMeta<Partial<RecoverySettingsValue>>(db, SETTINGS_KEY) ?? {}) };
}

export function writeSettings(db: Sqlite, patch: Partial<RecoverySettingsValue>): RecoverySettingsValue {
  const next = { ...readSettings(db), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  writeMeta(db, SETTINGS_KEY, next);
  return next;
}

// ── suppression / unsubscribe list ──

export function isSuppressed(db: Sqlite, email: string | null): string | null {
  if (!email) return null;
  const row = prepared(db, `SELECT reason FROM recovery_suppressions WHERE email = ?`).get(email.trim()) as { reason: string } | undefined;
  return row?.reason ?? null;
}

export function suppress(db: Sqlite, email: string, reason: string, nowMs: number): boolean {
  return db.prepare(`INSERT OR IGNORE INTO recovery_suppressions (email, reason, created_at_ms) VALUES (?, ?, ?)`).run(email.trim(), reason, nowMs).changes > 0;
}

export function unsuppress(db: Sqlite, email: string): boolean {
  return db.prepare(`DELETE FROM recovery_suppressions WHERE email = ?`).run(email.trim()).changes > 0;
}

export function listSuppressions(db: Sqlite): { email: string; reason: string; createdAt: number }[] {
  return db.prepare(`SELECT email, reason, created_at_ms AS createdAt FROM recovery_suppressions ORDER BY created_at_ms DESC`).all() as { email: string; reason: string; createdAt: number }[];
}
