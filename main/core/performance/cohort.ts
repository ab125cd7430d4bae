import type { Sqlite } from '../db/sqlite';
import { chargeDeclineSql, isHardDecline } from '../facts/declines';

/**
 * Which invoices enter the performance cohort and what became of them
 * (definitions in ./definitions.ts). Read-only: plain SELECTs.
 */
export const DAY_SEC = 86_400;

export type Decline = 'hard' | 'soft' | 'unknown';

/** One failed invoice as stored, amounts in its own currency. */
export interface CohortRow {
  id: string;
  customerId: string;
  status: string;
  currency: string;
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  /** Unix seconds of the first failed attempt. */
  firstFailure: number;
  /** Unix seconds it was paid, when known. */
  paidAt: number | null;
  declineCode: string | null;
  adviceCode: string | null;
}

/**
 * First failure: the earliest failed charge linked to the invoice (charges.invoice_id,
 * or through invoice_payments by charge or PaymentIntent); else the earliest
 * first_failure_at a run recorded for it.
 */
const COHORT_SQL = `
  WITH failed AS (
    SELECT c.invoice_id AS invoice_id, c.id AS charge_id, c.created AS at FROM charges c WHERE c.status = 'failed' AND c.invoice_id IS NOT NULL
    UNION
    SELECT ip.invoice_id, c.id, c.created FROM invoice_payments ip JOIN charges c ON c.id = ip.charge_id WHERE c.status = 'failed'
    UNION
    SELECT ip.invoice_id, c.id, c.created FROM invoice_payments ip JOIN charges c ON c.payment_intent_id = ip.payment_intent_id WHERE c.status = 'failed'
  ),
  first_charge AS (
    SELECT invoice_id, charge_id, at FROM (SELECT f.*, row_number() OVER (PARTITION BY invoice_id ORDER BY at, charge_id) AS rn FROM failed f) WHERE rn = 1
  ),
  first_run AS (SELECT invoice_id, min(first_failure_at) AS at FROM recovery_run_items GROUP BY invoice_id),
  entered AS (
    SELECT invoice_id, charge_id, at FROM first_charge
    UNION ALL
    SELECT invoice_id, NULL, at FROM first_run WHERE invoice_id NOT IN (SELECT invoice_id FROM first_charge)
  )
  SELECT i.id, i.customer_id AS customerId, i.status, i.currency, i.amount_due AS amountDue, i.amount_paid AS amountPaid,
         i.amount_remaining AS amountRemaining, e.at AS firstFailure,
         coalesce(i.paid_at, CASE WHEN json_valid(i.raw) THEN json_extract(i.raw, '$.status_transitions.paid_at') END) AS paidAt,
         ${chargeDeclineSql('c', 'p')} AS declineCode, c.advice_code AS adviceCode
  FROM entered e JOIN invoices i ON i.id = e.invoice_id
  LEFT JOIN charges c ON c.id = e.charge_id LEFT JOIN payment_intents p ON p.id = c.payment_intent_id
  ORDER BY e.at, i.id`;

export function cohortRows(db: Sqlite): CohortRow[] {
  return db.prepare(COHORT_SQL).all() as CohortRow[];
}

export function declineOf(r: Pick<CohortRow, 'declineCode' | 'adviceCode'>): Decline {
  if (!r.declineCode) return 'unknown';
  return isHardDecline(r.declineCode, r.adviceCode) ? 'hard' : 'soft';
}

/** What became of an invoice, given the window and the time now. */
export interface Outcome {
  voided: boolean;
  uncollectible: boolean;
  /** Paid in full within the window. */
  recovered: boolean;
  /** Paid in part, not in full within the window. */
  partial: boolean;
  /** Open and younger than the window: censored. */
  censored: boolean;
  /** Open now (owes amount_remaining). */
  openNow: boolean;
  /** Seconds from first failure to payment in full (any time), null when not paid in full or unknown. */
  paidAfterSec: number | null;
}

export function outcomeOf(r: CohortRow, windowDays: number, nowSec: number): Outcome {
  const voided = r.status === 'void';
  const uncollectible = r.status === 'uncollectible';
  const paidInFull = !voided && !uncollectible && (r.status === 'paid' || (r.amountDue > 0 && r.amountPaid >= r.amountDue));
  const paidAfterSec = paidInFull && r.paidAt !== null ? Math.max(0, r.paidAt - r.firstFailure) : null;
  const recovered = paidAfterSec !== null && paidAfterSec < windowDays * DAY_SEC;
  const partial = !voided && !recovered && r.amountPaid > 0 && r.amountPaid < r.amountDue;
  const openNow = r.status === 'open' && !paidInFull;
  const censored = openNow && nowSec - r.firstFailure < windowDays * DAY_SEC;
  return { voided, uncollectible, recovered, partial, censored, openNow, paidAfterSec };
}

export const isoDay = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 10);
