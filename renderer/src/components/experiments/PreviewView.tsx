import { Alert, Table } from 'antd';
import type { ExperimentPreview } from '../../../../shared/experiments';
import { formatMoney } from '../../lib/format';
import { useApp } from '../../store';
import { ArmChart } from './ArmChart';

/** Arm sizes, MRR and amount at risk per arm, the hashing deviation, and the SRM check (prominent). */
export function PreviewView({ preview }: { preview: ExperimentPreview }) {
  const dark = useApp((s) => s.theme === 'dark');
  return (
    <div data-testid="experiment-preview">
      <Alert
        type={preview.srm.flagged ? 'error' : 'success'}
        showIcon
        data-testid="srm"
        message={preview.srm.flagged ? 'Sample ratio mismatch' : 'Split check passed'}
        description={preview.srm.message}
        style={{ marginBottom: 12 }}
      />
      <Table
        size="small"
        rowKey="arm"
        pagination={false}
        dataSource={preview.arms}
        columns={[
          { title: 'Arm', dataIndex: 'arm' },
          { title: 'Split', dataIndex: 'share', align: 'right', render: (v: number) => `${(v * 100).toFixed(1)}%` },
          { title: 'Customers', dataIndex: 'customers', align: 'right' },
          { title: 'Expected', dataIndex: 'expected', align: 'right', render: (v: number) => v.toFixed(1) },
          {
            title: 'Difference (±1 SD from hashing)', key: 'dev', align: 'right',
            render: (_: unknown, a: ExperimentPreview['arms'][number]) => `${a.deviation >= 0 ? '+' : ''}${a.deviation.toFixed(1)} (±${a.expectedSd.toFixed(1)})`,
          },
          { title: 'MRR', dataIndex: 'mrr', align: 'right', render: (v: number) => formatMoney(v, preview.currency) },
          { title: 'At risk', dataIndex: 'amountAtRisk', align: 'right', render: (v: number) => formatMoney(v, preview.currency) },
          { title: 'Treated', dataIndex: 'treated', align: 'right' },
        ]}
      />
      <ArmChart arms={preview.arms} dark={dark} />
    </div>
  );
}
