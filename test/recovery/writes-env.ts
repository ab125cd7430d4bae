import Stripe from 'stripe';
import type { Plan, StepInput } from '../../shared/contract';
import { invoiceById } from '../../main/core/recovery/data';
import { startSmtp, syncedWorkspace } from './helpers';

/**
 * A workspace synced from the local Stripe server, emailing through a local
 * SMTP server, plus an official Stripe client on the same key (what the
 * merchant sees in Stripe), for the tests of Reclaim's Stripe writes.
 */
export async function writesEnv(seed: number, customers = 100) {
  const smtp = await startSmtp();
  /**
   * Called before each request Reclaim sends to Stripe (a race: the customer pays on the hosted page
   * just then). Returning 'lose-answer' lets the request reach Stripe and drops its answer, as a broken
   * connection does.
   */
  let beforeRequest: ((method: string, path: string) => void | 'lose-answer') | null = null;
  const fetchThrough: typeof fetch = async (input, init) => {
    const what = beforeRequest?.(init?.method ?? 'GET', new URL(input instanceof Request ? input.url : String(input)).pathname);
    const res = await globalThis.fetch(input, init);
    if (what === 'lose-answer') {
      await res.arrayBuffer();
      throw new TypeError('fetch failed: the connection was reset');
    }
    return res;
  };
  const env = await syncedWorkspace({ seed, customers, smtpPort: smtp.port, fetch: fetchThrough });
  const stripe = new Stripe(env.key, { host: env.sim.host, port: env.sim.port, protocol: 'http', maxNetworkRetries: 0 });
  const db = env.core.registry.openDb(env.workspaceId);
  const used = new Set<string>();

  /** An open, soft-declined invoice of a subscription whose customer no earlier test used (Smart Retries are off: see syncedWorkspace). */
  async function pickInvoice(): Promise<{ invoiceId: string; customerId: string; subscriptionId: string; segmentKey: string }> {
    const rows = db.prepare(`SELECT id, customer_id AS c, subscription_id AS s FROM invoices WHERE status = 'open' AND subscription_id IS NOT NULL AND amount_remaining > 0 ORDER BY id`).all() as { id: string; c: string; s: string }[];
    const taken = new Set(rows.filter((r) => used.has(r.c)).map((r) => r.c));
    const row = rows.find((r) => !taken.has(r.c) && !used.has(r.c) && invoiceById(db, r.id)?.hardDecline === false && (invoiceById(db, r.id)?.attemptCount ?? 0) > 0);
    if (!row) throw new Error('no open soft-declined invoice left');
    used.add(row.c);
    const segment = db.prepare(`SELECT segment_id FROM segment_winner WHERE customer_id = ?`).pluck().get(row.c) as string | null | undefined;
    return { invoiceId: row.id, customerId: row.c, subscriptionId: row.s, segmentKey: segment ?? 'default' };
  }

  async function resync(): Promise<void> {
    const { done } = await env.core.sync.start(env.workspaceId);
    const outcome = await done!;
    if (outcome.status !== 'completed') throw new Error(outcome.message);
  }

  /** Gives the customer's segment these steps and plans for that customer alone. */
  async function planFor(t: { customerId: string; segmentKey: string }, steps: StepInput[]): Promise<Plan> {
    await env.call('strategies.set', { workspaceId: env.workspaceId, segmentId: t.segmentKey, strategy: { name: 'Test', steps } });
    return env.call('runs.plan', { workspaceId: env.workspaceId, customerIds: [t.customerId] });
  }

  async function run(plan: Plan) {
    const r = await env.call('runs.start', { workspaceId: env.workspaceId, planId: plan.planId, confirm: true, wait: true });
    return { runId: r.id, actions: () => env.call('runs.actions', { workspaceId: env.workspaceId, runId: r.id, limit: 100 }).then((a) => a.rows) };
  }

  async function close() {
    await env.core.close();
    await env.sim.close();
    await smtp.close();
  }

  const onRequest = (hook: typeof beforeRequest) => {
    beforeRequest = hook;
  };
  return { ...env, smtp, stripe, db, pickInvoice, resync, planFor, run, close, onRequest };
}

export type WritesEnv = Awaited<ReturnType<typeof writesEnv>>;

export const offerStep = (config: Record<string, unknown>): StepInput =>
  ({ id: 'offer-discount', label: 'Discount', channel: 'offer', delay: { days: 0, hours: 0, from: 'first_failure' }, config: { kind: 'coupon', duration: 'once', maxPerCustomer: 5, ...config } }) as StepInput;

export const retryStep = (id: string, hoursAfterPrevious: number, maxAttempts: number): StepInput =>
  ({ id, label: 'Retry', channel: 'retry', delay: { days: 0, hours: hoursAfterPrevious, from: 'previous_step' }, config: { aggressiveness: 'standard', maxAttempts, newCardTemplate: null } }) as StepInput;
