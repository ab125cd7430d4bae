import type { HandlerContext } from '../context';
import { badRequest } from '../errors';
import { keySecretId } from '../workspaces/handlers';
import { createStripeClient, type StripeClient } from './client';
import { workspaceLimiter } from './rate-budget';

const DEFAULT_API_BASE = 'https://api.stripe.com';

/**
 * The Stripe client for a workspace: its stored key and API base, and the
 * limiter its sync shares. For writes, e.g.
 *
 *   const { stripe } = await stripeForWorkspace(ctx, workspaceId);
 *   await stripe.invoices.pay(invoiceId, {}, { idempotencyKey: `run-${runId}-${invoiceId}` });
 *   await stripe.coupons.create({ percent_off: 20, duration: 'once' }, { idempotencyKey });
 *   await stripe.subscriptions.update(subId, { discounts: [{ coupon }] }, { idempotencyKey });
 */
export async function stripeForWorkspace(ctx: Pick<HandlerContext, 'ports' | 'registry'>, workspaceId: string, opts: { signal?: AbortSignal } = {}): Promise<StripeClient> {
  ctx.registry.get(workspaceId);
  const key = await ctx.ports.secrets.get(keySecretId(workspaceId));
  if (!key) throw badRequest('Connect a Stripe key to this workspace first');
  return createStripeClient({
    key,
    apiBase: ctx.registry.apiBase(workspaceId) ?? DEFAULT_API_BASE,
    fetch: ctx.ports.fetch,
    logger: ctx.ports.logger,
    limiter: workspaceLimiter(ctx.registry.openDb(workspaceId), workspaceId, key),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
