import type { CustomerFacts, Input, Mode, Output } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { notFound } from '../errors';
import type { CustomerFactsTable } from '../segments/compile';
import { searchFilter } from './search';
import { segmentFilter } from './segment-filter';

/** customer_facts row (+ winning segment columns) as SQLite returns it. */
export type FactsRow = Omit<CustomerFactsTable, 'computed_at'> & {
  seg_id?: string | null;
  seg_name?: string | null;
  seg_color?: string | null;
};

export function toFacts(r: FactsRow): CustomerFacts {
  return {
    customer_id: r.customer_id,
    email: r.email,
    name: r.name,
    currency: r.currency,
    plan: r.plan,
    product_id: r.product_id,
    billing_interval: r.billing_interval,
    subscription_status: r.subscription_status,
    mrr: r.mrr,
    tenure_days: r.tenure_days,
    ltv: r.ltv,
    failures_12m: r.failures_12m,
    failed_invoices_12m: r.failed_invoices_12m ?? 0,
    last_decline_code: r.last_decline_code,
    last_decline_hard: r.last_decline_hard === null ? null : r.last_decline_hard === 1,
    last_advice_code: r.last_advice_code ?? null,
    card_expiry: r.card_expiry,
    card_expires_in_days: r.card_expires_in_days,
    open_past_due_count: r.open_past_due_count,
    amount_at_risk: r.amount_at_risk,
    days_since_first_failure: r.days_since_first_failure,
    region: r.region,
    industry: r.industry,
    account_manager: r.account_manager,
    tags: JSON.parse(r.tags) as string[],
    country: r.country ?? null,
    state: r.state ?? null,
    preferred_locales: r.preferred_locales ? (JSON.parse(r.preferred_locales) as string[]) : [],
    tax_exempt: r.tax_exempt ?? null,
    attrs: JSON.parse(r.attrs) as CustomerFacts['attrs'],
    created: r.created,
    segment: r.seg_id ? { id: r.seg_id, name: r.seg_name ?? '', color: r.seg_color ?? '#868e96' } : null,
  };
}

type SortKey = Input<'customers.list'>['sort'] & string;

/** Sort keys of the contract (catalog names) → columns (a whitelist: nothing from the request reaches SQL as text). */
const SORT_COLUMNS: Record<SortKey, string> = {
  mrr: 'f.mrr',
  amount_at_risk: 'f.amount_at_risk',
  tenure_days: 'f.tenure_days',
  ltv: 'f.ltv',
  failures_12m: 'f.failures_12m',
  email: 'f.email',
  name: 'f.name',
  created: 'f.created',
  days_since_first_failure: 'f.days_since_first_failure',
};

const NULLABLE_SORTS = new Set(['email', 'name', 'days_since_first_failure']);

const FROM = `FROM customer_facts f
  LEFT JOIN segment_winner w ON w.customer_id = f.customer_id
  LEFT JOIN segments s ON s.id = w.segment_id`;

export interface CustomerQuery {
  search?: string | undefined;
  segmentId?: string | undefined;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

/** The page's order: its column (from the whitelist), direction and whether empty values sort last. */
export function orderOf(q: Pick<CustomerQuery, 'sort' | 'dir'>): { column: string; dir: 'ASC' | 'DESC'; nullable: boolean; sql: string } {
  const sort: SortKey = q.sort;
  const column = SORT_COLUMNS[sort];
  if (!column) throw new Error(`not a sort key: ${String(q.sort)}`);
  const dir = q.dir === 'asc' ? 'ASC' : 'DESC';
  // Ties break on the id in the same direction, so an index on (column, id)
  // serves the whole ORDER BY; empty values go last for the nullable columns.
  const nullable = NULLABLE_SORTS.has(sort);
  return { column, dir, nullable, sql: `${column} ${dir}${nullable ? ' NULLS LAST' : ''}, f.customer_id ${dir}` };
}

/** WHERE clause, parameters and ORDER BY of a customer query (columns from whitelists only). */
function customerQuery(db: Sqlite, q: CustomerQuery): { clause: string; params: (string | number)[]; orderBy: string } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const search = searchFilter(q.search);
  if (search) {
    where.push(search.where);
    params.push(...search.params);
  }
  if (q.segmentId) where.push(segmentFilter(db, q.segmentId).probe);
  return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', params, orderBy: orderOf(q).sql };
}

