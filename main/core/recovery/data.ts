import type { Sqlite } from '../db/sqlite';
import { isHardDecline } from '../facts/declines';
import type { CustomerInfo, InvoiceInfo } from './channel';
import { prepared } from '../db/statements';

/**
 * What the engine reads from the synced data. An invoice is "open and failed"
 * when Stripe still expects payment (status open, amount remaining) and at
 * least one attempt failed. Paid, void and uncollectible invoices never get a
 * step.
 */
export interface OpenInvoice extends InvoiceInfo {
  customerId: string;
}

const INVOICE_SQL = `
  SELECT i.id, i.customer_id AS customerId, json_extract(i.raw, '$.number') AS number, i.status, i.subscription_id AS subscriptionId,
         i.amount_due AS amountDue, i.amount_remaining AS amountRemaining, i.currency, i.attempt_count AS attemptCount,
         i.hosted_invoice_url AS hostedInvoiceUrl, i.created,
         (SELECT min(c.created) FROM charges c WHERE c.invoice_id = i.id AND c.status = 'failed') AS firstFailedAt,
         (SELECT coalesce(nullif(c.decline_code, ''), c.failure_code) FROM charges c WHERE c.invoice_id = i.id AND c.status = 'failed' ORDER BY c.created DESC, c.id DESC LIMIT 1) AS lastDeclineCode
  FROM invoices i`;

interface InvoiceRow {
  id: string; customerId: string; number: string | null; status: string; subscriptionId: string | null; amountDue: number; amountRemaining: number;
  currency: string; attemptCount: number; hostedInvoiceUrl: string | null; created: number; firstFailedAt: number | null; lastDeclineCode: string | null;
}

/** isHardDecline per decline code (a plan classifies 50,000 invoices' codes, a handful of distinct ones). */
const hardByCode = new Map<string, boolean>();
function hardDecline(code: string): boolean {
  let hard = hardByCode.get(code);
  if (hard === undefined) {
    if (hardByCode.size > 1000) hardByCode.clear();
    hardByCode.set(code, (hard = isHardDecline(code)));
  }
  return hard;
}

function toInvoice(r: InvoiceRow): OpenInvoice {
  return {
    id: r.id, customerId: r.customerId, number: r.number, status: r.status, subscriptionId: r.subscriptionId, amountDue: r.amountDue,
    amountRemaining: r.amountRemaining, currency: r.currency, attemptCount: r.attemptCount, hostedInvoiceUrl: r.hostedInvoiceUrl,
    firstFailureAt: r.firstFailedAt ?? r.created, lastDeclineCode: r.lastDeclineCode,
    hardDecline: r.lastDeclineCode ? hardDecline(r.lastDeclineCode) : false,
  };
}

export function openFailedInvoices(db: Sqlite): OpenInvoice[] {
  const rows = db
    .prepare(
      `${INVOICE_SQL} WHERE i.status = 'open' AND i.amount_remaining > 0
        AND (i.attempt_count > 0 OR EXISTS (SELECT 1 FROM charges c WHERE c.invoice_id = i.id AND c.status = 'failed'))
       ORDER BY i.created, i.id`,
    )
    .all() as InvoiceRow[];
  return rows.map(toInvoice);
}

export function invoiceById(db: Sqlite, id: string): OpenInvoice | null {
  const r = db.prepare(`${INVOICE_SQL} WHERE i.id = ?`).get(id) as InvoiceRow | undefined;
  return r ? toInvoice(r) : null;
}

/** Null when the invoice may still be acted on; otherwise why not. */
export function closedReason(inv: OpenInvoice | null): string | null {
  if (!inv) return 'the invoice is no longer in Stripe';
  if (inv.status === 'paid' || (inv.status === 'open' && inv.amountRemaining <= 0)) return 'the invoice was paid';
  if (inv.status === 'void') return 'the invoice was voided';
  if (inv.status === 'uncollectible') return 'the invoice was marked uncollectible';
  if (inv.status !== 'open') return `the invoice is ${inv.status}`;
  return null;
}

interface FactsRow {
  customer_id: string; email: string | null; name: string | null; plan: string | null; account_manager: string | null;
  mrr: number; failures_12m: number; tenure_days: number; amount_at_risk: number;
}

export function customerInfo(db: Sqlite, id: string): CustomerInfo {
  const f = prepared(db, `SELECT * FROM customer_facts WHERE customer_id = ?`).get(id) as FactsRow | undefined;
  if (f) {
    return { id, email: f.email, name: f.name, plan: f.plan, accountManager: f.account_manager, mrr: f.mrr, failures12m: f.failures_12m, tenureDays: f.tenure_days, amountAtRisk: f.amount_at_risk };
  }
  const c = prepared(db, `SELECT email, name FROM customers WHERE id = ?`).get(id) as { email: string | null; name: string | null } | undefined;
  return { id, email: c?.email ?? null, name: c?.name ?? null, plan: null, accountManager: null, mrr: 0, failures12m: 0, tenureDays: 0, amountAtRisk: 0 };
}

export function workspaceCurrency(db: Sqlite): string {
  return ((db.prepare(`SELECT value FROM meta WHERE key = 'currency'`).pluck().get() as string | undefined) ?? 'usd').toLowerCase();
}

export function segmentNames(db: Sqlite): Map<string, string> {
  return new Map((db.prepare(`SELECT id, name FROM segments`).all() as { id: string; name: string }[]).map((r) => [r.id, r.name]));
}
