import { Table } from 'antd';
import type { PerformanceGroup } from '../../../../shared/performance';
import { formatMoney } from '../../../../shared/money';
import { count, days, interval, pct } from './format';

/**
 * The figures of each group (segment, variant, decline, channel, month) in one table: the same
 * numbers as the charts, and what a reviewer copies. Wide: it scrolls inside itself at 1024 px.
 */
export function GroupTable({ testId, groups, currency, groupTitle, empty }: { testId: string; groups: PerformanceGroup[]; currency: string; groupTitle: string; empty?: string }) {
  const money = (v: number) => formatMoney(v, currency);
  return (
    <Table
      data-testid={testId}
      size="small"
      rowKey="key"
      pagination={groups.length > 20 ? { pageSize: 20, size: 'small' } : false}
      scroll={{ x: 'max-content' }}
      dataSource={groups}
      locale={{ emptyText: empty ?? 'No invoices in this cut' }}
      onRow={(g) => ({ 'data-testid': `${testId}-row-${g.key}` }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: groupTitle, dataIndex: 'label', fixed: 'left' },
        { title: 'Invoices', dataIndex: 'invoices', align: 'right', render: count },
        { title: 'Recovered', dataIndex: 'recovered', align: 'right', render: count },
        { title: 'Rate', dataIndex: 'rate', align: 'right', render: (v: number | null) => pct(v) },
        { title: '95% interval', key: 'ci', align: 'right', render: (_: unknown, g: PerformanceGroup) => interval(g.rateLow, g.rateHigh) },
        { title: 'By amount', dataIndex: 'rateByAmount', align: 'right', render: (v: number | null) => pct(v) },
        { title: 'Recovered revenue', dataIndex: 'amountRecovered', align: 'right', render: money },
        { title: 'Partial', dataIndex: 'partial', align: 'right', render: count },
        { title: 'At risk', dataIndex: 'amountAtRisk', align: 'right', render: money },
        { title: 'Median', dataIndex: 'medianDays', align: 'right', render: days },
        { title: 'p90', dataIndex: 'p90Days', align: 'right', render: days },
        { title: 'Cost', key: 'cost', align: 'right', render: (_: unknown, g: PerformanceGroup) => money(g.costVoice + g.costOffers) },
        { title: 'Net', dataIndex: 'net', align: 'right', render: money },
        { title: 'Without action', dataIndex: 'recoveredWithoutAction', align: 'right', render: count },
      ]}
    />
  );
}
