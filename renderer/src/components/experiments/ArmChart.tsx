import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import { useEchart } from './use-echart';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

/** Arm sizes: customers per group against the count the split expects. */
export function ArmChart({ arms, dark }: { arms: { arm: string; customers: number; expected: number }[]; dark: boolean }) {
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis' },
      legend: { data: ['Customers', 'Expected'] },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: arms.map((a) => a.arm) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: 'Customers', type: 'bar', data: arms.map((a) => a.customers) },
        { name: 'Expected', type: 'bar', data: arms.map((a) => Math.round(a.expected * 10) / 10) },
      ],
    }),
    [arms],
  );
  const ref = useEchart(option, dark);
  return <div ref={ref} data-testid="arm-chart" style={{ width: '100%', height: 220 }} />;
}
