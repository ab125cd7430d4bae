import type { Sqlite } from '../../main/core/db/sqlite';

/**
 * A small hand-worked dataset for the performance report (test/performance/report.test.ts):
 * 17 failed invoices in a USD workspace, EUR at 0.8 per USD (€1 = $1.25), window 30 days,
 * now = 2026-11-30 12:00 UTC. Every figure the test asserts is worked out in its comments.
 *
 *  id   segment     variant         cur  due     paid   status         first failure      paid at            first decline           actions that succeeded
 *  e1   Enterprise  tone/control    usd  10000   10000  paid           10-01 10:00        10-03 10:00 (d2)   insufficient_funds soft email 10-02, voice 10-03 (call $1.50)
 *  e2   Enterprise  tone/warm       eur  8000    8000   paid           10-05 08:00        10-05 20:00 (d0)   expired_card hard       email 10-05 11:00, offer €8.00 10-05 12:00
 *  e3   Enterprise  tone/warm       usd  20000   0      uncollectible  10-10              –                  stolen_card hard        email 10-11
 *  e4   Enterprise  –               usd  5000    0      void           10-12              –                  insufficient_funds      –
 *  e5   Enterprise  tone/control    usd  30000   0      open (10 days) 11-20 12:00        –                  insufficient_funds soft email 11-21 (a failed email, a voice call still pending: $2.00 reserved)
 *  h1   Enterprise  holdout         usd  10000   10000  paid           10-06              10-16 (d10)        insufficient_funds soft email 10-08
 *  h2   Enterprise  holdout         usd  10000   0      open           10-07 (run only)   –                  – (no charge) unknown   –
 *  h3   Enterprise  holdout         usd  10000   0      open           10-08              –                  insufficient_funds soft –
 *  s1   Starter     –               usd  4000    4000   paid           09-10              09-22 06:00 (d12)  do_not_honor soft       email 09-11, Stripe retry running as it was paid
 *  s2   Starter     –               usd  6000    6000   paid           09-15              11-01 (47 days)    insufficient_funds soft email 09-16
 *  s3   Starter     –               eur  4000    1600   open (partial) 10-20              –                  card_declined soft      email 10-21
 *  s4   Starter     –               usd  3000    3000   paid           10-25              10-26 12:00 (d1)   authentication_required hard (charge linked only through invoice_payments; paid time only in raw)
 *  s5   Starter     –               usd  1000    1000   paid           11-02              11-05 (d3)         insufficient_funds soft email 11-03
 *  n1   No run      –               usd  2000    2000   paid           10-02              10-09 (d7)         – (no code) unknown     –
 *  n2   No run      –               usd  2000    0      open           10-03              –                  insufficient_funds soft –
 *  n3   No run      –               usd  2000    0      open           10-04              –                  insufficient_funds soft –
 *  old  Legacy      –               usd  9000    9000   paid           08-15              08-17              (outside the default date range)
 */
export const NOW_SEC = at('2026-11-30', '12:00');
export const NOW_MS = NOW_SEC * 1000;

export function at(day: string, time = '00:00'): number {
  return Date.parse(`${day}T${time}:00Z`) / 1000;
}

interface Inv {
  id: string;
  segment: string | null;
  cur?: 'usd' | 'eur';
  due: number;
  paid: number;
  status: 'paid' | 'open' | 'void' | 'uncollectible';
  failed: number | null;
  /** Only in the run item (no failed charge stored). */
  runFailure?: number;
  paidAt?: number;
  /** Paid time only in raw status_transitions (paid_at column NULL). */
  paidAtRawOnly?: boolean;
  decline?: string | null;
  failureCode?: string | null;
  /** The failed charge is linked only through invoice_payments. */
  viaPayments?: boolean;
}

