import { BarChart, CustomChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import type { PerformanceGroup } from '../../../../shared/performance';
import { Chart } from './Chart';
import { interval, pct } from './format';

echarts.use([BarChart, CustomChart, GridComponent, TooltipComponent, CanvasRenderer]);

interface Api {
  value(i: number): number;
  coord(p: [number, number]): [number, number];
  size(p: [number, number]): [number, number];
  style(extra: object): object;
}

/** Recovery rate by segment: a bar per segment with its 95% Wilson interval as an error bar. */
export function RateChart({ groups, dark }: { groups: PerformanceGroup[]; dark: boolean }) {
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (items: { dataIndex: number }[]) => {
          const g = groups[items[0]?.dataIndex ?? 0];
          return g ? `${g.label}<br/>${pct(g.rate)} (95%: ${interval(g.rateLow, g.rateHigh)})<br/>${g.recovered} of ${g.invoices} invoices` : '';
        },
      },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: groups.map((g) => g.label), axisLabel: { interval: 0, overflow: 'truncate', width: 90 } },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: [
        { name: 'Recovery rate', type: 'bar', barMaxWidth: 48, data: groups.map((g) => g.rate) },
        {
          name: '95% interval',
          type: 'custom',
          data: groups.map((g, i) => [i, g.rateLow ?? 0, g.rateHigh ?? 0]),
          renderItem: (_: unknown, api: Api) => {
            const x = api.value(0);
            const low = api.coord([x, api.value(1)]);
            const high = api.coord([x, api.value(2)]);
            const half = api.size([1, 0])[0] * 0.12;
            const style = { stroke: dark ? '#d9d9d9' : '#262626', lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
                { type: 'line', shape: { x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1] }, style },
                { type: 'line', shape: { x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1] }, style },
              ],
            };
          },
          z: 10,
        },
      ],
    }),
    [groups, dark],
  );
  return <Chart testId="chart-rate" title="Recovery rate by segment with 95% intervals" option={option} dark={dark} />;
}
