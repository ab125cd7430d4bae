import { CheckCircleFilled, CloseCircleFilled, ExportOutlined } from '@ant-design/icons';
import { Alert, Collapse, Descriptions, Drawer, Empty, Space, Spin, Table, Tabs, Tag, Tree, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Membership, MrrSettings, Output } from '../../../shared/contract';
import { MRR_RULES } from '../../../shared/mrr-rules';
import { codeWords, declineWords, subscriptionStatusWords } from '../../../shared/stripe-words';
import { formatDate, formatDays, formatMoney } from '../lib/format';
import { useApp, useCurrentWorkspace } from '../store';
import { AnnualSwitchButton } from './AnnualSwitch';
import { CustomerTimeline } from './CustomerTimeline';

type Detail = Output<'customers.get'>;
type Node = Membership['segments'][number]['explanation'];

function toTree(node: Node, key = '0'): { key: string; title: React.ReactNode; children?: unknown[] } {
  return {
    key,
    title: (
      <Space size={6}>
        {node.matched ? <CheckCircleFilled style={{ color: '#2f9e44' }} /> : <CloseCircleFilled style={{ color: '#c92a2a' }} />}
        <span>{node.description}</span>
      </Space>
    ),
    children: ((node.children ?? []) as Node[]).map((c, i) => toTree(c, `${key}-${i}`)),
  };
}

const ext = (url: string, label: string) => (
  <a href={url} target="_blank" rel="noreferrer">
    {label} <ExportOutlined />
  </a>
);

