import Stripe from 'stripe';
import { UserError } from '../errors';
import { createStripeClient, describeStripeError } from './client';
import { REQUIRED_PERMISSIONS, type RequiredPermission } from './permissions';

export interface KeyCheck {
  /** Learned from /v1/account when the key may read it, else from Stripe's 403 messages; null if neither says. */
  accountId: string | null;
  displayName: string | null;
  defaultCurrency: string | null;
  missing: RequiredPermission[];
  warning: string | null;
}

/** Stripe's 403 to a restricted key: "… on account 'acct_…'. Having the 'rak_…' permission would allow this request to continue." */
const ACCOUNT_IN_403 = /on account '(acct_[A-Za-z0-9]+)'/;
const PERMISSION_IN_403 = /Having the '(rak_[a-z_]+)' permission/;

/**
 * One probe: null when the key may make the request (200, or a 400/404 for the
 * probe's made-up id), else the permission Stripe's 403 names (this table's
 * name when the message names none). Other failures (401, no answer) throw.
 */
export async function probePermission(stripe: Stripe, p: RequiredPermission): Promise<{ permission: string; accountId: string | null } | null> {
  try {
    if (p.probe.method === 'GET') await stripe.rawRequest('GET', p.probe.path);
    else await stripe.rawRequest('POST', p.probe.path, {}, { idempotencyKey: `reclaim-probe-${p.permission}-${Date.now()}-${Math.random().toString(36).slice(2)}` });
    return null;
  } catch (e) {
    if (e instanceof Stripe.errors.StripePermissionError) return { permission: PERMISSION_IN_403.exec(e.message)?.[1] ?? p.permission, accountId: ACCOUNT_IN_403.exec(e.message)?.[1] ?? null };
    if (e instanceof Stripe.errors.StripeInvalidRequestError) return null;
    throw e;
  }
}

/**
 * Probes every permission Reclaim needs with a cheap request: 403 means
 * missing (named from Stripe's own message); anything else (200, 404 for the
 * probe's made-up id, 400) means the key may do it. The account is read from
 * `/v1/account` only if the key is allowed to; a least-privilege restricted key
 * is not, and its account id comes from the 403 messages instead.
 */
export async function checkKey(o: { key: string; apiBase: string; fetch: typeof fetch }): Promise<KeyCheck> {
  const { stripe } = createStripeClient({ key: o.key, apiBase: o.apiBase, fetch: o.fetch, ratePerSecond: 10, maxAttempts: 3, backoffMs: 200, rateLimitBackoffMs: 1000 });
  const fail = (e: unknown): never => {
    if (e instanceof Stripe.errors.StripeAuthenticationError) throw new UserError('unauthorized', `Stripe rejected the key (401): ${describeStripeError(e, o.key)}`);
    throw new UserError('unavailable', `Stripe could not be reached at ${o.apiBase}: ${describeStripeError(e, o.key)}`);
  };
  let accountId: string | null = null;
  let displayName: string | null = null;
  let defaultCurrency: string | null = null;
  try {
    const account = await stripe.accounts.retrieveCurrent();
    accountId = account.id;
    displayName = account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? null;
    defaultCurrency = account.default_currency ?? null;
  } catch (e) {
    if (e instanceof Stripe.errors.StripePermissionError) accountId = ACCOUNT_IN_403.exec(e.message)?.[1] ?? null;
    else if (!(e instanceof Stripe.errors.StripeInvalidRequestError)) fail(e);
  }
  const missing: RequiredPermission[] = [];
  for (const p of REQUIRED_PERMISSIONS) {
    try {
      const named = await probePermission(stripe, p);
      if (named) {
        accountId ??= named.accountId;
        if (!missing.some((m) => m.permission === named.permission)) missing.push({ ...p, permission: named.permission });
      }
    } catch (e) {
      fail(e);
    }
  }
  return {
    accountId,
    displayName,
    defaultCurrency,
    missing,
    warning: accountId ? null : 'Stripe did not say which account this key belongs to; the workspace is identified by its key.',
  };
}
