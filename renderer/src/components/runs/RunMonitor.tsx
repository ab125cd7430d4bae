import { PauseCircleOutlined, PlayCircleOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Progress, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { Output, RunAction, RunSummary } from '../../../../shared/contract';
import { formatMoney } from '../../lib/format';
import { useApp, useCurrentWorkspace } from '../../store';
import { ModeBadge } from '../ModeBadge';
import { CHANNEL_COLOR, CHANNEL_LABEL } from '../strategies/StepCard';
import { whenMs, whenSec } from '../../lib/time';

type ActionStatus = RunAction['status'];
const STATUS_COLOR: Record<ActionStatus, string> = { scheduled: 'blue', in_flight: 'processing', pending: 'cyan', succeeded: 'green', failed: 'red', skipped: 'default', canceled: 'default' };
export const RUN_COLOR: Record<RunSummary['status'], string> = { running: 'processing', paused: 'orange', canceled: 'default', completed: 'green', failed: 'red' };

const PAGE = 50;

/** Live view of one run: progress from `runs.progress` events, per-action status, pause / resume / cancel. */
export function RunMonitor({ runId }: { runId: string }) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message, modal } = AntApp.useApp();
  const [run, setRun] = useState<RunSummary | null>(null);
  const [actions, setActions] = useState<Output<'runs.actions'> | null>(null);
  const [status, setStatus] = useState<ActionStatus | null>(null);
  const [page, setPage] = useState(1);
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    client.call('runs.status', { workspaceId: ws.id, runId }).then(
      (r) => !stale && setRun(r),
      (e: Error) => !stale && setError(e.message),
    );
    const offProgress = client.on('runs.progress', (p) => {
      if (p.workspaceId !== ws.id || p.run.id !== runId) return;
      setRun(p.run);
      setVersion((v) => v + 1);
    });
    const offChanged = client.on('runs.changed', (p) => {
      if (p.workspaceId !== ws.id || (p.runId !== null && p.runId !== runId)) return;
      client.call('runs.status', { workspaceId: ws.id, runId }).then((r) => !stale && setRun(r), () => {});
      setVersion((v) => v + 1);
    });
    return () => {
      stale = true;
      offProgress();
      offChanged();
    };
  }, [client, ws.id, runId]);

  // The per-action table follows progress; a request still in flight when the next event lands is dropped.
  useEffect(() => {
    let stale = false;
    const t = setTimeout(() => {
      client.call('runs.actions', { workspaceId: ws.id, runId, status: status ?? undefined, offset: (page - 1) * PAGE, limit: PAGE }).then(
        (a) => !stale && setActions(a),
        () => {},
      );
    }, 150);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [client, ws.id, runId, status, page, version]);

  const act = useCallback(
    async (what: 'pause' | 'resume' | 'cancel') => {
      setBusy(true);
      try {
        const r = await client.call(`runs.${what}`, { workspaceId: ws.id, runId });
        setRun(r);
        setVersion((v) => v + 1);
        message.success(what === 'pause' ? 'Run paused: nothing more is sent until you resume' : what === 'resume' ? 'Run resumed' : 'Run cancelled: its remaining steps will not fire');
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e));
      } finally {
        setBusy(false);
      }
    },
    [client, ws.id, runId, message],
  );

  if (error) return <Alert type="error" showIcon message="This run could not be loaded" description={error} />;
  if (!run) return <Card size="small" loading />;

  const c = run.counts;
  const total = c.scheduled + c.in_flight + c.pending + c.succeeded + c.failed + c.skipped + c.canceled;
  const done = c.succeeded + c.failed + c.skipped + c.canceled;
  const active = run.status === 'running' || run.status === 'paused';
  const cur = ws.currency;

  return (
    <Card
      size="small"
      data-testid="run-monitor"
      title={
        <Space>
          <span>Run {run.id}</span>
          <Tag color={RUN_COLOR[run.status]} data-testid="run-status">
            {run.status}
          </Tag>
          <ModeBadge workspace={{ kind: ws.kind, mode: run.mode }} />
        </Space>
      }
      extra={
        <Space>
          {run.status === 'running' && (
            <Button icon={<PauseCircleOutlined />} loading={busy} onClick={() => act('pause')}>
              Pause
            </Button>
          )}
          {run.status === 'paused' && (
            <Button type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={() => act('resume')}>
              Resume
            </Button>
          )}
          {active && (
            <Button
              danger
              icon={<StopOutlined />}
              disabled={busy}
              onClick={() =>
                modal.confirm({
                  title: 'Cancel this run?',
                  content: 'Actions already carried out stay done; no further step of this run fires.',
                  okText: 'Cancel run',
                  okButtonProps: { danger: true },
                  cancelText: 'Keep running',
                  onOk: () => act('cancel'),
                })
              }
            >
              Cancel run
            </Button>
          )}
        </Space>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        <Progress percent={total ? Math.round((done / total) * 100) : 0} status={run.status === 'failed' ? 'exception' : run.status === 'running' ? 'active' : 'normal'} aria-label="Run progress" />
        <Space size="large" wrap>
          <Statistic title="Invoices" value={run.invoices} />
          <Statistic title="Succeeded" value={c.succeeded} data-testid="run-succeeded" valueStyle={{ color: '#2f9e44' }} />
          <Statistic title="Failed" value={c.failed} valueStyle={c.failed ? { color: '#c92a2a' } : undefined} />
          <Statistic title="Skipped" value={c.skipped} />
          <Statistic title="Scheduled" value={c.scheduled} data-testid="run-scheduled" />
          <Statistic title="Due now" value={run.dueNow} />
          <Statistic title="Recovered" value={`${run.recovered.invoices} · ${formatMoney(run.recovered.amount, cur)}`} data-testid="run-recovered" />
          <Statistic title="Cost" value={formatMoney(run.cost, cur)} />
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          Started {whenMs(run.createdAt)} by {run.startedBy}
          {run.nextDueAt ? ` · next step due ${whenSec(run.nextDueAt)} (fires while the app is open, or with \`reclaim run tick\`)` : ''}
        </Typography.Text>
        {run.message && <Alert type={run.status === 'failed' ? 'error' : 'info'} showIcon message={run.message} />}

        <Space>
          <Typography.Text strong>Actions</Typography.Text>
          <Select
            aria-label="Filter actions by status"
            allowClear
            placeholder="Any status"
            value={status}
            onChange={(v) => (setStatus(v ?? null), setPage(1))}
            style={{ width: 150 }}
            options={(Object.keys(STATUS_COLOR) as ActionStatus[]).map((s) => ({ value: s, label: s.replace('_', ' ') }))}
          />
        </Space>
        <Table<RunAction>
          size="small"
          rowKey="key"
          loading={!actions}
          dataSource={actions?.rows ?? []}
          data-testid="run-actions"
          pagination={{ current: page, pageSize: PAGE, total: actions?.total ?? 0, onChange: setPage, showSizeChanger: false }}
          locale={{ emptyText: !actions ? ' ' : status ? `No ${status.replace('_', ' ')} actions` : 'No actions in this run' }}
          columns={[
            { title: 'Customer', key: 'c', render: (_, a) => a.customerName ?? a.customerId },
            { title: 'Segment', dataIndex: 'segmentName' },
            { title: 'Step', key: 's', render: (_, a) => <Tag color={CHANNEL_COLOR[a.channel]}>{`${a.stepIndex + 1}. ${CHANNEL_LABEL[a.channel]}`}</Tag> },
            { title: 'Due', dataIndex: 'dueAt', render: (v: number) => whenSec(v) },
            { title: 'Status', dataIndex: 'status', render: (s: ActionStatus) => <Tag color={STATUS_COLOR[s]}>{s.replace('_', ' ')}</Tag> },
            { title: 'Result', dataIndex: 'detail', render: (d: string | null) => d ?? '—' },
            { title: 'Cost', key: 'cost', align: 'right', render: (_, a) => (a.cost ? formatMoney(a.cost.amount, a.cost.currency) : '—') },
          ]}
        />
      </Space>
    </Card>
  );
}