/**
 * Every customer matching the query, in order, one row at a time: the SQLite
 * statement is iterated (ordered by a (column, id) index), so memory stays
 * constant however many customers there are. The connection is busy until the
 * iterator finishes or is returned.
 */
export function* iterateCustomers(db: Sqlite, q: CustomerQuery): Generator<CustomerFacts, void, undefined> {
  const { clause, params, orderBy } = customerQuery(db, q);
  const stmt = db.prepare(`SELECT f.*, s.id AS seg_id, s.name AS seg_name, s.color AS seg_color ${FROM} ${clause} ORDER BY ${orderBy}`);
  for (const row of stmt.iterate(...params) as IterableIterator<FactsRow>) yield toFacts(row);
}

export function getFacts(db: Sqlite, customerId: string): CustomerFacts {
  const row = db.prepare(`SELECT f.*, s.id AS seg_id, s.name AS seg_name, s.color AS seg_color ${FROM} WHERE f.customer_id = ?`).get(customerId) as
    | FactsRow
    | undefined;
  if (!row) throw notFound(`Customer "${customerId.slice(0, 60)}"`);
  return toFacts(row);
}

/** Links into the Stripe dashboard for the workspace's mode. */
export function dashboardUrl(mode: Mode, kind: string, id: string): string {
  return `https://dashboard.stripe.com/${mode === 'test' ? 'test/' : ''}${kind}/${encodeURIComponent(id)}`;
}

export function customerDetail(
  db: Sqlite,
  customerId: string,
  mode: Mode,
  isHard: (code: string | null, adviceCode: string | null) => boolean | null,
): Output<'customers.get'> {
  const facts = getFacts(db, customerId);
  const subs = db
    .prepare(
      `SELECT s.id, s.status, s.currency, s.created,
              (SELECT p.name FROM subscription_items i JOIN prices pr ON pr.id = i.price_id JOIN products p ON p.id = pr.product_id
                WHERE i.subscription_id = s.id LIMIT 1) AS plan
         FROM subscriptions s WHERE s.customer_id = ? ORDER BY s.created DESC`,
    )
    .all(customerId) as { id: string; status: string; currency: string; created: number; plan: string | null }[];
  const invoices = db
    .prepare(
      `SELECT id, status, amount_due, amount_remaining, currency, attempt_count, next_payment_attempt, created, hosted_invoice_url
         FROM invoices WHERE customer_id = ? ORDER BY created DESC LIMIT 500`,
    )
    .all(customerId) as {
    id: string;
    status: string;
    amount_due: number;
    amount_remaining: number;
    currency: string;
    attempt_count: number;
    next_payment_attempt: number | null;
    created: number;
    hosted_invoice_url: string | null;
  }[];
  const charges = db
    .prepare(
      `SELECT id, status, amount, amount_refunded, currency, failure_code, decline_code, advice_code, created
         FROM charges WHERE customer_id = ? ORDER BY created DESC LIMIT 500`,
    )
    .all(customerId) as {
    id: string;
    status: string;
    amount: number;
    amount_refunded: number;
    currency: string;
    failure_code: string | null;
    decline_code: string | null;
    advice_code: string | null;
    created: number;
  }[];
  return {
    facts,
    stripeUrl: dashboardUrl(mode, 'customers', customerId),
    subscriptions: subs.map((s) => ({
      id: s.id,
      status: s.status,
      plan: s.plan,
      // Per-subscription MRR is not stored; the customer's total is in facts.
      mrr: subs.length === 1 ? facts.mrr : 0,
      currency: s.currency,
      created: s.created,
      url: dashboardUrl(mode, 'subscriptions', s.id),
    })),
    invoices: invoices.map((i) => ({
      id: i.id,
      status: i.status,
      amountDue: i.amount_due,
      amountRemaining: i.amount_remaining,
      currency: i.currency,
      attemptCount: i.attempt_count,
      nextPaymentAttempt: i.next_payment_attempt,
      created: i.created,
      hostedInvoiceUrl: i.hosted_invoice_url,
      url: dashboardUrl(mode, 'invoices', i.id),
    })),
    charges: charges.map((c) => ({
      id: c.id,
      status: c.status,
      amount: c.amount,
      amountRefunded: c.amount_refunded,
      currency: c.currency,
      failureCode: c.failure_code,
      declineCode: c.decline_code,
      adviceCode: c.advice_code,
      hard: c.status === 'failed' ? isHard(c.decline_code ?? c.failure_code, c.advice_code) : null,
      created: c.created,
      url: dashboardUrl(mode, 'payments', c.id),
    })),
  };
}
