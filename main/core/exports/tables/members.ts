import type { Sqlite } from '../../db/sqlite';
import { col, money, statementRows, type Table } from '../table';

/**
 * Customers (all, or the members of one segment) streamed from SQLite one row
 * at a time (statement iteration, raw arrays), so a million members export in
 * constant memory. MRR, LTV and the amount at risk are the facts' workspace-
 * currency amounts (`currency` column); `billing_currency` is the customer's own.
 */
export function membersTable(db: Sqlite, currency: string, segment: { id: string; name: string } | null): Table {
  const ws = currency.toLowerCase();
  const stmt = db
    .prepare(
      `SELECT f.customer_id, f.email, f.name, s.name, f.plan, f.subscription_status, upper(f.currency),
              f.mrr, f.ltv, f.amount_at_risk, ?,
              f.failures_12m, f.open_past_due_count, f.last_decline_code,
              CASE f.last_decline_hard WHEN 1 THEN 'hard' WHEN 0 THEN 'soft' END,
              f.days_since_first_failure, f.tenure_days, f.created * 1000,
              f.region, f.industry, f.account_manager, f.country,
              CASE WHEN f.tags = '[]' THEN NULL ELSE (SELECT group_concat(value, ';') FROM json_each(f.tags)) END
         FROM customer_facts f
         LEFT JOIN segment_winner w ON w.customer_id = f.customer_id
         LEFT JOIN segments s ON s.id = w.segment_id
        ${segment ? 'WHERE EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ? AND m.customer_id = f.customer_id)' : ''}
        ORDER BY f.customer_id`,
    )
    .raw(true);
  const args: string[] = [ws.toUpperCase(), ...(segment ? [segment.id] : [])];
  return {
    name: segment ? `Members ${segment.name}` : 'Customers',
    title: segment ? `Members of ${segment.name}` : 'Customers',
    columns: [
      col('customer_id', 'Customer'),
      col('email', 'Email'),
      col('name', 'Name'),
      col('segment', 'Handled by segment'),
      col('plan', 'Plan'),
      col('subscription_status', 'Subscription'),
      col('billing_currency', 'Billing currency'),
      money('mrr', 'MRR', ws),
      money('ltv', 'Lifetime value', ws),
      money('amount_at_risk', 'Amount at risk', ws),
      col('currency', 'Currency'),
      col('failures_12m', 'Failures (12 months)', 'integer'),
      col('open_past_due', 'Open past-due invoices', 'integer'),
      col('last_decline_code', 'Last decline'),
      col('last_decline_kind', 'Hard or soft'),
      col('days_since_first_failure', 'Days since first failure', 'integer'),
      col('tenure_days', 'Tenure (days)', 'integer'),
      col('created', 'Customer since', 'date'),
      col('region', 'Region'),
      col('industry', 'Industry'),
      col('account_manager', 'Account manager'),
      col('country', 'Country'),
      col('tags', 'Tags'),
    ],
    rows: statementRows(stmt, args),
  };
}

/** How many rows membersTable will have (cheap: the app refuses big ones before building the file). */
export function membersCount(db: Sqlite, segmentId: string | null): number {
  return segmentId
    ? (db.prepare('SELECT count(*) FROM segment_members WHERE segment_id = ?').pluck().get(segmentId) as number)
    : (db.prepare('SELECT count(*) FROM customer_facts').pluck().get() as number);
}
