import { App as AntApp, Alert, Button, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import type { AnnualSwitch as Switch } from '../../../shared/annual';
import { formatDate, formatMoney } from '../lib/format';
import { useApp } from '../store';

/**
 * Accepting the annual-billing offer (#17 item 13), from the customer drawer or
 * an account-manager task: Stripe's preview of what the customer pays now, then
 * the confirmed switch (same proration date, so the charge is the preview's).
 */
export function AnnualSwitchButton({ workspaceId, customerId, onDone }: { workspaceId: string; customerId: string; onDone?: () => void }) {
  const client = useApp((s) => s.client);
  const { message } = AntApp.useApp();
  const [preview, setPreview] = useState<Switch | null>(null);
  const [busy, setBusy] = useState(false);

  const open = async () => {
    if (!client) return;
    setBusy(true);
    try {
      setPreview(await client.call('recovery.switchToAnnual', { workspaceId, customerId }));
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    if (!client || !preview) return;
    setBusy(true);
    try {
      const done = await client.call('recovery.switchToAnnual', { workspaceId, customerId, subscriptionId: preview.subscriptionId, confirm: true, prorationDate: preview.prorationDate });
      if (done.status === 'switched') message.success(`Switched to yearly billing; ${formatMoney(done.amountDue, done.currency)} charged (invoice ${done.invoiceId ?? '—'}).`);
      else message.warning(`Not switched yet: the yearly invoice ${done.invoiceId ?? ''} was not paid; the subscription stays monthly until it is.`);
      setPreview(null);
      onDone?.();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const m = (n: number) => formatMoney(n, preview?.currency ?? 'usd');
  return (
    <>
      <Button onClick={() => void open()} loading={busy && !preview} data-testid="annual-switch">
        Switch to yearly billing…
      </Button>
      {preview && (
        <Modal
          open
          title="Switch to yearly billing"
          okText={`Switch and charge ${m(preview.amountDue)}`}
          onOk={() => void confirm()}
          confirmLoading={busy}
          onCancel={() => setPreview(null)}
        >
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text>
              {preview.quantity} × {m(preview.from.unitAmount)}/month → {m(preview.to.unitAmount)}/year (saves {m(preview.savingsPerYear)} a year). Stripe credits the unused time and
              charges the year now; the billing date becomes {formatDate(preview.prorationDate)}.
            </Typography.Text>
            <Table
              size="small"
              pagination={false}
              rowKey={(_, i) => String(i)}
              dataSource={preview.lines}
              columns={[
                { title: 'Line', dataIndex: 'description' },
                { title: 'Amount', dataIndex: 'amount', align: 'right', render: (a: number) => m(a) },
              ]}
            />
            <Typography.Text strong data-testid="annual-amount-due">The customer pays now: {m(preview.amountDue)}</Typography.Text>
            {preview.openInvoices.length > 0 && (
              <Alert type="info" showIcon message={`Failed invoice${preview.openInvoices.length > 1 ? 's' : ''} ${preview.openInvoices.map((i) => `${i.id} (${m(i.amountRemaining)})`).join(', ')} stay open: the switch does not pay or void them.`} />
            )}
            <Typography.Text type="secondary">If the card declines, the subscription stays monthly (the change waits for payment in Stripe).</Typography.Text>
          </Space>
        </Modal>
      )}
    </>
  );
}
