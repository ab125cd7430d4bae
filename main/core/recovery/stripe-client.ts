import type Stripe from 'stripe';

/**
 * Recovery writes (invoice pay, coupons, subscription updates) go through the one
 * Stripe client, main/core/stripe/client.ts (official SDK on its pinned API version,
 * the workspace's rate limiter, retries that always carry an idempotency key).
 * This file only derives the keys.
 */

/**
 * Stripe's Idempotency-Key for an outbox key (an optional sub-step, and the
 * attempt of the outbox row): stable, bounded, no colons.
 *
 * Stripe saves the first answer to a key, errors included, and replays it for
 * 24 hours, so a key is reused only to repeat *the same* attempt (a crash
 * between the request and the result). A genuinely new attempt of the row (the
 * engine's "will try again") is attempt 2, 3…, and gets its own key; attempt 1
 * keeps the key runs have always used.
 */
export function idempotencyKey(outboxKey: string, part = 'main', attempt = 1): string {
  const base = `reclaim-${part}-${Buffer.from(outboxKey).toString('base64url')}`;
  return attempt > 1 ? `${base.slice(0, 240)}-a${attempt}` : base.slice(0, 255);
}

export type { Stripe };
