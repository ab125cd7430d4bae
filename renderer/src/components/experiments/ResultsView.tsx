import { Alert, Table, Typography } from 'antd';
import { useMemo } from 'react';
import type { ExperimentResults } from '../../../../shared/experiments';
import { formatMoney } from '../../lib/format';
import { useApp } from '../../store';
import { CurveChart } from './CurveChart';

/** Segmentation results share the table; chance to beat control and curves are experiments' own. */
type Arm = Omit<ExperimentResults['arms'][number], 'chanceToBeatControl' | 'curve'> & Partial<Pick<ExperimentResults['arms'][number], 'chanceToBeatControl' | 'curve'>>;
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
/** P(beats control); the extremes as bounds, not a certainty. */
const chance = (x: number | null) => (x === null ? '—' : x > 0.999 ? '> 99.9%' : x < 0.001 ? '< 0.1%' : pct(x));
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const dur = (s: number | null) => (s === null ? '—' : s < 86_400 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86_400).toFixed(1)} d`);

/** Per-arm recovery with the difference vs control (95% CI, p-value) and plain words. */
export function ResultsView({ results }: { results: { arms: Arm[] } & Pick<ExperimentResults, 'currency' | 'summary'> & Partial<Pick<ExperimentResults, 'srm' | 'mde' | 'power' | 'neededPerArm' | 'moreDays' | 'curveDays'>> }) {
  const money = (v: number) => formatMoney(v, results.currency);
  const dark = useApp((s) => s.theme === 'dark');
  const curves = useMemo(() => (results.arms.every((a) => a.curve) ? results.arms.map((a) => ({ arm: a.arm, curve: a.curve! })) : null), [results.arms]);
  const bayes = results.arms.some((a) => a.chanceToBeatControl !== undefined);
  return (
    <div data-testid="experiment-results">
      {results.srm?.flagged && <Alert type="error" showIcon message="Sample ratio mismatch" description={results.srm.message} style={{ marginBottom: 12 }} />}
      <Table
        size="small"
        rowKey="arm"
        pagination={false}
        dataSource={results.arms}
        columns={[
          { title: 'Arm', dataIndex: 'arm' },
          { title: 'Customers', dataIndex: 'customers', align: 'right' },
          { title: 'Invoices', dataIndex: 'entered', align: 'right' },
          { title: 'Recovered', dataIndex: 'recovered', align: 'right' },
          { title: 'Rate', dataIndex: 'rate', align: 'right', render: pct },
          { title: 'By amount', dataIndex: 'rateByAmount', align: 'right', render: pct },
          { title: 'Median time', dataIndex: 'medianSecondsToRecovery', align: 'right', render: dur },
          { title: 'Revenue', dataIndex: 'recoveredRevenue', align: 'right', render: money },
          { title: 'Offer cost', dataIndex: 'offerCost', align: 'right', render: money },
          {
            title: 'vs control (95% CI)', key: 'vs',
            render: (_: unknown, a: Arm) => (a.vsControl ? `${pts(a.vsControl.diff)} pts [${pts(a.vsControl.ciLow)}, ${pts(a.vsControl.ciHigh)}], p = ${a.vsControl.pValue.toFixed(4)}` : '—'),
          },
          ...(bayes ? [{ title: 'Chance to beat control', dataIndex: 'chanceToBeatControl', align: 'right' as const, render: (v: number | null | undefined) => <span data-testid="chance-to-beat">{chance(v ?? null)}</span> }] : []),
          { title: 'Verdict', dataIndex: 'verdict' },
        ]}
      />
      {results.mde !== undefined && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          To detect {(results.mde * 100).toFixed(1)} points at power {results.power}: {results.neededPerArm} invoices per arm
          {results.moreDays === null || results.moreDays === undefined ? '' : results.moreDays === 0 ? ' (reached)' : `, about ${results.moreDays} more days at the current rate`}.
        </Typography.Paragraph>
      )}
      <Typography.Paragraph strong data-testid="results-summary">{results.summary}</Typography.Paragraph>
      {curves && <CurveChart arms={curves} days={results.curveDays ?? 30} dark={dark} />}
    </div>
  );
}
