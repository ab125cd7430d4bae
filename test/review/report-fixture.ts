import type { PerformanceFigures, PerformanceReport } from '../../shared/performance';

/** The figures of a group of `invoices` of which `recovered` were paid (amounts in minor units). */
export function figures(invoices: number, recovered: number, amountDue: number, amountRecovered: number): PerformanceFigures {
  return {
    invoices,
    recovered,
    partial: 0,
    voided: 0,
    uncollectible: 0,
    open: invoices - recovered,
    rate: invoices ? recovered / invoices : null,
    rateLow: null,
    rateHigh: null,
    amountDue,
    amountRecovered,
    amountPartial: 0,
    rateByAmount: amountDue ? amountRecovered / amountDue : null,
    amountAtRisk: amountDue - amountRecovered,
    medianDays: 3,
    p90Days: null,
    costVoice: 0,
    costOffers: 0,
    net: amountRecovered,
    recoveredWithoutAction: 0,
  };
}

/**
 * A performance report as an export writes it (the shape of shared/performance.ts), for tests of
 * review mode that must not depend on the report's computation.
 */
export function sampleReport(workspaceName = 'Acme </script> EU'): PerformanceReport {
  return {
    workspace: { id: 'ws_0123456789abcdef', name: workspaceName, kind: 'demo', mode: 'test', currency: 'usd' },
    generatedAtMs: Date.UTC(2026, 11, 1, 9, 30),
    simulated: true,
    filters: { windowDays: 30, from: '2026-09-01', to: '2026-11-30', segments: [], variants: [] },
    totals: figures(40, 22, 800_000, 430_000),
    bySegment: [
      { key: 'Enterprise', label: 'Enterprise', ...figures(10, 8, 500_000, 400_000) },
      { key: 'Starter', label: 'Starter', ...figures(30, 14, 300_000, 30_000) },
    ],
    byVariant: [],
    byCohort: [],
    byDecline: [],
    byChannel: [],
    overTime: [{ start: '2026-11-23', amountRecovered: 430_000, recovered: 22, cost: 0 }],
    curves: [{ key: 'all', label: 'All segments', points: [{ day: 0, recovered: 0, atRisk: 40 }, { day: 3, recovered: 0.4, atRisk: 24 }] }],
    cohortHeatmap: [],
    baseline: null,
    available: { segments: ['Enterprise', 'Starter'], variants: [] },
    definitions: [{ term: 'Recovered', text: 'Paid in full within the window.' }],
  };
}

/** The HTML report's way of embedding the JSON: `<` escaped as \u003c inside a script element. */
export function htmlReport(report: PerformanceReport): string {
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Report</title></head><body><h1>Recovery</h1>
<script type="application/json" id="reclaim-report">${json}</script><script>/* charts */</script></body></html>`;
}
