import type { Plan } from '../../../../shared/contract';
import { col, money, moneyIn, type Cell, type Table } from '../table';

/**
 * A dry-run plan, one row per invoice and step (an invoice left out: one row
 * with its reason). The amount due is in the invoice's own currency (major
 * units, `currency` beside it) and the amount at risk in the workspace
 * currency — never minor units of several currencies in one column.
 */
export function planTable(plan: Plan): Table {
  const ws = plan.currency.toLowerCase();
  const columns = [
    col('invoice', 'Invoice'),
    col('number', 'Number'),
    col('customer', 'Customer'),
    col('name', 'Name'),
    col('email', 'Email'),
    col('segment', 'Segment'),
    moneyIn('amount_due', 'Amount due', 'currency'),
    col('currency', 'Currency'),
    money(`amount_at_risk_${ws}`, `Amount at risk (${ws.toUpperCase()})`, ws),
    col('last_decline', 'Last decline'),
    col('hard_decline', 'Hard decline'),
    col('step', 'Step', 'integer'),
    col('step_id', 'Step id'),
    col('channel', 'Channel'),
    col('due_at', 'Due', 'datetime'),
    col('when', 'When'),
    col('skip_reason', 'Skip reason'),
    col('note', 'Note'),
    moneyIn('estimated_cost', 'Estimated cost', 'estimated_cost_currency'),
    col('estimated_cost_currency', 'Cost currency'),
  ];
  function* rows(): Generator<Cell[]> {
    for (const r of plan.rows) {
      const head: Cell[] = [r.invoiceId, r.invoiceNumber, r.customerId, r.customerName, r.email, r.segmentName, r.amountDue, r.currency.toUpperCase(), r.amountAtRisk, r.lastDeclineCode, r.hardDecline ? 'yes' : 'no'];
      if (r.skipReason || r.steps.length === 0) {
        yield [...head, null, null, null, null, 'skip', r.skipReason, null, null, null];
        continue;
      }
      for (const s of r.steps) {
        yield [...head, s.stepIndex + 1, s.stepId, s.channel, s.dueAt * 1000, s.when, s.skipReason, s.note, s.estimatedCost?.amount ?? null, s.estimatedCost ? s.estimatedCost.currency.toUpperCase() : null];
      }
    }
  }
  return { name: 'Plan', title: `Dry-run plan ${plan.planId}`, columns, rows: rows() };
}