const INVOICES: Inv[] = [
  { id: 'e1', segment: 'Enterprise', due: 10000, paid: 10000, status: 'paid', failed: at('2026-10-01', '10:00'), paidAt: at('2026-10-03', '10:00'), decline: 'insufficient_funds' },
  { id: 'e2', segment: 'Enterprise', cur: 'eur', due: 8000, paid: 8000, status: 'paid', failed: at('2026-10-05', '08:00'), paidAt: at('2026-10-05', '20:00'), decline: 'expired_card' },
  { id: 'e3', segment: 'Enterprise', due: 20000, paid: 0, status: 'uncollectible', failed: at('2026-10-10'), decline: 'stolen_card' },
  { id: 'e4', segment: 'Enterprise', due: 5000, paid: 0, status: 'void', failed: at('2026-10-12'), decline: 'insufficient_funds' },
  { id: 'e5', segment: 'Enterprise', due: 30000, paid: 0, status: 'open', failed: at('2026-11-20', '12:00'), decline: 'insufficient_funds' },
  { id: 'h1', segment: 'Enterprise', due: 10000, paid: 10000, status: 'paid', failed: at('2026-10-06'), paidAt: at('2026-10-16'), decline: 'insufficient_funds' },
  { id: 'h2', segment: 'Enterprise', due: 10000, paid: 0, status: 'open', failed: null, runFailure: at('2026-10-07') },
  { id: 'h3', segment: 'Enterprise', due: 10000, paid: 0, status: 'open', failed: at('2026-10-08'), decline: 'insufficient_funds' },
  { id: 's1', segment: 'Starter', due: 4000, paid: 4000, status: 'paid', failed: at('2026-09-10'), paidAt: at('2026-09-22', '06:00'), decline: 'do_not_honor' },
  { id: 's2', segment: 'Starter', due: 6000, paid: 6000, status: 'paid', failed: at('2026-09-15'), paidAt: at('2026-11-01'), decline: 'insufficient_funds' },
  { id: 's3', segment: 'Starter', cur: 'eur', due: 4000, paid: 1600, status: 'open', failed: at('2026-10-20'), decline: null, failureCode: 'card_declined' },
  { id: 's4', segment: 'Starter', due: 3000, paid: 3000, status: 'paid', failed: at('2026-10-25'), paidAt: at('2026-10-26', '12:00'), paidAtRawOnly: true, decline: 'authentication_required', viaPayments: true },
  { id: 's5', segment: 'Starter', due: 1000, paid: 1000, status: 'paid', failed: at('2026-11-02'), paidAt: at('2026-11-05'), decline: 'insufficient_funds' },
  { id: 'n1', segment: null, due: 2000, paid: 2000, status: 'paid', failed: at('2026-10-02'), paidAt: at('2026-10-09'), decline: null, failureCode: null },
  { id: 'n2', segment: null, due: 2000, paid: 0, status: 'open', failed: at('2026-10-03'), decline: 'insufficient_funds' },
  { id: 'n3', segment: null, due: 2000, paid: 0, status: 'open', failed: at('2026-10-04'), decline: 'insufficient_funds' },
  { id: 'old', segment: 'Legacy', due: 9000, paid: 9000, status: 'paid', failed: at('2026-08-15'), paidAt: at('2026-08-17'), decline: 'insufficient_funds' },
];

