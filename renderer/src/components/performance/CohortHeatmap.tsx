import { HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Table } from 'antd';
import { useMemo } from 'react';
import type { PerformanceReport } from '../../../../shared/performance';
import { Chart } from './Chart';
import { pct } from './format';

echarts.use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

type Cell = PerformanceReport['cohortHeatmap'][number];

/** Failure month × days since failure → share recovered by then (blank where the month is too young). */
export function CohortHeatmap({ cells, dark }: { cells: Cell[]; dark: boolean }) {
  const { cohorts, dayList, byKey } = useMemo(() => {
    const cohorts = [...new Set(cells.map((c) => c.cohort))].sort();
    const dayList = [...new Set(cells.map((c) => c.day))].sort((a, b) => a - b);
    const byKey = new Map(cells.map((c) => [`${c.cohort}|${c.day}`, c.recovered]));
    return { cohorts, dayList, byKey };
  }, [cells]);
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      tooltip: {
        formatter: (p: { data: [number, number, number | null] }) => `${cohorts[p.data[1]]}, day ${dayList[p.data[0]]}: ${pct(p.data[2])}`,
      },
      grid: { left: 72, right: 16, top: 8, bottom: 64 },
      xAxis: { type: 'category', name: 'days since first failure', nameLocation: 'middle', nameGap: 26, data: dayList.map(String), splitArea: { show: true } },
      yAxis: { type: 'category', data: cohorts, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
        text: ['100%', '0%'],
        inRange: { color: dark ? ['#1f1f1f', '#4096ff'] : ['#f0f5ff', '#1d39c4'] },
      },
      series: [
        {
          name: 'Recovered by day',
          type: 'heatmap',
          label: { show: dayList.length <= 12, formatter: (p: { data: [number, number, number | null] }) => (p.data[2] === null ? '' : `${Math.round(p.data[2] * 100)}`) },
          data: cells.filter((c) => c.recovered !== null).map((c) => [dayList.indexOf(c.day), cohorts.indexOf(c.cohort), c.recovered]),
        },
      ],
    }),
    [cells, cohorts, dayList, dark],
  );
  return (
    <>
      <Chart testId="chart-heatmap" title="Cohort heatmap: failure month by day since failure" option={option} dark={dark} height={Math.max(200, 90 + cohorts.length * 28)} />
      <Table
        data-testid="table-heatmap"
        size="small"
        rowKey={(c) => c}
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={cohorts}
        onRow={(c) => ({ 'data-testid': `heatmap-row-${c}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: 'Failure month', key: 'cohort', render: (_: unknown, c: string) => c },
          ...dayList.map((d) => ({ title: `Day ${d}`, key: `d${d}`, align: 'right' as const, render: (_: unknown, c: string) => pct(byKey.get(`${c}|${d}`) ?? null) })),
        ]}
      />
    </>
  );
}
