import { Alert, App as AntApp, Card, Input, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { ChannelKind, Plan, PlanRow, PlanStep } from '../../../../shared/contract';
import { declineWords } from '../../../../shared/stripe-words';
import { downloadText } from '../../lib/download';
import { ExportButtons } from './ExportButtons';
import { formatDate, formatMoney } from '../../lib/format';
import { useApp, useCurrentWorkspace } from '../../store';
import { CHANNEL_COLOR, CHANNEL_LABEL } from '../strategies/StepCard';
import { whenMs } from '../../lib/time';

const WHEN_COLOR: Record<PlanStep['when'], string> = { now: 'green', later: 'blue', skip: 'default', done: 'default' };

function StepTag({ s, currency }: { s: PlanStep; currency: string }) {
  const tip = [
    s.label || CHANNEL_LABEL[s.channel],
    s.when === 'skip' ? `skipped: ${s.skipReason ?? ''}` : s.when === 'done' ? 'already done' : `due ${formatDate(s.dueAt)}`,
    s.note,
    s.estimatedCost ? `est. ${formatMoney(s.estimatedCost.amount, s.estimatedCost.currency ?? currency)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <Tooltip title={tip}>
      <Tag color={s.when === 'skip' ? undefined : CHANNEL_COLOR[s.channel]} style={{ opacity: s.when === 'skip' || s.when === 'done' ? 0.55 : 1, textDecoration: s.when === 'skip' ? 'line-through' : undefined, marginInlineEnd: 4 }}>
        {s.when === 'now' ? '▶ ' : ''}
        {CHANNEL_LABEL[s.channel]}
        {s.when === 'later' ? ` · ${formatDate(s.dueAt).slice(5)}` : ''}
      </Tag>
    </Tooltip>
  );
}

type When = 'any' | 'now' | 'later' | 'skip';

/** The dry-run plan: totals by segment and channel, skip reasons, a filterable row per invoice, export. */
export function PlanView({ plan }: { plan: Plan }) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message } = AntApp.useApp();
  const cur = plan.currency;
  const t = plan.totals;
  const [segment, setSegment] = useState<string | null>(null);
  const [channel, setChannel] = useState<ChannelKind | null>(null);
  const [when, setWhen] = useState<When>('any');
  const [reason, setReason] = useState<string | null>(null);
  const [search, setSearch] = useState('');

  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    return plan.rows.filter((r) => {
      if (segment !== null && (r.segmentId ?? 'default') !== segment) return false;
      if (q && ![r.customerName, r.email, r.customerId, r.invoiceId, r.invoiceNumber].some((v) => v?.toLowerCase().includes(q))) return false;
      const steps = r.steps.filter((s) => (channel === null || s.channel === channel) && (when === 'any' || s.when === when));
      if ((channel !== null || when !== 'any') && steps.length === 0) return false;
      if (reason !== null && r.skipReason !== reason && !r.steps.some((s) => s.skipReason === reason)) return false;
      return true;
    });
  }, [plan.rows, segment, channel, when, reason, search]);

  const exportAs = async (format: 'csv' | 'json') => {
    try {
      const { filename, text } = await client.call('runs.planExport', { workspaceId: ws.id, planId: plan.planId, format });
      downloadText(filename, text, format === 'csv' ? 'text/csv' : 'application/json');
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="plan">
      {plan.warnings.map((w) => (
        <Alert key={w} type="warning" showIcon message={w} />
      ))}
      <Card
        size="small"
        title="Dry-run plan"
        extra={
          <ExportButtons onExport={(f) => void exportAs(f)} />
        }
      >
        <Space size="large" wrap>
          <Statistic title="Invoices" value={t.invoices} data-testid="plan-invoices" />
          <Statistic title="Customers" value={t.customers} />
          <Statistic title="Amount at risk" value={formatMoney(t.amountAtRisk, cur)} />
          <Statistic title="Actions now" value={t.actionsNow} data-testid="plan-now" />
          <Statistic title="Later" value={t.actionsLater} />
          <Statistic title="Skipped" value={t.skipped} />
          <Statistic title="Estimated cost" value={formatMoney(t.estimatedCost, cur)} />
        </Space>
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Planned {whenMs(plan.createdAt)} on a membership snapshot taken then. Nothing has been sent.
          </Typography.Text>
        </div>
      </Card>

      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 480px), 1fr))', gap: 16 }}>
        <Card size="small" title="By segment" data-testid="plan-by-segment">
          <Table
            size="small"
            pagination={false}
            rowKey={(r) => r.segmentId ?? 'default'}
            scroll={{ x: 'max-content' }}
            dataSource={t.bySegment}
            onRow={(r) => ({ onClick: () => setSegment(r.segmentId ?? 'default'), style: { cursor: 'pointer' } })}
            columns={[
              { title: 'Segment', dataIndex: 'segmentName' },
              { title: 'Invoices', dataIndex: 'invoices', align: 'right' },
              { title: 'At risk', dataIndex: 'amountAtRisk', align: 'right', render: (v: number) => formatMoney(v, cur) },
              { title: 'Actions', dataIndex: 'actions', align: 'right' },
              { title: 'Skipped', dataIndex: 'skipped', align: 'right' },
              { title: 'Cost', dataIndex: 'estimatedCost', align: 'right', render: (v: number) => formatMoney(v, cur) },
            ]}
          />
        </Card>
        <Card size="small" title="By channel">
          <Table
            size="small"
            pagination={false}
            rowKey="channel"
            scroll={{ x: 'max-content' }}
            dataSource={t.byChannel}
            onRow={(r) => ({ onClick: () => setChannel(r.channel), style: { cursor: 'pointer' } })}
            columns={[
              { title: 'Channel', dataIndex: 'channel', render: (c: ChannelKind) => <Tag color={CHANNEL_COLOR[c]}>{CHANNEL_LABEL[c]}</Tag> },
              { title: 'Now', dataIndex: 'now', align: 'right' },
              { title: 'Later', dataIndex: 'later', align: 'right' },
              { title: 'Skipped', dataIndex: 'skipped', align: 'right' },
              { title: 'Cost', dataIndex: 'estimatedCost', align: 'right', render: (v: number) => formatMoney(v, cur) },
            ]}
          />
        </Card>
        <Card size="small" title="Skip reasons">
          {t.skipReasons.length === 0 ? (
            <Typography.Text type="secondary">Nothing is skipped.</Typography.Text>
          ) : (
            <Table
              size="small"
              pagination={false}
              rowKey="reason"
              dataSource={t.skipReasons}
              onRow={(r) => ({ onClick: () => setReason(r.reason), style: { cursor: 'pointer' } })}
              columns={[
                { title: 'Reason', dataIndex: 'reason' },
                { title: 'Count', dataIndex: 'count', align: 'right' },
              ]}
            />
          )}
        </Card>
      </div>

      <Card
        size="small"
        title={`Plan: ${rows.length.toLocaleString()} of ${plan.rows.length.toLocaleString()} invoices`}
        extra={
          <Space wrap>
            <Input.Search aria-label="Search the plan" placeholder="customer, email, invoice" allowClear value={search} onChange={(e) => setSearch(e.target.value)} style={{ width: 220 }} />
            <Select
              aria-label="Filter plan by segment"
              allowClear
              placeholder="All segments"
              value={segment}
              onChange={(v) => setSegment(v ?? null)}
              style={{ width: 160 }}
              options={t.bySegment.map((s) => ({ value: s.segmentId ?? 'default', label: s.segmentName }))}
            />
            <Select
              aria-label="Filter plan by channel"
              allowClear
              placeholder="All channels"
              value={channel}
              onChange={(v) => setChannel(v ?? null)}
              style={{ width: 150 }}
              options={t.byChannel.map((c) => ({ value: c.channel, label: CHANNEL_LABEL[c.channel] }))}
            />
            <Select
              aria-label="Filter plan by timing"
              value={when}
              onChange={setWhen}
              style={{ width: 120 }}
              options={[
                { value: 'any', label: 'Any time' },
                { value: 'now', label: 'Due now' },
                { value: 'later', label: 'Later' },
                { value: 'skip', label: 'Skipped' },
              ]}
            />
            <Select
              aria-label="Filter plan by skip reason"
              allowClear
              placeholder="Any skip reason"
              value={reason}
              onChange={(v) => setReason(v ?? null)}
              style={{ width: 200 }}
              options={t.skipReasons.map((r) => ({ value: r.reason, label: `${r.reason} (${r.count})` }))}
            />
          </Space>
        }
      >
        <Table<PlanRow>
          size="small"
          rowKey="invoiceId"
          dataSource={rows}
          pagination={{ pageSize: 25, showSizeChanger: false }}
          data-testid="plan-rows"
          locale={{ emptyText: plan.rows.length ? 'No invoice matches these filters' : 'No open failed invoices in this selection: nothing to recover.' }}
          columns={[
            { title: 'Customer', key: 'c', render: (_, r) => <Space direction="vertical" size={0}><Typography.Text>{r.customerName ?? r.customerId}</Typography.Text><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.email ?? 'no email address'}</Typography.Text></Space> },
            { title: 'Segment', dataIndex: 'segmentName' },
            { title: 'Invoice', key: 'i', render: (_, r) => r.invoiceNumber ?? r.invoiceId },
            { title: 'At risk', dataIndex: 'amountAtRisk', align: 'right', render: (v: number) => formatMoney(v, cur) },
            { title: 'Attempts', dataIndex: 'attemptCount', align: 'right' },
            { title: 'Decline', key: 'd', render: (_, r) => (r.lastDeclineCode ? <Tag color={r.hardDecline ? 'red' : 'orange'} title={`Stripe code ${r.lastDeclineCode}`}>{declineWords(r.lastDeclineCode)}</Tag> : '—') },
            {
              title: 'Steps',
              key: 's',
              render: (_, r) =>
                r.skipReason ? (
                  <Typography.Text type="secondary">skipped: {r.skipReason}</Typography.Text>
                ) : (
                  <Space size={0} wrap>
                    {/* In the order the steps fire (#17.11: by due time, not list order). */}
                    {[...r.steps].sort((x, y) => x.dueAt - y.dueAt || x.stepIndex - y.stepIndex).map((s) => (
                      <StepTag key={s.stepId} s={s} currency={cur} />
                    ))}
                  </Space>
                ),
            },
          ]}
        />
        <Space size={4} wrap>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Legend:
          </Typography.Text>
          {(['now', 'later', 'skip'] as const).map((w) => (
            <Tag key={w} color={WHEN_COLOR[w]} style={{ fontSize: 11 }}>
              {w === 'now' ? '▶ due now' : w === 'later' ? 'later (date)' : 'skipped (struck through)'}
            </Tag>
          ))}
        </Space>
      </Card>
    </Space>
  );
}
