import type { PerformanceFigures, PerformanceReport } from '../../../../shared/performance';
import { col, money, type Cell, type Column, type Table } from '../table';

/**
 * The performance report as tables: one per group cut (totals, segment,
 * variant, failure month, decline, channel), the baseline comparison, the
 * recovery curves, the weekly periods, the cohort heatmap and the metric
 * definitions. Money is the report's workspace-currency amounts.
 */
function figureColumns(ws: string): Column[] {
  return [
    col('invoices', 'Invoices (cohort)', 'integer'),
    col('recovered', 'Recovered', 'integer'),
    col('partial', 'Partly paid', 'integer'),
    col('voided', 'Voided', 'integer'),
    col('uncollectible', 'Uncollectible', 'integer'),
    col('open', 'Still open', 'integer'),
    col('rate', 'Recovery rate', 'percent'),
    col('rate_low', 'Rate, 95% low', 'percent'),
    col('rate_high', 'Rate, 95% high', 'percent'),
    money('amount_due', 'Amount due', ws),
    money('amount_recovered', 'Amount recovered', ws),
    money('amount_partial', 'Partly paid amount', ws),
    col('rate_by_amount', 'Recovery rate by amount', 'percent'),
    money('amount_at_risk', 'Still at risk', ws),
    col('median_days', 'Median days to recovery', 'number'),
    col('p90_days', '90th percentile days', 'number'),
    money('cost_voice', 'Voice cost', ws),
    money('cost_offers', 'Offer cost', ws),
    money('net', 'Net recovered', ws),
    col('recovered_without_action', 'Recovered without action', 'integer'),
    col('currency', 'Currency'),
  ];
}

function figureCells(f: PerformanceFigures, ws: string): Cell[] {
  return [
    f.invoices, f.recovered, f.partial, f.voided, f.uncollectible, f.open, f.rate, f.rateLow, f.rateHigh,
    f.amountDue, f.amountRecovered, f.amountPartial, f.rateByAmount, f.amountAtRisk, f.medianDays, f.p90Days,
    f.costVoice, f.costOffers, f.net, f.recoveredWithoutAction, ws.toUpperCase(),
  ];
}

const CUTS = [
  ['bySegment', 'By segment', 'Segment'],
  ['byVariant', 'By variant', 'Variant'],
  ['byCohort', 'By failure month', 'Failure month'],
  ['byDecline', 'By decline', 'Decline'],
  ['byChannel', 'By last channel', 'Last channel before recovery'],
] as const;

/** Every cut's figures in one table (`cut` column): the CSV form of a report. */
export function performanceFiguresTable(r: PerformanceReport): Table {
  const ws = r.workspace.currency.toLowerCase();
  const rows: Cell[][] = [['total', 'all', 'All invoices', ...figureCells(r.totals, ws)]];
  for (const [k, , cut] of CUTS) for (const g of r[k]) rows.push([cut.toLowerCase(), g.key, g.label, ...figureCells(g, ws)]);
  if (r.baseline) rows.push(['baseline', 'baseline', r.baseline.label, ...figureCells(r.baseline.figures, ws)]);
  return { name: 'Figures', title: 'Performance figures by cut', columns: [col('cut', 'Cut'), col('key', 'Key'), col('label', 'Group'), ...figureColumns(ws)], rows };
}

export function performanceTables(r: PerformanceReport): Table[] {
  const ws = r.workspace.currency.toLowerCase();
  const tables: Table[] = [
    { name: 'Totals', title: 'All invoices in the cohort', columns: figureColumns(ws), rows: [figureCells(r.totals, ws)] },
  ];
  for (const [k, name, label] of CUTS) {
    tables.push({ name, title: `Recovery ${name.toLowerCase()}`, columns: [col('key', 'Key'), col('label', label), ...figureColumns(ws)], rows: r[k].map((g) => [g.key, g.label, ...figureCells(g, ws)]) });
  }
  tables.push({
    name: 'Baseline',
    title: r.baseline ? `Compared with the baseline: ${r.baseline.label}` : 'No baseline in this data',
    columns: [col('key', 'Key'), col('label', 'Group'), col('rate', 'Recovery rate', 'percent'), col('baseline_rate', 'Baseline rate', 'percent'), col('diff', 'Difference (points)', 'percent'), col('diff_low', 'Difference, 95% low', 'percent'), col('diff_high', 'Difference, 95% high', 'percent'), col('p_value', 'p-value', 'number'), col('lift', 'Relative lift', 'percent')],
    rows: (r.baseline?.comparisons ?? []).map((c) => [c.key, c.label, c.rate, c.baselineRate, c.diff, c.diffLow, c.diffHigh, c.pValue, c.lift]),
  });
  tables.push({
    name: 'Curves',
    title: 'Recovery curves (share recovered by day since first failure)',
    columns: [col('curve', 'Curve'), col('label', 'Group'), col('day', 'Day', 'integer'), col('recovered', 'Recovered by then', 'percent'), col('at_risk', 'Invoices at risk', 'integer')],
    rows: r.curves.flatMap((c) => c.points.map((p) => [c.key, c.label, p.day, p.recovered, p.atRisk])),
  });
  tables.push({
    name: 'Weekly',
    title: 'Revenue recovered per week',
    columns: [col('week', 'Week of (Monday)', 'date'), col('recovered', 'Invoices recovered', 'integer'), money('amount_recovered', 'Amount recovered', ws), money('cost', 'Cost', ws), col('currency', 'Currency')],
    rows: r.overTime.map((p) => [Date.parse(`${p.start}T00:00:00Z`), p.recovered, p.amountRecovered, p.cost, ws.toUpperCase()]),
  });
  tables.push({
    name: 'Cohort heatmap',
    title: 'Share recovered by failure month and days since failure',
    columns: [col('cohort', 'Failure month'), col('day', 'Day', 'integer'), col('recovered', 'Recovered by then', 'percent')],
    rows: r.cohortHeatmap.map((c) => [c.cohort, c.day, c.recovered]),
  });
  tables.push({ name: 'Definitions', title: 'What each figure counts', columns: [col('term', 'Term'), col('definition', 'Definition')], rows: r.definitions.map((d) => [d.term, d.text]) });
  return tables;
}
