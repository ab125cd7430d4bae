import type { Sqlite } from '../db/sqlite';
import type { HandlerContext } from '../context';
import { markMembershipPending, recomputeMembershipAndClearInBackground } from '../reliability/pending';
import { recomputeFacts } from './compute';

const DAY = 86_400;

/**
 * Some facts move with time alone: tenure_days, days_since_first_failure,
 * card_expires_in_days, failures_12m (a rolling window), mrr (a trial or a
 * coupon ends), the past-due figures. Each row is exact as of its
 * `computed_at`; a row computed on an earlier UTC day than `now` is stale.
 * Every sync and every recovery plan refresh stale rows first, so segment
 * membership and a plan never rest on yesterday's day counts.
 */
export function staleSince(db: Sqlite, now: number): number | null {
  const oldest = (db.prepare('SELECT min(computed_at) FROM customer_facts').pluck().get() as number | null) ?? null;
  return oldest !== null && Math.floor(oldest / DAY) < Math.floor(now / DAY) ? oldest : null;
}

/**
 * Recomputes the facts of the customers a change marked (dirty) — and of every
 * customer when `all` (facts from an earlier day: `staleSince`) — then the
 * membership. The marks are committed first, so a crash is finished on the next open.
 */
export async function refreshFactsAndMembership(ctx: HandlerContext, db: Sqlite, workspaceId: string, now: number, all: boolean): Promise<void> {
  db.transaction(() => {
    markMembershipPending(db);
    if (all) db.prepare('INSERT OR IGNORE INTO dirty_customers (customer_id) SELECT id FROM customers').run();
  }).immediate();
  recomputeFacts(db, { now, reportingCurrency: ctx.registry.get(workspaceId).currency, customerIds: 'dirty' });
  await recomputeMembershipAndClearInBackground(db, now, {
    onProgress: (p) => ctx.events.emit('segments.recompute', { workspaceId, ...p }),
      logger: ctx.ports.logger,
  });
}
