import type { Step } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { probePermission } from './connect';
import { REQUIRED_PERMISSIONS, type RequiredPermission } from './permissions';
import type Stripe from 'stripe';

/**
 * The Stripe writes each recovery step makes, as restricted-key permissions:
 * a retry pays the invoice (`POST /v1/invoices/:id/pay`: rak_invoice_write);
 * a discount offer creates a coupon (rak_coupon_write) and applies it to the
 * subscription (`POST /v1/subscriptions/:id`: rak_subscription_write). Emails,
 * annual and payment-method offers write nothing to Stripe.
 *
 * Connect requires them all (./permissions.ts); a key edited since is probed
 * again before each plan (the plan skips what would fail, naming the
 * permission) and, for coupons, right before the coupon is created.
 */
const byName = (name: string): RequiredPermission => REQUIRED_PERMISSIONS.find((p) => p.permission === name)!;

export const WRITE_PERMISSIONS = {
  retry: [byName('rak_invoice_write')],
  coupon: [byName('rak_coupon_write'), byName('rak_subscription_write')],
} as const;

/** The write permissions one step needs (none for steps that write nothing to Stripe). */
export function writePermissionsFor(step: Step): readonly RequiredPermission[] {
  if (step.channel === 'retry') return WRITE_PERMISSIONS.retry;
  if (step.channel === 'offer' && step.config.kind === 'coupon') return WRITE_PERMISSIONS.coupon;
  return [];
}

const META_KEY = 'stripe.write_missing';

/** Probes the write permissions these steps need and stores the ones the key lacks (read by `missingWrite`). */
export async function refreshWritePermissions(db: Sqlite, stripe: Stripe, steps: Step[]): Promise<RequiredPermission[]> {
  const needed = new Map<string, RequiredPermission>();
  for (const s of steps) for (const p of writePermissionsFor(s)) needed.set(p.permission, p);
  const missing: RequiredPermission[] = [];
  for (const p of needed.values()) {
    const m = await probePermission(stripe, p);
    if (m) missing.push({ ...p, permission: m.permission });
  }
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(META_KEY, JSON.stringify(missing.map((p) => ({ permission: p.permission, label: p.label }))));
  return missing;
}

export type MissingWrite = { permission: string; label: string };

/** The write permissions the key lacked when last probed (null: never probed). */
export function readWriteMissing(db: Sqlite): MissingWrite[] | null {
  const raw = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(META_KEY) as string | undefined;
  return raw ? (JSON.parse(raw) as MissingWrite[]) : null;
}

/** Null when the key (as last probed) may make this step's writes; else why the step would fail. */
export function missingWrite(db: Sqlite, step: Step): string | null {
  return missingWriteIn(readWriteMissing(db), step);
}

/** `missingWrite` with the probe's answer already read (a plan reads it once). */
export function missingWriteIn(missing: MissingWrite[] | null, step: Step): string | null {
  if (!missing) return null;
  const lacking = writePermissionsFor(step).map((p) => missing.find((m) => m.permission === p.permission)).filter((m) => m !== undefined);
  if (!lacking.length) return null;
  return `the Stripe key lacks ${lacking.map((m) => `'${m.permission}' (${m.label})`).join(' and ')}; edit the restricted key in the Stripe dashboard`;
}
