import type { Core } from '../../main/core/api';
import { catalogFor } from '../../main/core/facts/catalog';
import { ensureDefaults, recomputeMembership } from '../../main/core/segments/service';

export const NOW = 1_800_000_000;
export const DAY = 86_400;

export interface FixtureCustomer {
  id: string;
  name: string | null;
  email: string | null;
  mrr: number;
  tenureDays: number;
  failures12m: number;
  /** Failure episodes (distinct invoices that failed) in 12 months; defaults to failures12m. */
  failedInvoices12m?: number;
  accountManager?: string;
  invoice?: { id: string; amount: number; status?: string; attempts: number; failedDaysAgo: number; decline: string; hard: boolean; subscription?: string };
}

/**
 * Writes customers, their invoices and failed charges, and their facts
 * straight into a workspace database (the facts a sync would derive), then
 * creates the default segments and computes membership.
 */
export function seedWorkspace(core: Core, workspaceId: string, customers: FixtureCustomer[]): void {
  const db = core.registry.openDb(workspaceId);
  const tx = db.transaction(() => {
    for (const c of customers) {
      db.prepare(`INSERT INTO customers (id, email, name, created, currency, metadata, deleted, raw) VALUES (?, ?, ?, ?, 'usd', '{}', 0, '{}')`).run(c.id, c.email, c.name, NOW - c.tenureDays * DAY);
      const inv = c.invoice;
      const open = inv && (inv.status ?? 'open') === 'open';
      db.prepare(
        `INSERT INTO customer_facts (customer_id, email, name, currency, plan, billing_interval, subscription_status, mrr, tenure_days, ltv, failures_12m, failed_invoices_12m,
           last_decline_code, last_decline_hard, open_past_due_count, amount_at_risk, days_since_first_failure, account_manager, tags, attrs, created, computed_at)
         VALUES (?, ?, ?, 'usd', ?, 'month', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '{}', ?, ?)`,
      ).run(
        c.id, c.email, c.name, c.mrr >= 99900 ? 'Enterprise' : c.mrr >= 10000 ? 'Growth' : 'Starter', open ? 'past_due' : 'active', c.mrr, c.tenureDays, c.failures12m, c.failedInvoices12m ?? c.failures12m,
        inv?.decline ?? null, inv ? (inv.hard ? 1 : 0) : null, open ? 1 : 0, open ? inv!.amount : 0, open ? inv!.failedDaysAgo : null, c.accountManager ?? null, NOW - c.tenureDays * DAY, NOW,
      );
      if (!inv) continue;
      const status = inv.status ?? 'open';
      const failedAt = NOW - inv.failedDaysAgo * DAY;
      db.prepare(
        `INSERT INTO invoices (id, customer_id, subscription_id, status, currency, amount_due, amount_paid, amount_remaining, attempt_count, created, paid_at, hosted_invoice_url, raw)
         VALUES (?, ?, ?, ?, 'usd', ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        inv.id, c.id, inv.subscription ?? null, status, inv.amount, status === 'paid' ? inv.amount : 0, status === 'paid' ? 0 : inv.amount, inv.attempts, failedAt - 60,
        status === 'paid' ? NOW - DAY : null, `https://invoice.stripe.com/i/acct_test/${inv.id}`, JSON.stringify({ number: `NW-${inv.id.slice(3).toUpperCase()}` }),
      );
      db.prepare(
        `INSERT INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw) VALUES (?, ?, ?, ?, 'usd', 'failed', 0, 'card_declined', ?, ?, '{}')`,
      ).run(`ch_${inv.id}`, c.id, inv.id, inv.amount, inv.decline, failedAt);
    }
  });
  tx();
  ensureDefaults(db, NOW);
  recomputeMembership(db, catalogFor(db), NOW);
}

/** The product page's three scenarios, plus the skip cases a plan must name. */
export const CUSTOMERS: FixtureCustomer[] = [
  // "A $999/month enterprise customer's payment fails"
  { id: 'cus_ent', name: 'Grace Hopper', email: 'grace@hopper.test', mrr: 99900, tenureDays: 1100, failures12m: 1, accountManager: 'alice.wong@reclaim-demo.test', invoice: { id: 'in_ent', amount: 99900, attempts: 1, failedDaysAgo: 1, decline: 'insufficient_funds', hard: false, subscription: 'sub_ent' } },
  // "A $29/month customer on their second month fails"
  { id: 'cus_new', name: 'Ada Lovelace', email: 'ada@lovelace.test', mrr: 2900, tenureDays: 40, failures12m: 1, invoice: { id: 'in_new', amount: 2900, attempts: 1, failedDaysAgo: 3, decline: 'insufficient_funds', hard: false, subscription: 'sub_new' } },
  // "A customer who has failed 3 times in the past year fails again": 4 invoices failed (episodes),
  // with Stripe's retries 9 failed attempts (#17 item 14).
  { id: 'cus_risk', name: 'Dev Shah', email: 'dev@shah.test', mrr: 2900, tenureDays: 700, failures12m: 9, failedInvoices12m: 4, invoice: { id: 'in_risk', amount: 2900, attempts: 1, failedDaysAgo: 1, decline: 'stolen_card', hard: true, subscription: 'sub_risk' } },
  { id: 'cus_noemail', name: 'No Mail', email: null, mrr: 2900, tenureDays: 200, failures12m: 1, invoice: { id: 'in_noemail', amount: 2900, attempts: 1, failedDaysAgo: 2, decline: 'do_not_honor', hard: false } },
  { id: 'cus_cap', name: 'Cap Reached', email: 'cap@reached.test', mrr: 19900, tenureDays: 200, failures12m: 1, invoice: { id: 'in_cap', amount: 19900, attempts: 4, failedDaysAgo: 5, decline: 'insufficient_funds', hard: false } },
  { id: 'cus_unsub', name: 'Un Subscribed', email: 'unsub@x.test', mrr: 19900, tenureDays: 800, failures12m: 1, invoice: { id: 'in_unsub', amount: 19900, attempts: 1, failedDaysAgo: 1, decline: 'try_again_later', hard: false } },
  { id: 'cus_paid', name: 'Paid Up', email: 'paid@x.test', mrr: 2900, tenureDays: 300, failures12m: 1, invoice: { id: 'in_paid', amount: 2900, status: 'paid', attempts: 2, failedDaysAgo: 4, decline: 'insufficient_funds', hard: false } },
  { id: 'cus_default', name: 'Lapsed', email: 'lapsed@x.test', mrr: 0, tenureDays: 200, failures12m: 1, invoice: { id: 'in_default', amount: 4900, attempts: 1, failedDaysAgo: 0, decline: 'generic_decline', hard: false } },
];