/** Actions (outbox rows): [invoice, channel, status, started, finished]. */
const ACTIONS: [string, string, string, number | null, number | null][] = [
  ['e1', 'email', 'succeeded', at('2026-10-02', '09:00'), at('2026-10-02', '09:00')],
  ['e1', 'voice', 'succeeded', at('2026-10-03', '08:00'), at('2026-10-03', '09:00')],
  ['e2', 'email', 'succeeded', at('2026-10-05', '11:00'), at('2026-10-05', '11:00')],
  ['e2', 'offer', 'succeeded', at('2026-10-05', '12:00'), at('2026-10-05', '12:00')],
  ['e3', 'email', 'succeeded', at('2026-10-11'), at('2026-10-11')],
  ['e5', 'email', 'succeeded', at('2026-11-21'), at('2026-11-21')],
  ['e5', 'email', 'failed', at('2026-11-22'), at('2026-11-22')],
  ['e5', 'voice', 'pending', at('2026-11-25'), null],
  ['h1', 'email', 'succeeded', at('2026-10-08'), at('2026-10-08')],
  ['s1', 'email', 'succeeded', at('2026-09-11'), at('2026-09-11')],
  // The Stripe retry that collected s1: started the second it was paid, finished 1.5 s later.
  ['s1', 'retry', 'succeeded', at('2026-09-22', '06:00'), at('2026-09-22', '06:00') + 1.5],
  ['s2', 'email', 'succeeded', at('2026-09-16'), at('2026-09-16')],
  ['s3', 'email', 'succeeded', at('2026-10-21'), at('2026-10-21')],
  ['s5', 'email', 'succeeded', at('2026-11-03'), at('2026-11-03')],
];

