import { randomBytes } from 'node:crypto';
import type { Step } from '../../shared/contract';
import type { Sqlite } from '../../main/core/db/sqlite';
import type { ActionContext, ChannelKind } from '../../main/core/recovery/channel';
import { isHardDecline } from '../../main/core/facts/declines';
import { silentLogger, type Secrets } from '../../main/core/ports';
import { insertFacts, NOW } from '../segments/helpers';
import { catalogFor } from '../../main/core/facts/catalog';
import { recomputeMembership } from '../../main/core/segments/service';

export { NOW };
export const DAY = 86_400;

export interface SeedCustomer {
  id: string;
  name?: string;
  email?: string;
  phone?: string | null;
  mrr?: number;
  amountAtRisk?: number;
  accountManager?: string | null;
  declineCode?: string;
  segment?: 'Enterprise' | 'Starter' | null;
}

/** Customers with one open failed invoice each (in_<id>), facts, and an Enterprise/Starter segment winner. */
export function seed(db: Sqlite, customers: SeedCustomer[]): void {
  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('currency', 'usd')`).run();
  const seg = db.prepare(
    `INSERT OR IGNORE INTO segments (id, name, color, rule, priority, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, 0, 0)`,
  );
  // Each seeded customer's winning segment comes from a real rule over its facts (region marks it).
  const byRegion = (region: string) => JSON.stringify({ combinator: 'and', rules: [{ field: 'region', operator: '=', value: region }] });
  seg.run('seg_enterprise', 'Enterprise', '#7048e8', byRegion('wg-enterprise'), 1);
  seg.run('seg_starter', 'Starter', '#12b886', byRegion('wg-starter'), 2);
  for (const c of customers) {
    const risk = c.amountAtRisk ?? 10_000;
    db.prepare(`INSERT INTO customers (id, email, name, created, currency, metadata, raw) VALUES (?, ?, ?, ?, 'usd', '{}', ?)`).run(
      c.id, c.email ?? `${c.id}@example.test`, c.name ?? `Customer ${c.id}`, NOW - 400 * DAY,
      JSON.stringify({ id: c.id, object: 'customer', phone: c.phone === undefined ? '+15550100' + c.id.slice(-2).replace(/\D/g, '0') : c.phone }),
    );
    db.prepare(
      `INSERT INTO invoices (id, customer_id, status, currency, amount_due, amount_paid, amount_remaining, attempt_count, created, hosted_invoice_url, raw)
       VALUES (?, ?, 'open', 'usd', ?, 0, ?, 1, ?, ?, ?)`,
    ).run(`in_${c.id}`, c.id, risk, risk, NOW - 3 * DAY, `https://invoice.stripe.test/i/${c.id}`, JSON.stringify({ number: `INV-${c.id.toUpperCase()}` }));
    db.prepare(
      `INSERT INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw)
       VALUES (?, ?, ?, ?, 'usd', 'failed', 0, 'card_declined', ?, ?, '{}')`,
    ).run(`ch_${c.id}`, c.id, `in_${c.id}`, risk, c.declineCode ?? 'insufficient_funds', NOW - 3 * DAY);
    insertFacts(db, [
      {
        customer_id: c.id, email: c.email ?? `${c.id}@example.test`, name: c.name ?? `Customer ${c.id}`, mrr: c.mrr ?? 20_000,
        amount_at_risk: risk, open_past_due_count: 1, account_manager: c.accountManager ?? null,
        last_decline_code: c.declineCode ?? 'insufficient_funds', last_decline_hard: isHardDecline(c.declineCode ?? 'insufficient_funds') ? 1 : 0,
        failures_12m: 1, tenure_days: 400,
        region: c.segment === null ? null : c.segment === 'Starter' ? 'wg-starter' : 'wg-enterprise',
      },
    ]);
  }
  recomputeMembership(db, catalogFor(db), NOW);
}

/** An action context as the engine builds it, for one customer's invoice. */
export function actionFor(
  db: Sqlite,
  o: { customerId: string; runId?: string; stepId?: string; channel: ChannelKind; config?: Record<string, unknown>; now?: number; history?: ActionContext['history']; dryRun?: boolean },
): ActionContext {
  const runId = o.runId ?? 'run_1';
  const invoiceId = `in_${o.customerId}`;
  const stepId = o.stepId ?? o.channel;
  const f = db.prepare(`SELECT * FROM customer_facts WHERE customer_id = ?`).get(o.customerId) as {
    email: string | null; name: string | null; account_manager: string | null; mrr: number; failures_12m: number; tenure_days: number;
    amount_at_risk: number; last_decline_code: string | null; last_decline_hard: number | null;
  };
  const inv = db.prepare(`SELECT * FROM invoices WHERE id = ?`).get(invoiceId) as {
    status: string; amount_due: number; amount_remaining: number; currency: string; attempt_count: number; hosted_invoice_url: string | null;
  };
  const win = db.prepare(`SELECT segment_id FROM segment_winner WHERE customer_id = ?`).get(o.customerId) as { segment_id: string | null };
  const config = o.config ?? {};
  return {
    workspaceId: 'ws_test',
    runId,
    key: `${runId}:${invoiceId}:${stepId}`,
    stepId,
    customerId: o.customerId,
    invoiceId,
    segmentId: win.segment_id,
    config,
    db,
    logger: silentLogger,
    now: o.now ?? NOW,
    step: { id: stepId, label: '', channel: o.channel, config, delay: { days: 0, hours: 0, from: 'first_failure' }, conditions: { declineType: 'any', minAmountAtRisk: null, maxAmountAtRisk: null, minFailures12m: null, afterUnansweredEmails: null, lastCallNotAnswered: false } } as Step,
    segmentName: win.segment_id === 'seg_starter' ? 'Starter' : win.segment_id ? 'Enterprise' : 'Default',
    invoice: {
      id: invoiceId, number: null, status: inv.status, subscriptionId: null, amountDue: inv.amount_due, amountRemaining: inv.amount_remaining,
      currency: inv.currency, attemptCount: inv.attempt_count, hostedInvoiceUrl: inv.hosted_invoice_url, firstFailureAt: NOW - 3 * DAY,
      lastDeclineCode: f.last_decline_code, hardDecline: f.last_decline_hard === 1,
    },
    customer: {
      id: o.customerId, email: f.email, name: f.name, plan: null, accountManager: f.account_manager, mrr: f.mrr, failures12m: f.failures_12m,
      tenureDays: f.tenure_days, amountAtRisk: f.amount_at_risk,
    },
    mode: 'test',
    currency: 'usd',
    actor: 'Test operator',
    dryRun: o.dryRun ?? false,
    history: o.history ?? [],
  };
}

/** An in-memory secrets port (the real FileSecrets is tested elsewhere). */
export function memorySecrets(): Secrets {
  const m = new Map<string, string>();
  return {
    backend: 'memory',
    set: async (k, v) => void m.set(k, v),
    get: async (k) => m.get(k) ?? null,
    delete: async (k) => void m.delete(k),
  };
}

export const randomToken = () => randomBytes(12).toString('hex');
