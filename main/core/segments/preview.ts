import { sql } from 'kysely';
import type { Sqlite } from '../db/sqlite';
import type { Catalog } from '../facts/catalog';
import { compileRule, qb, type MatchSummary, type SampleRow } from './compile';

/** Rows read (in storage order) looking for the sample before switching strategy. */
const PROBE_ROWS = 20_000;

export interface PreviewResult extends MatchSummary {
  /** Up to n matching customers, shown highest MRR first. */
  sample: SampleRow[];
}

/**
 * The live preview in about one scan of customer_facts (issue #11): count,
 * MRR and amount at risk of the customers matching a rule, plus a sample.
 *
 * - A probe reads at most PROBE_ROWS rows and stops at the n-th match. When it
 *   finds n, the segment is common: the sample is those n customers (shown
 *   highest MRR first) and one aggregate scan gives the figures.
 * - When it does not, matches are rare (fewer than n in the first PROBE_ROWS
 *   rows): one scan returns the n highest-MRR matches with the figures as
 *   window aggregates, which materialise only the few matching rows.
 */
export function previewMatching(db: Sqlite, rule: unknown, catalog: Catalog, now: number, n: number): PreviewResult {
  const { where } = compileRule(rule, catalog, { now });
  const take = Math.max(0, Math.floor(n));
  const run = <T>(q: { compile(): { sql: string; parameters: readonly unknown[] } }, mode: 'get' | 'all'): T => {
    const c = q.compile();
    const stmt = db.prepare(c.sql);
    return (mode === 'get' ? stmt.get(...c.parameters) : stmt.all(...c.parameters)) as T;
  };
  const figures = () =>
    run<MatchSummary>(
      qb
        .selectFrom('customer_facts as f')
        .select([sql<number>`count(*)`.as('count'), sql<number>`coalesce(sum(f.mrr), 0)`.as('mrr'), sql<number>`coalesce(sum(f.amount_at_risk), 0)`.as('amountAtRisk')])
        .where(where),
      'get',
    );
  if (take === 0) return { ...figures(), sample: [] };

  const probe = run<SampleRow[]>(
    qb
      .selectFrom(qb.selectFrom('customer_facts').selectAll().limit(PROBE_ROWS).as('f'))
      .select(['f.customer_id as id', 'f.email', 'f.name', 'f.mrr', 'f.plan'])
      .where(where)
      .limit(take),
    'all',
  );
  const byMrr = (a: SampleRow, b: SampleRow) => b.mrr - a.mrr || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (probe.length === take) return { ...figures(), sample: probe.sort(byMrr) };

  const rows = run<(SampleRow & { n: number; sum_mrr: number; sum_risk: number })[]>(
    qb
      .selectFrom('customer_facts as f')
      .select([
        'f.customer_id as id', 'f.email', 'f.name', 'f.mrr', 'f.plan',
        sql<number>`count(*) OVER ()`.as('n'),
        sql<number>`coalesce(sum(f.mrr) OVER (), 0)`.as('sum_mrr'),
        sql<number>`coalesce(sum(f.amount_at_risk) OVER (), 0)`.as('sum_risk'),
      ])
      .where(where)
      .orderBy(sql`+f.mrr`, 'desc')
      .orderBy('f.customer_id')
      .limit(take),
    'all',
  );
  const first = rows[0];
  return {
    count: first?.n ?? 0,
    mrr: first?.sum_mrr ?? 0,
    amountAtRisk: first?.sum_risk ?? 0,
    sample: rows.map((r) => ({ id: r.id, email: r.email, name: r.name, mrr: r.mrr, plan: r.plan })),
  };
}
