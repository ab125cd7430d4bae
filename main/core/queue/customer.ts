/**
 * What white-glove channels read about a customer and one invoice: facts,
 * the invoice, a phone number, the winning segment, and the template variables
 * built from them. Rendering uses liquidjs (no code execution, no file access,
 * limits on parse/render size), so a customer name containing `{{` stays text.
 */
import { Liquid } from 'liquidjs';
import type { Sqlite } from '../db/sqlite';
import { prepared } from '../db/statements';

export interface CustomerView {
  customerId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  mrr: number;
  amountAtRisk: number;
  accountManager: string | null;
  lastDeclineCode: string | null;
  lastDeclineHard: boolean | null;
  segment: { id: string; name: string; color: string } | null;
  invoice: { id: string; number: string | null; amountRemaining: number; currency: string; hostedInvoiceUrl: string | null; attemptCount: number; status: string } | null;
  /** Reporting currency of the workspace (facts money). */
  currency: string;
}

interface FactsRow {
  customer_id: string; name: string | null; email: string | null; mrr: number; amount_at_risk: number;
  account_manager: string | null; last_decline_code: string | null; last_decline_hard: number | null; attrs: string;
}

function meta(db: Sqlite, key: string): string | null {
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function reportingCurrency(db: Sqlite): string {
  return meta(db, 'currency') ?? 'usd';
}

/** The customer's phone: Stripe's, else metadata `phone`, else the `phone` attribute of the facts (`attrs` JSON); trimmed, null when empty. */
export function phoneOf(db: Sqlite, customerId: string, attrs: string): string | null {
  const c = prepared(db, `SELECT raw, metadata FROM customers WHERE id = ?`).get(customerId) as { raw: string; metadata: string } | undefined;
  let phone: string | null = null;
  if (c) {
    const raw = JSON.parse(c.raw) as { phone?: string | null };
    const md = JSON.parse(c.metadata) as Record<string, unknown>;
    phone = raw.phone ?? (typeof md.phone === 'string' ? md.phone : null);
  }
  if (!phone) {
    const a = JSON.parse(attrs) as Record<string, unknown>;
    if (typeof a.phone === 'string') phone = a.phone;
  }
  return phone && phone.trim() ? phone.trim() : null;
}

/** `phoneOf` reading the facts' attributes itself (null without a facts row). */
export function customerPhone(db: Sqlite, customerId: string): string | null {
  const attrs = prepared(db, `SELECT attrs FROM customer_facts WHERE customer_id = ?`).pluck().get(customerId) as string | undefined;
  return attrs === undefined ? null : phoneOf(db, customerId, attrs);
}

export function loadCustomer(db: Sqlite, customerId: string, invoiceId: string | null): CustomerView | null {
  const f = prepared(db, `SELECT * FROM customer_facts WHERE customer_id = ?`).get(customerId) as FactsRow | undefined;
  if (!f) return null;
  const seg = prepared(db, `SELECT s.id, s.name, s.color FROM segment_winner w JOIN segments s ON s.id = w.segment_id WHERE w.customer_id = ?`)
    .get(customerId) as { id: string; name: string; color: string } | undefined;
  const inv = invoiceId
    ? (prepared(db, `SELECT id, status, amount_remaining, currency, hosted_invoice_url, attempt_count, raw FROM invoices WHERE id = ?`).get(invoiceId) as
        | { id: string; status: string; amount_remaining: number; currency: string; hosted_invoice_url: string | null; attempt_count: number; raw: string }
        | undefined)
    : undefined;
  return {
    customerId,
    name: f.name,
    email: f.email,
    phone: phoneOf(db, customerId, f.attrs),
    mrr: f.mrr,
    amountAtRisk: f.amount_at_risk,
    accountManager: f.account_manager,
    lastDeclineCode: f.last_decline_code,
    lastDeclineHard: f.last_decline_hard == null ? null : f.last_decline_hard === 1,
    segment: seg ?? null,
    invoice: inv
      ? {
          id: inv.id,
          number: (JSON.parse(inv.raw) as { number?: string | null }).number ?? null,
          amountRemaining: inv.amount_remaining,
          currency: inv.currency,
          hostedInvoiceUrl: inv.hosted_invoice_url,
          attemptCount: inv.attempt_count,
          status: inv.status,
        }
      : null,
    currency: reportingCurrency(db),
  };
}

export function formatMoney(minor: number, currency: string): string {
  const zeroDecimal = ['jpy', 'krw', 'vnd', 'clp', 'isk', 'ugx', 'xaf', 'xof'].includes(currency.toLowerCase());
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(zeroDecimal ? minor : minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** A display name for an account manager address: "alice.wong@x" → "Alice Wong". */
export function managerName(address: string | null): string | null {
  if (!address) return null;
  const local = address.split('@')[0] ?? address;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** The same variable names as the email templates of #12 (see recovery/templates.ts VARIABLES). */
export function templateVars(c: CustomerView, manager: string | null): Record<string, unknown> {
  const first = c.name?.trim().split(/\s+/)[0] ?? 'there';
  const url = c.invoice?.hostedInvoiceUrl ?? '';
  return {
    name: c.name ?? c.email ?? 'there',
    first_name: first,
    email: c.email ?? '',
    amount: c.invoice ? formatMoney(c.invoice.amountRemaining, c.invoice.currency) : formatMoney(c.amountAtRisk, c.currency),
    invoice_number: c.invoice?.number ?? c.invoice?.id ?? '',
    pay_url: url,
    update_card_url: url,
    account_manager: managerName(manager) ?? 'your account manager',
    account_manager_email: manager ?? '',
    segment: c.segment?.name ?? 'Default',
  };
}

const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true, parseLimit: 100_000, renderLimit: 1_000, memoryLimit: 10_000_000 });

/** Plain-text rendering (no HTML escaping needed: the results are spoken, or sent as text/plain). */
export function renderText(template: string, vars: Record<string, unknown>): string {
  return liquid.parseAndRenderSync(template, vars) as string;
}

export const DEFAULT_CALL_SCRIPT =
  'Hello {{ first_name }}, this is {{ account_manager }} calling about invoice {{ invoice_number }}. ' +
  'Your payment of {{ amount }} did not go through. You can update your card or pay at the link we sent by email. Thank you.';

export const DEFAULT_EMAIL_SUBJECT = 'About invoice {{ invoice_number }}';

export const DEFAULT_EMAIL_TEXT = `Hi {{ first_name }},

I noticed your last payment of {{ amount }} did not go through. These things happen — often a card expired or the bank was being careful.

You can update your card or pay here: {{ pay_url }}

If anything is in the way, reply to this email or tell me a good time to call, and I will sort it out with you personally.

Best,
{{ account_manager }}`;
