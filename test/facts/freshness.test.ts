import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncedWorkspace } from '../recovery/helpers';

const DAY = 86_400;

/**
 * Facts that move with time alone (tenure, days since the first failure, card
 * expiry) must not stay at the day they were computed: a sync or a recovery
 * plan on a later day refreshes every customer, not only those Stripe changed.
 */
describe('facts that move with time', () => {
  let env: Awaited<ReturnType<typeof syncedWorkspace>>;
  const facts = () => {
    const db = new Database(path.join(env.dataDir, 'workspaces', `${env.workspaceId}.sqlite`), { readonly: true });
    try {
      return new Map(
        (db.prepare('SELECT customer_id, tenure_days, days_since_first_failure, card_expires_in_days FROM customer_facts').all() as {
          customer_id: string; tenure_days: number; days_since_first_failure: number | null; card_expires_in_days: number | null;
        }[]).map((r) => [r.customer_id, r]),
      );
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    env = await syncedWorkspace({ seed: 41, customers: 60 });
  }, 240_000);
  afterAll(async () => {
    await env.core.close();
    await env.sim.close();
  });

  it('a sync three days later moves every customer’s day counts, though Stripe changed nothing', async () => {
    const before = facts();
    expect(before.size).toBeGreaterThan(0);
    env.clock.advance(3 * DAY);
    const outcome = await (await env.core.sync.start(env.workspaceId)).done!;
    expect(outcome.status).toBe('completed');
    const after = facts();
    const failing = [...before.values()].filter((f) => f.days_since_first_failure !== null);
    expect(failing.length).toBeGreaterThan(0);
    for (const f of before.values()) {
      expect(after.get(f.customer_id)!.tenure_days).toBe(f.tenure_days + 3);
      if (f.days_since_first_failure !== null) expect(after.get(f.customer_id)!.days_since_first_failure).toBe(f.days_since_first_failure + 3);
      if (f.card_expires_in_days !== null) expect(after.get(f.customer_id)!.card_expires_in_days).toBeLessThan(f.card_expires_in_days);
    }
  });

  it('a recovery plan on a later day plans on that day’s figures', async () => {
    const before = facts();
    env.clock.advance(2 * DAY);
    await env.call('runs.plan', { workspaceId: env.workspaceId });
    const after = facts();
    for (const f of before.values()) expect(after.get(f.customer_id)!.tenure_days).toBe(f.tenure_days + 2);
    // Within the same day nothing is recomputed again.
    const again = facts();
    await env.call('runs.plan', { workspaceId: env.workspaceId });
    expect(facts()).toEqual(again);
  });
});
