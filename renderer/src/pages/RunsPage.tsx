import { ExperimentOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Checkbox, Descriptions, Empty, Modal, Select, Space, Spin, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { Plan, RunSummary, Segment } from '../../../shared/contract';
import { ModeBadge } from '../components/ModeBadge';
import { AuditView } from '../components/runs/AuditView';
import { OutboxView } from '../components/runs/OutboxView';
import { PlanView } from '../components/runs/PlanView';
import { RUN_COLOR, RunMonitor } from '../components/runs/RunMonitor';
import { ContactPolicyForm } from '../components/runs/ContactPolicyForm';
import { SmtpForm } from '../components/runs/SmtpForm';
import { formatMoney } from '../lib/format';
import { useApp, useCurrentWorkspace } from '../store';
import { whenMs } from '../lib/time';

const sameSelection = (a: string[], b: string[] | undefined) => JSON.stringify([...a].sort()) === JSON.stringify([...(b ?? [])].sort());

/** Confirmation before anything is sent: counts, cost, and in live mode the LIVE badge and an explicit acknowledgement. */
function ConfirmRun({ plan, open, onCancel, onConfirm, busy }: { plan: Plan; open: boolean; onCancel(): void; onConfirm(): void; busy: boolean }) {
  const ws = useCurrentWorkspace()!;
  const [ack, setAck] = useState(false);
  const live = plan.mode === 'live' && ws.kind !== 'demo';
  const t = plan.totals;
  const emails = t.byChannel.find((c) => c.channel === 'email')?.now ?? 0;
  const retries = t.byChannel.find((c) => c.channel === 'retry')?.now ?? 0;
  const offers = t.byChannel.find((c) => c.channel === 'offer')?.now ?? 0;
  return (
    <Modal
      open={open}
      onCancel={onCancel}
      title={
        <Space>
          Start this recovery run?
          <ModeBadge workspace={{ kind: ws.kind, mode: plan.mode }} />
        </Space>
      }
      okText={live ? 'Start LIVE run' : 'Start run'}
      okButtonProps={{ danger: live, disabled: live && !ack, loading: busy, 'aria-label': 'Confirm and start the run' } as never}
      onOk={onConfirm}
      afterClose={() => setAck(false)}
      destroyOnHidden
    >
      <div data-testid="confirm-run">
        {live && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 12 }}
            message="LIVE mode: real customers, real money"
            description="Emails go to real customers and Stripe retries charge real cards. Nothing here can be undone."
          />
        )}
        <Descriptions size="small" column={1} bordered styles={{ label: { width: 150, whiteSpace: 'nowrap' } }}>
          <Descriptions.Item label="Invoices">{t.invoices.toLocaleString()}</Descriptions.Item>
          <Descriptions.Item label="Customers">{t.customers.toLocaleString()}</Descriptions.Item>
          <Descriptions.Item label="Amount at risk">{formatMoney(t.amountAtRisk, plan.currency)}</Descriptions.Item>
          <Descriptions.Item label="Now">
            <span data-testid="confirm-now">
              {emails} emails · {retries} Stripe retries · {offers} offers ({t.actionsNow} actions)
            </span>
          </Descriptions.Item>
          <Descriptions.Item label="Later">{t.actionsLater.toLocaleString()} actions, as they fall due</Descriptions.Item>
          <Descriptions.Item label="Skipped">{t.skipped.toLocaleString()}</Descriptions.Item>
          <Descriptions.Item label="Estimated cost">{formatMoney(t.estimatedCost, plan.currency)}</Descriptions.Item>
        </Descriptions>
        {ws.kind === 'demo' && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>
            Demo workspace: retries go to the local Stripe simulator and emails are captured in the Outbox; nobody is mailed or charged.
          </Typography.Paragraph>
        )}
        {live && (
          <Checkbox checked={ack} onChange={(e) => setAck(e.target.checked)} style={{ marginTop: 12 }} aria-label="I understand this acts on live customers">
            I understand this emails and charges live customers.
          </Checkbox>
        )}
      </div>
    </Modal>
  );
}

