import type { Command } from 'commander';
import { formatMoney } from '../../../shared/money';
import type { PerformanceFigures, PerformanceReport } from '../../../shared/performance';
import type { ReviewSession } from '../../../shared/review';
import { CliExit, type CliContext } from '../context';
import { formatTime, table } from '../format';

const pct = (share: number | null) => (share === null ? null : `${(share * 100).toFixed(1)}%`);
const days = (d: number | null) => (d === null ? null : d.toFixed(1));

/** The headline figures per segment (and the whole cohort), as printed by `reclaim review`. */
export function reviewText(session: ReviewSession, report: PerformanceReport): string {
  const cur = report.workspace.currency;
  const row = (label: string, f: PerformanceFigures) => ({
    label,
    invoices: f.invoices,
    recovered: f.recovered,
    rate: pct(f.rate),
    amountRecovered: formatMoney(f.amountRecovered, cur),
    amountAtRisk: formatMoney(f.amountAtRisk, cur),
    median: days(f.medianDays),
    net: formatMoney(f.net, cur),
  });
  const f = report.filters;
  const head = [
    `Review mode — read-only: ${session.fileName} (${session.source === 'report' ? `report generated ${formatTime(report.generatedAtMs)}` : 'workspace database copy'})`,
    `Workspace "${report.workspace.name}" (${report.workspace.mode} mode)${report.simulated ? ' — DEMO: outcomes are simulated' : ''}`,
    `First failures ${f.from} to ${f.to}; recovered = paid in full within ${f.windowDays} days${f.segments.length ? `; segments: ${f.segments.join(', ')}` : ''}${f.variants.length ? `; variants: ${f.variants.join(', ')}` : ''}`,
    `Amounts in ${cur.toUpperCase()}.`,
    '',
  ];
  const rows = [row('All', report.totals), ...report.bySegment.map((s) => row(s.label, s))];
  return [
    ...head,
    table(rows, [
      { key: 'label', label: 'Segment' },
      { key: 'invoices', label: 'Failed invoices', align: 'right' },
      { key: 'recovered', label: 'Recovered', align: 'right' },
      { key: 'rate', label: 'Rate', align: 'right' },
      { key: 'amountRecovered', label: 'Revenue recovered', align: 'right' },
      { key: 'amountAtRisk', label: 'Still at risk', align: 'right' },
      { key: 'median', label: 'Median days', align: 'right' },
      { key: 'net', label: 'Net of cost', align: 'right' },
    ]),
  ].join('\n');
}

/** `reclaim review FILE`: an exported report or a workspace database copy, read-only, no Stripe key or network. */
export function registerReviewCommand(program: Command, ctx: CliContext): void {
  program
    .command('review')
    .description('show the headline figures per segment of an exported report (.json/.html) or a workspace database copy, read-only')
    .argument('<file>', 'an exported performance report (.json or .html), or a copy of a workspace database (.sqlite)')
    .option('--format <format>', 'text or json (the whole report)', 'text')
    .action(async (file: string, opts: { format: string }) => {
      if (opts.format !== 'text' && opts.format !== 'json') throw new CliExit(2, `--format is text or json, not "${opts.format}"`);
      const session = await ctx.call('review.open', { path: file });
      try {
        const report = await ctx.call('review.report', { reviewId: session.id });
        if (opts.format === 'json' || ctx.globals().json) ctx.io.out(JSON.stringify(report, null, 2));
        else ctx.io.out(reviewText(session, report));
      } finally {
        await ctx.call('review.close', { reviewId: session.id });
      }
    });
}
