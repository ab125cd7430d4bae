import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo, useState } from 'react';
import { useEchart } from './use-echart';
import type { ExperimentResults } from '../../../../shared/experiments';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type Arm = Pick<ExperimentResults['arms'][number], 'arm' | 'curve'>;

/**
 * Recovery curves per arm: the share of entered invoices recovered by day
 * since entry (Kaplan–Meier, computed in the core; open invoices censored).
 * A step line per arm; `data-series` lists the series echarts holds.
 */
export function CurveChart({ arms, days, dark }: { arms: Arm[]; days: number; dark: boolean }) {
  const [series, setSeries] = useState('');
  const option = useMemo(() => {
    const last = Math.max(0, ...arms.map((a) => a.curve.at(-1)?.day ?? 0));
    return {
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—') },
      legend: { top: 0, data: arms.map((a) => a.arm) },
      grid: { left: 48, right: 16, top: 32, bottom: 36 },
      xAxis: { type: 'category', name: 'days since entry', nameLocation: 'middle', nameGap: 24, data: Array.from({ length: last + 1 }, (_, d) => String(d)) },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: arms.map((a) => ({ name: a.arm, type: 'line', step: 'end', showSymbol: a.curve.length < 2, data: a.curve.map((p) => p.recovered) })),
    };
  }, [arms]);
  const ref = useEchart(option, dark, (chart) => setSeries(((chart.getOption().series as { name?: string }[] | undefined) ?? []).map((s) => s.name ?? '').join(',')));
  return (
    <div>
      <div style={{ fontWeight: 500, marginTop: 12 }}>Recovered by day since entry (first {days} days; invoices still open count as censored)</div>
      <div ref={ref} data-testid="curve-chart" data-series={series} style={{ width: '100%', height: 240 }} />
    </div>
  );
}
