import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Table } from 'antd';
import { useMemo } from 'react';
import type { PerformanceReport } from '../../../../shared/performance';
import { Chart } from './Chart';
import { pct } from './format';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type Curve = PerformanceReport['curves'][number];

/** The share recovered by the end of `day` (a step curve: the last point at or before it). */
export function recoveredBy(curve: Curve, day: number): number | null {
  let v: number | null = null;
  for (const p of curve.points) {
    if (p.day > day) break;
    v = p.recovered;
  }
  return v;
}

/** The days the table shows: a few checkpoints within the window, and the window's end. */
export function checkpoints(windowDays: number): number[] {
  return [...new Set([1, 3, 7, 14, 30, 60, 90].filter((d) => d < windowDays).concat(windowDays))];
}

/** Recovery curve per segment (and all): share recovered by day since first failure, open invoices censored. */
export function CurvesChart({ curves, windowDays, dark }: { curves: Curve[]; windowDays: number; dark: boolean }) {
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? pct(v) : '—') },
      legend: { top: 0, type: 'scroll', data: curves.map((c) => c.label) },
      grid: { left: 48, right: 24, top: 36, bottom: 40 },
      xAxis: { type: 'value', name: 'days since first failure', nameLocation: 'middle', nameGap: 26, min: 0, max: windowDays },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: curves.map((c) => ({
        name: c.label,
        type: 'line',
        step: 'end',
        showSymbol: c.points.length < 2,
        lineStyle: c.key === 'all' ? { width: 3 } : { width: 1.5 },
        data: c.points.map((p) => [p.day, p.recovered]),
      })),
    }),
    [curves, windowDays],
  );
  const days = checkpoints(windowDays);
  return (
    <>
      <Chart testId="chart-curves" title="Recovery curve per segment" option={option} dark={dark} />
      <Table
        data-testid="table-curves"
        size="small"
        rowKey="key"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={curves}
        onRow={(c) => ({ 'data-testid': `curve-row-${c.key}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: 'Segment', dataIndex: 'label' },
          ...days.map((d) => ({ title: `Day ${d}`, key: `d${d}`, align: 'right' as const, render: (_: unknown, c: Curve) => pct(recoveredBy(c, d)) })),
        ]}
      />
    </>
  );
}
