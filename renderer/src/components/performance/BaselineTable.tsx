import { Table, Typography } from 'antd';
import type { PerformanceReport } from '../../../../shared/performance';
import { lift, pct, points, pointsInterval } from './format';

type Baseline = NonNullable<PerformanceReport['baseline']>;
type Comparison = Baseline['comparisons'][number];

const pValue = (p: number | null) => (p === null ? '—' : p < 0.0001 ? '< 0.0001' : p.toFixed(4));

/** Each segment's rate against the baseline's: the difference in points with its 95% interval, p-value and relative lift. */
export function BaselineTable({ baseline }: { baseline: Baseline | null }) {
  if (!baseline)
    return (
      <Typography.Paragraph type="secondary" data-testid="baseline-none">
        No baseline to compare with: there is no segmentation holdout and no invoice that no run worked on in this range.
      </Typography.Paragraph>
    );
  return (
    <>
      <Typography.Paragraph data-testid="baseline-label">
        Compared with <Typography.Text strong>{baseline.label}</Typography.Text>: {pct(baseline.figures.rate)} recovered ({baseline.figures.recovered} of {baseline.figures.invoices} invoices).
      </Typography.Paragraph>
      <Table
        data-testid="table-baseline"
        size="small"
        rowKey="key"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={baseline.comparisons}
        onRow={(c) => ({ 'data-testid': `table-baseline-row-${c.key}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: 'Segment', dataIndex: 'label' },
          { title: 'Rate', dataIndex: 'rate', align: 'right', render: (v: number | null) => pct(v) },
          { title: 'Baseline', dataIndex: 'baselineRate', align: 'right', render: (v: number | null) => pct(v) },
          { title: 'Difference', dataIndex: 'diff', align: 'right', render: points },
          { title: '95% interval', key: 'ci', align: 'right', render: (_: unknown, c: Comparison) => pointsInterval(c.diffLow, c.diffHigh) },
          { title: 'p-value', dataIndex: 'pValue', align: 'right', render: pValue },
          { title: 'Lift vs baseline', dataIndex: 'lift', align: 'right', render: lift },
        ]}
      />
    </>
  );
}
