import type Stripe from 'stripe';

/**
 * Recovery writes (invoice pay, coupons, subscription updates) go through the one
 * Stripe client, main/core/stripe/client.ts (official SDK on its pinned API version,
 * the workspace's rate limiter, retries that always carry an idempotency key).
 * This file only derives the keys.
 */

/** Stripe's Idempotency-Key for an outbox key (and an optional sub-step): stable, bounded, no colons. */
export function idempotencyKey(outboxKey: string, part = 'main'): string {
  return `reclaim-${part}-${Buffer.from(outboxKey).toString('base64url')}`.slice(0, 255);
}

export type { Stripe };
