import Stripe from 'stripe';

/**
 * A minimal official-`stripe` client for recovery writes (invoice pay, coupons,
 * subscription updates). The shared SDK client from the real-Stripe issue
 * replaces this one file when it lands: same inputs (key, API base, fetch).
 * Pinned to the API version the sync reads (README: 2025-01-27.acacia).
 */
export const RECOVERY_API_VERSION = '2025-01-27.acacia';

export function createStripeClient(args: { key: string; apiBase: string | null; fetch: typeof fetch }): Stripe {
  const base = new URL(args.apiBase ?? 'https://api.stripe.com');
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(args.key, {
    // @ts-expect-error -- the package's types name only its newest version; we pin the one the sync reads.
    apiVersion: RECOVERY_API_VERSION,
    httpClient: Stripe.createFetchHttpClient(args.fetch),
    host: base.hostname,
    port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443,
    protocol,
    maxNetworkRetries: 2,
    timeout: 30_000,
    telemetry: false,
  });
}

/** Stripe's Idempotency-Key for an outbox key (and an optional sub-step): stable, bounded, no colons. */
export function idempotencyKey(outboxKey: string, part = 'main'): string {
  return `reclaim-${part}-${Buffer.from(outboxKey).toString('base64url')}`.slice(0, 255);
}

export { Stripe };
