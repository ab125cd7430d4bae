import { Alert, Card, Collapse, Empty, Spin, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { PerformanceReport } from '../../../../shared/performance';
import { BaselineTable } from './BaselineTable';
import { CohortHeatmap } from './CohortHeatmap';
import { CostChart } from './CostChart';
import { CurvesChart } from './CurvesChart';
import { FilterBar } from './FilterBar';
import { GroupTable } from './GroupTable';
import { RateChart } from './RateChart';
import { RevenueChart } from './RevenueChart';
import { SummaryCards } from './SummaryCards';
import type { ChosenFilters } from './url-filters';

export const SIMULATED_NOTE = 'Demo workspace: outcomes are simulated by the local Stripe server’s customer-response model.';

export interface PerformanceViewProps {
  report: PerformanceReport;
  /** The filters as chosen (unset dates show the report's applied defaults). */
  filters: ChosenFilters;
  /** Absent when the report cannot be recomputed (a report opened from a file): the filters only show. */
  onFiltersChange?: (filters: ChosenFilters) => void;
  /** A new report is being computed for changed filters. */
  loading?: boolean;
  dark?: boolean;
}

function Section({ id, title, extra, children }: { id: string; title: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <Card size="small" title={title} extra={extra} data-testid={`section-${id}`} style={{ minWidth: 0 }} styles={{ body: { display: 'flex', flexDirection: 'column', gap: 8 } }}>
      {children}
    </Card>
  );
}

/**
 * The Performance page's content for one report (#19): filters, headline figures, the charts each
 * with a table of the same numbers, the cuts and the baseline comparison, and what every number
 * counts. Pure of data loading, so the live page and a report opened for review render alike.
 */
export function PerformanceView({ report, filters, onFiltersChange, loading = false, dark = false }: PerformanceViewProps) {
  const cur = report.workspace.currency;
  const f = report.filters;
  const narrowed = f.segments.length > 0 || f.variants.length > 0;
  return (
    <div data-testid="performance" style={{ display: 'flex', flexDirection: 'column', gap: 16, minWidth: 0 }}>
      {report.simulated && <Alert type="info" showIcon data-testid="simulated-banner" message={SIMULATED_NOTE} />}
      <FilterBar filters={filters} report={report} onChange={onFiltersChange} />
      <Typography.Text type="secondary" data-testid="report-scope">
        {report.workspace.name} · invoices whose first payment failed {f.from} to {f.to}, recovered when paid in full within {f.windowDays} days
        {f.segments.length ? ` · segments: ${f.segments.join(', ')}` : ''}
        {f.variants.length ? ` · variants: ${f.variants.join(', ')}` : ''} · amounts in {cur.toUpperCase()} · computed {new Date(report.generatedAtMs).toISOString().slice(0, 16).replace('T', ' ')} UTC
      </Typography.Text>
      <Spin spinning={loading}>
        {report.totals.invoices === 0 ? (
          <Empty
            data-testid="performance-empty"
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={
              <span style={{ display: 'inline-block', maxWidth: 520 }}>
                <Typography.Title level={5}>No failed payments in this range</Typography.Title>
                <Typography.Text type="secondary">
                  {narrowed
                    ? 'No invoice that failed between these dates belongs to the chosen segments or variants. Widen the dates or clear the segment and variant filters.'
                    : 'No invoice’s first payment attempt failed between these dates. Widen the dates, or sync the workspace and start a recovery run from Runs; outcomes appear here as invoices are paid.'}
                </Typography.Text>
              </span>
            }
          />
        ) : (
          <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
            <SummaryCards report={report} />
            <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 540px), 1fr))', gap: 16 }}>
              <Section id="curves" title="Recovery curve per segment">
                <CurvesChart curves={report.curves} windowDays={f.windowDays} dark={dark} />
              </Section>
              <Section id="rate" title="Recovery rate by segment (95% intervals)">
                <RateChart groups={report.bySegment} dark={dark} />
                <GroupTable testId="table-segment" groups={report.bySegment} currency={cur} groupTitle="Segment" />
              </Section>
              <Section id="heatmap" title="Recovered by failure month and day">
                <CohortHeatmap cells={report.cohortHeatmap} dark={dark} />
              </Section>
              <Section id="revenue" title="Revenue recovered per week">
                <RevenueChart periods={report.overTime} currency={cur} dark={dark} />
              </Section>
              <Section id="cost" title="Cost against recovered revenue">
                <CostChart groups={report.bySegment} currency={cur} dark={dark} />
              </Section>
              <Section id="baseline" title="Against the baseline">
                <BaselineTable baseline={report.baseline} />
              </Section>
            </div>
            <Section id="variants" title="By variant">
              <GroupTable testId="table-variant" groups={report.byVariant} currency={cur} groupTitle="Variant" empty="No experiment variants in this range" />
            </Section>
            <Section id="decline" title="By decline (hard or soft)">
              <GroupTable testId="table-decline" groups={report.byDecline} currency={cur} groupTitle="Decline" />
            </Section>
            <Section id="channel" title="By the channel that acted last before recovery">
              <GroupTable testId="table-channel" groups={report.byChannel} currency={cur} groupTitle="Channel" />
            </Section>
            <Section id="cohort" title="By failure month">
              <GroupTable testId="table-cohort" groups={report.byCohort} currency={cur} groupTitle="Failure month" />
            </Section>
          </div>
        )}
      </Spin>
      <Collapse
        data-testid="definitions"
        items={[
          {
            key: 'defs',
            label: 'What these numbers count',
            children: (
              <dl style={{ margin: 0 }}>
                {report.definitions.map((d) => (
                  <div key={d.term} style={{ marginBottom: 8 }}>
                    <dt style={{ fontWeight: 600 }}>{d.term}</dt>
                    <dd style={{ margin: 0 }}>{d.text}</dd>
                  </div>
                ))}
              </dl>
            ),
          },
        ]}
      />
    </div>
  );
}
