import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Table } from 'antd';
import { useMemo } from 'react';
import type { PerformanceGroup } from '../../../../shared/performance';
import { formatMoney, toMajor } from '../../../../shared/money';
import { Chart } from './Chart';
import { majorMoney } from './format';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

/** Cost against recovered revenue per segment: what was spent (voice credits, offers) and what came back. */
export function CostChart({ groups, currency, dark }: { groups: PerformanceGroup[]; currency: string; dark: boolean }) {
  const money = (v: number) => formatMoney(v, currency);
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => (typeof v === 'number' ? majorMoney(v, currency) : '—') },
      legend: { top: 0, data: ['Recovered', 'Cost', 'Net'] },
      grid: { left: 64, right: 16, top: 36, bottom: 48 },
      xAxis: { type: 'category', data: groups.map((g) => g.label), axisLabel: { interval: 0, overflow: 'truncate', width: 90 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => majorMoney(v, currency, true) } },
      series: [
        { name: 'Recovered', type: 'bar', barMaxWidth: 28, data: groups.map((g) => toMajor(g.amountRecovered, currency)) },
        { name: 'Cost', type: 'bar', barMaxWidth: 28, data: groups.map((g) => toMajor(g.costVoice + g.costOffers, currency)) },
        { name: 'Net', type: 'bar', barMaxWidth: 28, data: groups.map((g) => toMajor(g.net, currency)) },
      ],
    }),
    [groups, currency],
  );
  return (
    <>
      <Chart testId="chart-cost" title="Cost against recovered revenue per segment" option={option} dark={dark} />
      <Table
        data-testid="table-cost"
        size="small"
        rowKey="key"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={groups}
        onRow={(g) => ({ 'data-testid': `cost-row-${g.key}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: 'Segment', dataIndex: 'label' },
          { title: 'Recovered', dataIndex: 'amountRecovered', align: 'right', render: money },
          { title: 'Voice credits', dataIndex: 'costVoice', align: 'right', render: money },
          { title: 'Offers', dataIndex: 'costOffers', align: 'right', render: money },
          { title: 'Net', dataIndex: 'net', align: 'right', render: money },
        ]}
      />
    </>
  );
}
