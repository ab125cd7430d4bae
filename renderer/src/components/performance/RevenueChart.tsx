import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Table } from 'antd';
import { useMemo } from 'react';
import type { PerformanceReport } from '../../../../shared/performance';
import { formatMoney, toMajor } from '../../../../shared/money';
import { Chart } from './Chart';
import { count, majorMoney } from './format';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type Period = PerformanceReport['overTime'][number];

/** Revenue recovered per week (Monday, UTC) with that week's cost beside it. */
export function RevenueChart({ periods, currency, dark }: { periods: Period[]; currency: string; dark: boolean }) {
  const money = (v: number) => formatMoney(v, currency);
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? majorMoney(v, currency) : '—') },
      legend: { top: 0, data: ['Recovered', 'Cost'] },
      grid: { left: 64, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: periods.map((p) => p.start) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => majorMoney(v, currency, true) } },
      series: [
        { name: 'Recovered', type: 'bar', barMaxWidth: 36, data: periods.map((p) => toMajor(p.amountRecovered, currency)) },
        { name: 'Cost', type: 'line', data: periods.map((p) => toMajor(p.cost, currency)) },
      ],
    }),
    [periods, currency],
  );
  return (
    <>
      <Chart testId="chart-revenue" title="Revenue recovered per week" option={option} dark={dark} />
      <Table
        data-testid="table-revenue"
        size="small"
        rowKey="start"
        pagination={periods.length > 14 ? { pageSize: 14, size: 'small' } : false}
        dataSource={periods}
        onRow={(p) => ({ 'data-testid': `week-row-${p.start}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: 'Week of', dataIndex: 'start' },
          { title: 'Invoices recovered', dataIndex: 'recovered', align: 'right', render: count },
          { title: 'Recovered', dataIndex: 'amountRecovered', align: 'right', render: money },
          { title: 'Cost', dataIndex: 'cost', align: 'right', render: money },
        ]}
      />
    </>
  );
}
