import { UserError } from '../errors';
import { RateLimiter, StripeApiError, StripeHttp } from './http';
import { REQUIRED_PERMISSIONS, type RequiredPermission } from './permissions';

export interface KeyCheck {
  accountId: string;
  displayName: string | null;
  defaultCurrency: string | null;
  missing: RequiredPermission[];
  warning: string | null;
}

/**
 * Asks Stripe who the key belongs to, then probes every permission Reclaim
 * needs with a cheap request: 403 means missing; anything else (200, 404 for
 * the probe's made-up id, 400) means the key may do it.
 */
export async function checkKey(o: { key: string; apiBase: string; fetch: typeof fetch }): Promise<KeyCheck> {
  const http = new StripeHttp({ apiBase: o.apiBase, key: o.key, fetch: o.fetch, limiter: new RateLimiter(20), maxAttempts: 3 });
  let account: { id: string; default_currency?: string; settings?: { dashboard?: { display_name?: string } }; business_profile?: { name?: string } };
  try {
    account = await http.get('/v1/account');
  } catch (e) {
    if (e instanceof StripeApiError && e.status === 401) throw new UserError('unauthorized', `Stripe rejected the key (401): ${e.message}`);
    if (e instanceof StripeApiError) throw new UserError('bad_request', `Stripe refused the account lookup (${e.status}): ${e.message}`);
    throw new UserError('unavailable', `Stripe could not be reached at ${o.apiBase}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const missing: RequiredPermission[] = [];
  for (const p of REQUIRED_PERMISSIONS) {
    try {
      if (p.probe.method === 'GET') await http.get(p.probe.path);
      else await http.post(p.probe.path, {}, `reclaim-probe-${p.permission}-${Date.now()}`);
    } catch (e) {
      if (e instanceof StripeApiError && e.status === 403) missing.push(p);
      else if (!(e instanceof StripeApiError)) throw new UserError('unavailable', `Stripe could not be reached: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return {
    accountId: account.id,
    displayName: account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? null,
    defaultCurrency: account.default_currency ?? null,
    missing,
    warning: null,
  };
}
