/**
 * Dry-run plan (#22): `runs.plan` through the core's dispatch (as the console
 * and `reclaim runs plan` call it) on a workspace with N open failed invoices
 * (one per customer; facts written like the segments bench's, invoices and
 * their failed charges by SQL), as a ratio to a bare SELECT of the same open
 * failed invoices with their customer facts in the same run, interleaved,
 * best of 3. Target: ≤ 2 s absolute at 50k (second row: the time against
 * that budget); the ratio row's target says how much work beyond reading the
 * rows is acceptable.
 * Run alone: `BENCH_N=50000 node --import tsx bench/plan-bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore } from '../main/core/api';
import { dispatch } from '../main/core/dispatch';
import { catalogFor } from '../main/core/facts/catalog';
import { silentLogger } from '../main/core/ports';
import { FileSecrets } from '../main/core/secrets/file-secrets';
import { ensureDefaults, recomputeMembership } from '../main/core/segments/service';
import type { Plan } from '../shared/contract';
import type { Sqlite } from '../main/core/db/sqlite';
import { writeSyntheticFacts } from './synthetic-facts';
import type { BenchRow } from './table';

const NOW = 1_793_491_200;
const DAY = 86_400;
export const PLAN_BUDGET_MS = 2000;

const scaleLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/**
 * One open failed invoice and its failed charge per customer of customer_facts,
 * failed 0–20 days ago; the customer's facts say so (past due, amount at risk).
 * About one decline in five is hard (stolen/lost/expired card).
 */
export function writeOpenFailedInvoices(db: Sqlite, now = NOW): number {
  db.transaction(() => {
    db.exec(`
      UPDATE customer_facts SET
        mrr = CASE WHEN mrr = 0 THEN 2900 ELSE mrr END,
        subscription_status = 'past_due', open_past_due_count = 1,
        failures_12m = max(failures_12m, 1),
        amount_at_risk = CASE WHEN mrr = 0 THEN 2900 ELSE mrr END,
        days_since_first_failure = rowid % 21,
        last_decline_code = CASE WHEN rowid % 5 = 0 THEN 'stolen_card' ELSE 'insufficient_funds' END,
        last_decline_hard = CASE WHEN rowid % 5 = 0 THEN 1 ELSE 0 END;
    `);
    db.prepare(
      `INSERT INTO invoices (id, customer_id, subscription_id, status, currency, amount_due, amount_paid, amount_remaining, attempt_count, created, hosted_invoice_url, raw)
       SELECT 'in_' || substr(customer_id, 5), customer_id, 'sub_' || substr(customer_id, 5), 'open', 'usd', amount_at_risk, 0, amount_at_risk, 1 + rowid % 3,
              ? - days_since_first_failure * ${DAY} - 60, 'https://invoice.stripe.com/i/acct_bench/in_' || substr(customer_id, 5),
              json_object('number', 'BN-' || rowid)
       FROM customer_facts`,
    ).run(now);
    db.prepare(
      `INSERT INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, decline_code, created, raw)
       SELECT 'ch_' || substr(customer_id, 5), customer_id, 'in_' || substr(customer_id, 5), amount_at_risk, 'usd', 'failed', 0, 'card_declined',
              last_decline_code, ? - days_since_first_failure * ${DAY}, '{}'
       FROM customer_facts`,
    ).run(now);
  })();
  return db.prepare(`SELECT count(*) FROM invoices WHERE status = 'open'`).pluck().get() as number;
}

/** The floor: the plan's own invoice statement (open, amount left, a failed attempt) joined with the customer's facts, read into memory. */
const BARE_SQL = `
  SELECT i.id, i.customer_id, i.amount_remaining, i.currency, i.attempt_count, i.created,
         (SELECT min(c.created) FROM charges c WHERE c.invoice_id = i.id AND c.status = 'failed') AS first_failed,
         f.email, f.name, f.plan, f.mrr, f.amount_at_risk, f.failures_12m, f.tenure_days
  FROM invoices i LEFT JOIN customer_facts f ON f.customer_id = i.customer_id
  WHERE i.status = 'open' AND i.amount_remaining > 0
    AND (i.attempt_count > 0 OR EXISTS (SELECT 1 FROM charges c WHERE c.invoice_id = i.id AND c.status = 'failed'))
  ORDER BY i.created, i.id`;

export async function planRows(n: number, runs = 3): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-plan-'));
  const core = createCore({
    clock: { now: () => NOW * 1000 }, secrets: new FileSecrets(dir), logger: silentLogger, paths: { dataDir: dir },
    fetch: globalThis.fetch, version: '0.0.0-bench', shell: 'test',
  });
  const call = async <T>(method: string, input: unknown): Promise<T> => {
    const r = await dispatch(core, method as never, input as never, silentLogger);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.value as T;
  };
  try {
    const { id: workspaceId } = await call<{ id: string }>('workspaces.create', { name: 'Plan bench' });
    const db = core.registry.openDb(workspaceId);
    writeSyntheticFacts(db, n, 13, NOW);
    const open = writeOpenFailedInvoices(db);
    if (open !== n) throw new Error(`bench: ${open} open invoices written of ${n}`);
    ensureDefaults(db, NOW);
    recomputeMembership(db, catalogFor(db), NOW);
    db.exec('ANALYZE');

    let mine = Infinity;
    let floor = Infinity;
    let plan: Plan | null = null;
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      const bare = db.prepare(BARE_SQL).all();
      floor = Math.min(floor, performance.now() - t);
      if (bare.length !== n) throw new Error(`bench: the bare SELECT read ${bare.length} invoices of ${n}`);
      t = performance.now();
      plan = await call<Plan>('runs.plan', { workspaceId });
      mine = Math.min(mine, performance.now() - t);
      if (plan.rows.length !== n) throw new Error(`bench: the plan has ${plan.rows.length} invoices of ${n}`);
    }
    const t = plan!.totals;
    const segs = t.bySegment.map((s) => `${s.segmentName} ${s.invoices}`).join(', ');
    const note = `${t.invoices} invoices, ${t.actionsNow} actions now, ${t.actionsLater} later, ${t.skipped} skipped (${segs})`;
    const scale = scaleLabel(n);
    return [
      { section: 'recovery', figure: 'dry-run plan (runs.plan)', scale, ms: mine, floorMs: floor, floor: 'bare SELECT invoices+facts', ratio: mine / floor, target: 20, note },
      // The budget in #22 is for 50k; smaller scales are held to it pro rata.
      {
        section: 'recovery', figure: 'dry-run plan vs budget', scale, ms: mine, floorMs: (PLAN_BUDGET_MS * n) / 50_000,
        floor: '2 s per 50k invoices', ratio: mine / ((PLAN_BUDGET_MS * n) / 50_000), target: 1,
      },
    ];
  } finally {
    core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./table');
  const rows = await planRows(Number(process.env.BENCH_N ?? 50_000));
  console.log(renderTable(rows));
}