export function seedPerformance(db: Sqlite): void {
  db.prepare(`INSERT INTO fx_rates (currency, per_unit_of_reporting) VALUES ('eur', 0.8)`).run();
  const runOf = (inv: Inv) => (inv.segment === 'Legacy' ? 'run_old' : 'run_1');
  db.prepare(
    `INSERT INTO recovery_runs (id, plan_id, status, mode, filters, snapshot_id, started_by, created_at_ms, updated_at_ms) VALUES
     ('run_old', 'plan_old', 'completed', 'test', '{}', 'snap_old', 'test', ?, ?), ('run_1', 'plan_1', 'running', 'test', '{}', 'snap_1', 'test', ?, ?)`,
  ).run(at('2026-08-15') * 1000, at('2026-09-01') * 1000, at('2026-09-01') * 1000, NOW_MS);
  for (const inv of INVOICES) {
    const cur = inv.cur ?? 'usd';
    const raw = JSON.stringify({ id: `in_${inv.id}`, status_transitions: { paid_at: inv.paidAt ?? null } });
    db.prepare(
      `INSERT INTO invoices (id, customer_id, status, currency, amount_due, amount_paid, amount_remaining, attempt_count, created, paid_at, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    ).run(`in_${inv.id}`, `cus_${inv.id}`, inv.status, cur, inv.due, inv.paid, inv.status === 'open' ? inv.due - inv.paid : 0,
      (inv.failed ?? inv.runFailure!) - 3600, inv.paidAtRawOnly ? null : (inv.paidAt ?? null), raw);
    if (inv.failed !== null) {
      const charge = `ch_${inv.id}_1`;
      db.prepare(
        `INSERT INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw)
         VALUES (?, ?, ?, ?, ?, 'failed', 0, ?, ?, ?, '{}')`,
      ).run(charge, `cus_${inv.id}`, inv.viaPayments ? null : `in_${inv.id}`, inv.due, cur,
        inv.failureCode !== undefined ? inv.failureCode : inv.decline === null ? null : 'card_declined', inv.decline ?? null, inv.failed);
      if (inv.viaPayments) {
        db.prepare(
          `INSERT INTO invoice_payments (id, invoice_id, payment_intent_id, charge_id, status, amount_paid, amount_requested, currency, is_default, created, raw)
           VALUES (?, ?, NULL, ?, 'open', NULL, ?, ?, 1, ?, '{}')`,
        ).run(`inpay_${inv.id}`, `in_${inv.id}`, charge, inv.due, cur, inv.failed);
      }
    }
    if (inv.segment !== null) {
      const first = inv.failed ?? inv.runFailure!;
      db.prepare(
        `INSERT INTO recovery_run_items (run_id, invoice_id, customer_id, segment_id, segment_name, strategy, first_failure_at, state, stop_reason, joined_at_ms)
         VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?, ?)`,
      ).run(runOf(inv), `in_${inv.id}`, `cus_${inv.id}`, `seg_${inv.segment.toLowerCase()}`, inv.segment, first,
        inv.status === 'open' ? 'active' : 'stopped', inv.status === 'open' ? null : inv.status, (first + 3600) * 1000);
    }
  }
  // e1's later retry failed with a hard code: the first failure (soft) decides its decline class.
  db.prepare(`INSERT INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw)
    VALUES ('ch_e1_2', 'cus_e1', 'in_e1', 10000, 'usd', 'failed', 0, 'card_declined', 'expired_card', ?, '{}')`).run(at('2026-10-02', '10:00'));

  ACTIONS.forEach(([inv, channel, status, started, finished], n) => {
    db.prepare(
      `INSERT INTO recovery_outbox (key, run_id, invoice_id, customer_id, step_id, step_index, channel, delay_from, delay_sec, due_at, status, cost_amount, cost_currency, created_at_ms, updated_at_ms, started_at_ms, finished_at_ms)
       VALUES (?, 'run_1', ?, ?, ?, ?, ?, 'first_failure', 0, ?, ?, NULL, NULL, ?, ?, ?, ?)`,
    ).run(`k_${n}`, `in_${inv}`, `cus_${inv}`, `${channel}${n}`, n, channel, started ?? 0, status, (started ?? 0) * 1000, (finished ?? started ?? 0) * 1000,
      started === null ? null : started * 1000, finished === null ? null : Math.round(finished * 1000));
  });
  const key = (inv: string, channel: string) => `k_${ACTIONS.findIndex(([i, c]) => i === inv && c === channel)}`;
  // Voice: e1's call cost $1.50 (final); e5's call is still pending with $2.00 reserved.
  const call = db.prepare(
    `INSERT INTO voice_calls (action_key, run_id, customer_id, invoice_id, provider, request_id, status, reserved_cost, cost, currency, created_at, day, updated_at)
     VALUES (?, 'run_1', ?, ?, 'http', ?, ?, ?, ?, 'usd', ?, ?, ?)`,
  );
  call.run(key('e1', 'voice'), 'cus_e1', 'in_e1', 'req_e1', 'answered', 300, 150, at('2026-10-03', '08:00'), '2026-10-03', at('2026-10-03', '09:00'));
  call.run(key('e5', 'voice'), 'cus_e5', 'in_e5', 'req_e5', 'ringing', 200, null, at('2026-11-25'), '2026-11-25', at('2026-11-25'));
  // An offer of €8.00 on e2 ($10.00).
  db.prepare(
    `INSERT INTO recovery_offers (outbox_key, run_id, customer_id, invoice_id, kind, coupon_id, value_amount, currency, created_at_ms) VALUES (?, 'run_1', 'cus_e2', 'in_e2', 'coupon', 'co_1', 800, 'eur', ?)`,
  ).run(key('e2', 'offer'), at('2026-10-05', '12:00') * 1000);

  // Experiment "Tone test" in Enterprise (e1, e5 control; e2, e3 warm), assigned before the run took them in;
  // h1..h3 held out of segmentation (Default strategy).
  db.prepare(
    `INSERT INTO experiments (id, key, name, segment_id, seed, arms, status, created_at_ms, updated_at_ms) VALUES ('exp_1', 'tone-test', 'Tone test', 'seg_enterprise', 's', '[]', 'running', ?, ?)`,
  ).run(at('2026-09-01') * 1000, at('2026-09-01') * 1000);
  const assign = db.prepare(`INSERT INTO experiment_assignments (experiment_id, customer_id, arm, first_run_id, assigned_at_ms) VALUES (?, ?, ?, 'run_1', ?)`);
  for (const [c, arm] of [['e1', 'control'], ['e5', 'control'], ['e2', 'warm'], ['e3', 'warm']] as const) assign.run('exp_1', `cus_${c}`, arm, at('2026-09-01') * 1000);
  for (const c of ['h1', 'h2', 'h3']) assign.run('segmentation-holdout', `cus_${c}`, 'segmentation_holdout', at('2026-09-01') * 1000);
}
