import { randomTestKey, startStripeSim, type StripeSim } from '../../stripe-sim';
import type { HandlerContext } from '../context';
import type { Sqlite } from '../db/sqlite';
import { recomputeFacts } from '../facts/compute';
import { storedRaw } from '../stripe/raw';
import type { ActionContext, ActionResult } from './channel';

/**
 * The demo workspace's Stripe: the same seeded local server that generated it
 * (seed and size from meta `demo.sim`, written by demo.create), started on
 * first use in this process. Writes made by one process are not replayed in
 * the next (the local database keeps what happened; a paid invoice is never
 * acted on again). Simulated customers respond to emails and offers here (see
 * main/stripe-sim/writes.ts for the model) and their payments are written to
 * the local database as a sync would.
 */
export const DEMO_SIM_META = 'demo.sim';
const DEFAULT_SIM_NOW = 1_793_491_200;

export class DemoStripe {
  private readonly sims = new Map<string, Promise<{ sim: StripeSim; key: string }>>();
  /**
   * #19: the demo history recomputes facts for many payments at once (main/core/demo/history.ts):
   * a payment then only marks its customer for the next recompute.
   */
  deferFacts = false;

  constructor(private readonly ctx: HandlerContext) {}

  private params(db: Sqlite): { seed: number; customers: number; now: number; history?: boolean } {
    const raw = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(DEMO_SIM_META) as string | undefined;
    if (raw) return { now: DEFAULT_SIM_NOW, ...(JSON.parse(raw) as { seed: number; customers: number; now?: number; history?: boolean }) };
    const customers = db.prepare(`SELECT count(*) FROM customers`).pluck().get() as number;
    return { seed: 42, customers, now: DEFAULT_SIM_NOW };
  }

  get(workspaceId: string): Promise<{ sim: StripeSim; key: string }> {
    let p = this.sims.get(workspaceId);
    if (!p) {
      const db = this.ctx.db(workspaceId);
      const params = this.params(db);
      // Smart Retries off in the demo account, as the plan advises (Reclaim does not retry while Stripe has one scheduled).
      p = startStripeSim({ ...params, rateLimit: null, smartRetries: false }).then((sim) => {
        const key = randomTestKey();
        sim.addKey(key, 'all');
        return { sim, key };
      });
      this.sims.set(workspaceId, p);
    }
    return p;
  }

  /**
   * A demo customer may pay through the hosted page after an email or offer.
   * A retry that paid brings its charge, as the next sync would (#19: the demo
   * history has no sync between its days).
   */
  async afterAction(workspaceId: string, action: ActionContext, result: ActionResult): Promise<void> {
    if (result.status !== 'succeeded') return;
    if (result.invoicePaid) {
      if (action.step.channel !== 'retry') return;
      const { sim } = await this.get(workspaceId);
      const charge = sim.writes.paidCharge(action.invoiceId);
      if (charge) this.record(workspaceId, action, charge);
      return;
    }
    const channel = action.step.channel === 'retry' ? null : action.step.channel;
    if (channel !== 'email' && channel !== 'offer') return;
    const { sim } = await this.get(workspaceId);
    const tone = 'tone' in action.step.config ? String(action.step.config.tone) : null;
    const r = sim.writes.respond({ invoiceId: action.invoiceId, stepKey: action.stepId, segment: action.segmentName, tone, channel });
    if (!r.paid || !r.charge) return;
    this.record(workspaceId, action, r.charge);
  }

  /** The payment in the local database, as a sync would write it. */
  private record(workspaceId: string, action: ActionContext, c: Record<string, unknown> & { id: string }): void {
    const db = action.db;
    db.transaction(() => {
      db.prepare(`UPDATE invoices SET status = 'paid', amount_paid = amount_due, amount_remaining = 0, paid_at = coalesce(paid_at, ?) WHERE id = ?`).run(action.now, action.invoiceId);
      db.prepare(
        `INSERT OR IGNORE INTO charges (id, customer_id, invoice_id, payment_intent_id, amount, currency, status, paid, created, raw) VALUES (?, ?, ?, ?, ?, ?, 'succeeded', 1, ?, ?)`,
      ).run(c.id, action.customerId, action.invoiceId, c.payment_intent as string, c.amount as number, c.currency as string, action.now, storedRaw(c));
    })();
    if (this.deferFacts) {
      db.prepare(`INSERT OR IGNORE INTO dirty_customers (customer_id) VALUES (?)`).run(action.customerId);
      return;
    }
    const ws = this.ctx.registry.get(workspaceId);
    recomputeFacts(db, { now: action.now, reportingCurrency: ws.currency, customerIds: [action.customerId] });
  }

  async close(): Promise<void> {
    const all = [...this.sims.values()];
    this.sims.clear();
    await Promise.allSettled(all.map(async (p) => (await p).sim.close()));
  }
}