function PlanAndRun({ onStarted }: { onStarted(run: RunSummary): void }) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message } = AntApp.useApp();
  const [segments, setSegments] = useState<Segment[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [repeatDone, setRepeatDone] = useState(false);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [planning, setPlanning] = useState(false);
  const [planError, setPlanError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    client.call('segments.list', { workspaceId: ws.id }).then((l) => setSegments(l.segments), () => setSegments([]));
  }, [client, ws.id]);

  const makePlan = async () => {
    setPlanning(true);
    setPlan(null);
    setPlanError(null);
    try {
      setPlan(await client.call('runs.plan', { workspaceId: ws.id, segmentIds: chosen.length ? chosen : undefined, ...(repeatDone ? { repeatDone: true } : {}) }));
    } catch (e) {
      setPlanError(e instanceof Error ? e.message : String(e));
    } finally {
      setPlanning(false);
    }
  };

  const start = async () => {
    if (!plan) return;
    setStarting(true);
    try {
      const run = await client.call('runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true });
      setConfirming(false);
      setPlan(null);
      message.success(`Run ${run.id} started`);
      onStarted(run);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setStarting(false);
    }
  };

  const outdated = plan !== null && (!sameSelection(chosen, plan.filters.segmentIds) || repeatDone !== (plan.filters.repeatDone === true));
  const nothing = plan !== null && plan.totals.actionsNow + plan.totals.actionsLater === 0;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap>
          <Typography.Text>Recover</Typography.Text>
          <Select
            mode="multiple"
            aria-label="Segments to plan"
            allowClear
            placeholder="All segments"
            value={chosen}
            onChange={setChosen}
            style={{ minWidth: 320 }}
            options={[...segments.map((s) => ({ value: s.id, label: s.name })), { value: 'default', label: 'Default (no segment)' }]}
          />
          <Checkbox checked={repeatDone} onChange={(e) => setRepeatDone(e.target.checked)}>
            <Tooltip title="Steps an earlier run already did for an invoice are skipped (“already sent 3 min ago”) unless this is ticked. The per-customer contact cap applies either way.">
              Repeat steps already done
            </Tooltip>
          </Checkbox>
          <Button icon={<ExperimentOutlined />} onClick={makePlan} loading={planning} type={plan && !outdated ? 'default' : 'primary'}>
            Dry-run plan
          </Button>
          <Button type="primary" danger={plan?.mode === 'live' && ws.kind !== 'demo'} icon={<PlayCircleOutlined />} disabled={!plan || outdated || nothing || planning} onClick={() => setConfirming(true)}>
            Start run…
          </Button>
          <ModeBadge workspace={ws} />
        </Space>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          The dry run sends nothing: it shows every open failed invoice, the strategy its customer's segment gets, the steps due now and later, their cost and why any are skipped. A run executes exactly that plan after you confirm.
        </Typography.Paragraph>
      </Card>
      {planError && <Alert type="error" showIcon message="The plan could not be made" description={planError} />}
      {planning && (
        <Card size="small">
          <Spin tip="Planning…">
            <div style={{ minHeight: 120 }} />
          </Spin>
        </Card>
      )}
      {outdated && <Alert type="info" showIcon message="The segment choice or “Repeat steps already done” changed since this plan was made: make a new dry run before starting." />}
      {nothing && <Alert type="success" showIcon message="Nothing to do: no open failed invoice in this selection needs a step." />}
      {plan && <PlanView plan={plan} />}
      {!plan && !planning && !planError && <Empty description="Choose segments (or leave empty for all) and make a dry-run plan." />}
      {plan && <ConfirmRun plan={plan} open={confirming} onCancel={() => setConfirming(false)} onConfirm={start} busy={starting} />}
    </Space>
  );
}

function PastRuns({ selected, onSelect }: { selected: string | null; onSelect(id: string): void }) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => client.call('runs.list', { workspaceId: ws.id, limit: 100 }).then(setRuns, (e: Error) => setError(e.message)), [client, ws.id]);
  useEffect(() => {
    void load();
    const a = client.on('runs.changed', (p) => p.workspaceId === ws.id && void load());
    const b = client.on('runs.progress', (p) => p.workspaceId === ws.id && setRuns((rs) => rs?.map((r) => (r.id === p.run.id ? p.run : r)) ?? rs));
    return () => (a(), b());
  }, [client, ws.id, load]);

  if (error) return <Alert type="error" showIcon message="Runs could not be loaded" description={error} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Table<RunSummary>
        size="small"
        rowKey="id"
        loading={!runs}
        dataSource={runs ?? []}
        data-testid="run-list"
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        rowClassName={(r) => (r.id === selected ? 'ant-table-row-selected' : '')}
        onRow={(r) => ({ onClick: () => onSelect(r.id), onKeyDown: (e: React.KeyboardEvent) => e.key === 'Enter' && onSelect(r.id), tabIndex: 0, style: { cursor: 'pointer' }, 'aria-label': `Run ${r.id}` }) as never}
        locale={{ emptyText: 'No runs yet: make a dry-run plan and start one.' }}
        columns={[
          { title: 'Run', dataIndex: 'id' },
          { title: 'Started', dataIndex: 'createdAt', render: (v: number) => whenMs(v) },
          { title: 'By', dataIndex: 'startedBy' },
          { title: 'Mode', key: 'm', render: (_, r) => <ModeBadge workspace={{ kind: ws.kind, mode: r.mode }} /> },
          { title: 'Status', dataIndex: 'status', render: (s: RunSummary['status']) => <Tag color={RUN_COLOR[s]}>{s}</Tag> },
          { title: 'Invoices', dataIndex: 'invoices', align: 'right' },
          { title: 'Done', key: 'd', align: 'right', render: (_, r) => `${r.counts.succeeded} ok · ${r.counts.failed} failed` },
          { title: 'Scheduled', key: 's', align: 'right', render: (_, r) => r.counts.scheduled },
          { title: 'Recovered', key: 'r', align: 'right', render: (_, r) => `${r.recovered.invoices} · ${formatMoney(r.recovered.amount, ws.currency)}` },
        ]}
      />
      {selected && <RunMonitor key={selected} runId={selected} />}
    </Space>
  );
}

export function RunsPage() {
  const [tab, setTab] = useState('plan');
  const [visit, setVisit] = useState(0);
  const [selected, setSelected] = useState<string | null>(null);
  const show = (key: string) => {
    setTab(key);
    setVisit((v) => v + 1);
  };
  // The plan survives switching tabs; the other views load afresh on every visit.
  return (
    <Tabs
      activeKey={tab}
      onChange={show}
      items={[
        { key: 'plan', label: 'Plan and run', children: <PlanAndRun onStarted={(r) => (setSelected(r.id), show('runs'))} /> },
        { key: 'runs', label: 'Runs', children: <PastRuns key={`runs-${visit}`} selected={selected} onSelect={setSelected} /> },
        { key: 'outbox', label: 'Outbox', children: <OutboxView key={`outbox-${visit}`} /> },
        { key: 'audit', label: 'Audit log', children: <AuditView key={`audit-${visit}`} /> },
        {
          key: 'email',
          label: 'Email settings',
          children: (
            <>
              <SmtpForm key={`email-${visit}`} />
              <ContactPolicyForm key={`cap-${visit}`} />
            </>
          ),
        },
      ]}
    />
  );
}
