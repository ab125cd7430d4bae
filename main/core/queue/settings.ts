import { AmSettings, VoiceSettings, WebhookSettings, type WhiteGloveSettings } from '../../../shared/whiteglove';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';
import { issuesMessage } from '../issue-words';
import { judgeAddress } from '../net/address-policy';

/** Secret ids (the `secrets` port), like the Stripe key's: never stored in the workspace file. */
export const voiceTokenSecretId = (workspaceId: string) => `voice-token:${workspaceId}`;
export const webhookSecretId = (workspaceId: string) => `webhook-secret:${workspaceId}`;

const SCHEMAS = { voice: VoiceSettings, webhook: WebhookSettings, am: AmSettings } as const;
type Key = keyof typeof SCHEMAS;

function read<K extends Key>(db: Sqlite, key: K): WhiteGloveSettings[K] {
  const row = db.prepare(`SELECT value FROM whiteglove_settings WHERE key = ?`).get(key) as { value: string } | undefined;
  const parsed = SCHEMAS[key].safeParse(row ? JSON.parse(row.value) : {});
  // A stored value from an older build that no longer parses falls back to the defaults.
  return (parsed.success ? parsed.data : SCHEMAS[key].parse({})) as WhiteGloveSettings[K];
}

export function getSettings(db: Sqlite): WhiteGloveSettings {
  return { voice: read(db, 'voice'), webhook: read(db, 'webhook'), am: read(db, 'am') };
}

/** Merges a partial update into one settings group, validates it whole, stores it. */
export function updateSettings<K extends Key>(db: Sqlite, key: K, patch: Partial<WhiteGloveSettings[K]>): WhiteGloveSettings[K] {
  const merged = { ...read(db, key), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  const parsed = SCHEMAS[key].safeParse(merged);
  if (!parsed.success) {
    throw badRequest(
      `The ${key === 'am' ? 'account-manager' : key} settings were not saved: ${issuesMessage(parsed.error.issues, merged, 1)}`,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  if (key === 'voice' || key === 'webhook') {
    const url = key === 'voice' ? (parsed.data as WhiteGloveSettings['voice']).apiBase : (parsed.data as WhiteGloveSettings['webhook']).url;
    if (url) assertSafeUrl(url, key === 'voice' ? 'The voice provider URL' : 'The webhook URL');
  }
  db.prepare(`INSERT INTO whiteglove_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
    key,
    JSON.stringify(parsed.data),
  );
  return parsed.data as WhiteGloveSettings[K];
}

/** True for hosts that never leave the machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Only https, or plain http to loopback (the local fake provider and test
 * receivers); never to a link-local or cloud metadata address
 * (net/address-policy.ts, #18 item 8). Host names are checked again, by the
 * addresses they resolve to, when a request is sent.
 */
export function assertSafeUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`${what} is not a valid URL.`);
  }
  if (url.username || url.password) throw badRequest(`${what} must not contain a user name or password.`);
  const verdict = judgeAddress(url.hostname, what);
  if (verdict.refused) throw badRequest(verdict.refused);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw badRequest(`${what} must use https (plain http is allowed only to 127.0.0.1 or localhost).`);
}

/** The warning for a URL that is allowed but points into a private network (null otherwise). */
export function urlWarning(raw: string | null, what: string): string | null {
  if (!raw) return null;
  try {
    return judgeAddress(new URL(raw).hostname, what).warning;
  } catch {
    return null;
  }
}