export function CustomerDrawer({ customerId, onClose }: { customerId: string; onClose: () => void }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [membership, setMembership] = useState<Membership | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mrrSettings, setMrrSettings] = useState<MrrSettings | null>(null);

  useEffect(() => {
    if (!client || !ws) return;
    client.call('customers.get', { workspaceId: ws.id, customerId }).then(setDetail, (e: Error) => setError(e.message));
    client.call('segments.membership', { workspaceId: ws.id, customerId }).then(setMembership, () => setMembership(null));
    client.call('facts.mrrSettings', { workspaceId: ws.id }).then(setMrrSettings, () => setMrrSettings(null));
  }, [client, ws, customerId]);

  const cur = ws?.currency ?? 'usd';
  const f = detail?.facts;
  return (
    <Drawer open width={880} onClose={onClose} title={f ? (f.name ?? f.email ?? f.customer_id) : 'Customer'} extra={detail && ext(detail.stripeUrl, 'Open in Stripe')}>
      {error && <Alert type="error" showIcon message={error} />}
      {!detail && !error && <Spin />}
      {f && detail && (
        <Tabs
          items={[
            {
              key: 'facts',
              label: 'Facts',
              children: (
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Descriptions size="small" column={2} bordered>
                    <Descriptions.Item label="Customer">{f.customer_id}</Descriptions.Item>
                    <Descriptions.Item label="Email">{f.email ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="Plan">{f.plan ?? '—'} {f.billing_interval && <Typography.Text type="secondary">({f.billing_interval}ly)</Typography.Text>}</Descriptions.Item>
                    <Descriptions.Item label="Status">{f.subscription_status ? subscriptionStatusWords(f.subscription_status) : 'No subscription'}</Descriptions.Item>
                    <Descriptions.Item label="MRR">{formatMoney(f.mrr, cur)}</Descriptions.Item>
                    <Descriptions.Item label="Lifetime value">{formatMoney(f.ltv, cur)}</Descriptions.Item>
                    <Descriptions.Item label="Tenure">{formatDays(f.tenure_days)}</Descriptions.Item>
                    <Descriptions.Item label="Billing currency">{f.currency?.toUpperCase() ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="Failures (12 months)">{f.failures_12m}</Descriptions.Item>
                    <Descriptions.Item label="Last decline">
                      {f.last_decline_code ? <Tag color={f.last_decline_hard ? 'red' : 'orange'} title={`Stripe code ${f.last_decline_code}`}>{declineWords(f.last_decline_code)} · {f.last_decline_hard ? 'hard' : 'soft'}</Tag> : '—'}
                      {f.last_advice_code && <Tag title={`Stripe's retry advice (${f.last_advice_code})`}>Stripe advises: {codeWords(f.last_advice_code).toLowerCase()}</Tag>}
                    </Descriptions.Item>
                    <Descriptions.Item label="Open past-due invoices">{f.open_past_due_count}</Descriptions.Item>
                    <Descriptions.Item label="Amount at risk">{formatMoney(f.amount_at_risk, cur)}</Descriptions.Item>
                    <Descriptions.Item label="In dunning for">{f.days_since_first_failure === null ? '—' : `${f.days_since_first_failure} days`}</Descriptions.Item>
                    <Descriptions.Item label="Card expiry">
                      {f.card_expiry ?? '—'} {f.card_expires_in_days !== null && f.card_expires_in_days < 0 && <Tag color="red">expired</Tag>}
                    </Descriptions.Item>
                    <Descriptions.Item label="Region">{f.region ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="Industry">{f.industry ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="Account manager">{f.account_manager ?? '—'}</Descriptions.Item>
                    <Descriptions.Item label="Tags">{f.tags.length ? f.tags.map((t) => <Tag key={t}>{t}</Tag>) : '—'}</Descriptions.Item>
                    {Object.entries(f.attrs).map(([k, v]) => (
                      <Descriptions.Item key={k} label={k}>
                        {String(v)}
                      </Descriptions.Item>
                    ))}
                  </Descriptions>
                  {ws && f.billing_interval === 'month' && f.subscription_status !== 'canceled' && (
                    <AnnualSwitchButton
                      workspaceId={ws.id}
                      customerId={customerId}
                      onDone={() => void client?.call('customers.get', { workspaceId: ws.id, customerId }).then(setDetail, (e: Error) => setError(e.message))}
                    />
                  )}
                  <Collapse
                    size="small"
                    data-testid="mrr-rules"
                    items={[
                      {
                        key: 'mrr',
                        label: 'How MRR is computed',
                        children: (
                          <>
                            <ul style={{ margin: 0, paddingLeft: 18 }}>
                              {(mrrSettings?.rules ?? MRR_RULES).map((r) => (
                                <li key={r}>{r}</li>
                              ))}
                            </ul>
                            {mrrSettings && (
                              <Typography.Text type="secondary">
                                This workspace {mrrSettings.includeFiniteCoupons ? 'counts once and repeating coupons while they last' : 'counts only forever coupons (Stripe’s default)'}; change it with{' '}
                                <Typography.Text code>reclaim mrr --finite-coupons on|off</Typography.Text>.
                              </Typography.Text>
                            )}
                          </>
                        ),
                      },
                    ]}
                  />
                </Space>
              ),
            },
            {
              key: 'segments',
              label: 'Segments',
              children: membership ? (
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Alert type={membership.winner ? 'success' : 'info'} showIcon message={membership.why} data-testid="why-segment" />
                  {membership.segments.map((s) => (
                    <div key={s.id}>
                      <Space>
                        <Typography.Text type="secondary">#{s.priority}</Typography.Text>
                        <Tag color={s.color}>{s.name}</Tag>
                        {s.matched ? <Typography.Text type="success">matches</Typography.Text> : <Typography.Text type="secondary">does not match</Typography.Text>}
                        {membership.winner?.id === s.id && <Tag color="blue">wins</Tag>}
                      </Space>
                      <Tree selectable={false} defaultExpandAll treeData={[toTree(s.explanation)] as never} />
                    </div>
                  ))}
                </Space>
              ) : (
                <Empty description="No segments yet" />
              ),
            },
            {
              key: 'timeline',
              label: 'Recovery timeline',
              children: <CustomerTimeline customerId={customerId} />,
            },
            {
              key: 'invoices',
              label: `Invoices (${detail.invoices.length})`,
              children: (
                <Table
                  size="small"
                  rowKey="id"
                  pagination={{ pageSize: 12 }}
                  dataSource={detail.invoices}
                  columns={[
                    { title: 'Created', dataIndex: 'created', render: formatDate },
                    { title: 'Status', dataIndex: 'status', render: (s: string) => <Tag color={s === 'paid' ? 'green' : s === 'open' ? 'orange' : 'default'}>{s}</Tag> },
                    { title: 'Amount', key: 'a', align: 'right', render: (_, i) => formatMoney(i.amountDue, i.currency) },
                    { title: 'Remaining', key: 'r', align: 'right', render: (_, i) => (i.amountRemaining ? formatMoney(i.amountRemaining, i.currency) : '—') },
                    { title: 'Attempts', dataIndex: 'attemptCount', align: 'right' },
                    { title: 'Next retry', dataIndex: 'nextPaymentAttempt', render: formatDate },
                    { title: '', key: 'l', render: (_, i) => ext(i.url, i.id) },
                  ]}
                />
              ),
            },
            {
              key: 'payments',
              label: `Payment attempts (${detail.charges.length})`,
              children: (
                <Table
                  size="small"
                  rowKey="id"
                  pagination={{ pageSize: 12 }}
                  dataSource={detail.charges}
                  columns={[
                    { title: 'Date', dataIndex: 'created', render: formatDate },
                    { title: 'Status', dataIndex: 'status', render: (s: string) => <Tag color={s === 'succeeded' ? 'green' : s === 'failed' ? 'red' : 'default'}>{s}</Tag> },
                    { title: 'Amount', key: 'a', align: 'right', render: (_, c) => formatMoney(c.amount, c.currency) },
                    { title: 'Decline', key: 'd', render: (_, c) => (c.declineCode ?? c.failureCode ? <Tag color={c.hard ? 'red' : 'orange'} title={`Stripe code ${c.declineCode ?? c.failureCode}`}>{declineWords((c.declineCode ?? c.failureCode)!)}</Tag> : '—') },
                    { title: 'Refunded', key: 'rf', align: 'right', render: (_, c) => (c.amountRefunded ? formatMoney(c.amountRefunded, c.currency) : '—') },
                    { title: '', key: 'l', render: (_, c) => ext(c.url, c.id) },
                  ]}
                />
              ),
            },
            {
              key: 'subscriptions',
              label: `Subscriptions (${detail.subscriptions.length})`,
              children: (
                <Table
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={detail.subscriptions}
                  columns={[
                    { title: 'Plan', dataIndex: 'plan' },
                    { title: 'Status', dataIndex: 'status', render: (s: string) => <Tag>{subscriptionStatusWords(s)}</Tag> },
                    { title: 'MRR', key: 'm', align: 'right', render: (_, s) => formatMoney(s.mrr, cur) },
                    { title: 'Since', dataIndex: 'created', render: formatDate },
                    { title: '', key: 'l', render: (_, s) => ext(s.url, s.id) },
                  ]}
                />
              ),
            },
          ]}
        />
      )}
    </Drawer>
  );
}
