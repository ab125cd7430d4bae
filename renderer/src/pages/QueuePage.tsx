import { Alert, Button, Empty, Segmented, Select, Space, Table, Tag, Tooltip, Typography, theme } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Segment } from '../../../shared/contract';
import { OUTCOME_LABELS, type Outcome, type TaskSummary } from '../../../shared/whiteglove';
import { OUTCOME_KEYS, TaskDetail } from '../components/TaskDetail';
import { WhiteGloveSettings } from '../components/WhiteGloveSettings';
import { formatMoney } from '../lib/format';
import { useOperators } from '../lib/operators';
import { useApp, useCurrentWorkspace } from '../store';

type View = 'all' | 'mine' | 'overdue';
const ME_KEY = 'reclaim.am';
const hm = (sec: number) => new Date(sec * 1000).toISOString().replace('T', ' ').slice(5, 16);

function loadMe(): string {
  try {
    return localStorage.getItem(ME_KEY) ?? '';
  } catch {
    return '';
  }
}

/**
 * The white-glove queue: account-manager and call tasks, highest amount at risk
 * first. Keyboard: j / k move, o (or Enter) opens, 1–6 log an outcome.
 */
export function QueuePage() {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const { token } = theme.useToken();
  const [rows, setRows] = useState<TaskSummary[]>([]);
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [view, setView] = useState<View>('all');
  const [status, setStatus] = useState<'open' | 'done' | 'all'>('open');
  const [segmentId, setSegmentId] = useState<string | undefined>();
  const [segments, setSegments] = useState<Segment[]>([]);
  const [me, setMe] = useState(loadMe);
  // #23: with operators, "Mine" is the operator signed in on this computer (the core resolves it).
  const { signedIn } = useOperators(client, ws?.id);
  const signedInId = signedIn?.id ?? null;
  const [rawCursor, setCursor] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [pending, setPending] = useState<Outcome | null>(null);
  const [settings, setSettings] = useState(false);
  const [sort, setSort] = useState<{ key: string; order: SortOrder }>({ key: 'amountAtRisk', order: 'descend' });

  const load = useCallback(async () => {
    if (!client || !ws) return;
    try {
      const res = await client.call('queue.list', {
        workspaceId: ws.id,
        status,
        overdue: view === 'overdue',
        ...(view === 'mine' && signedInId ? { mine: true as const } : view === 'mine' && me ? { mine: me } : {}),
        ...(segmentId ? { segmentId } : {}),
      });
      setRows(res.rows);
      setNow(res.now);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [client, ws, status, view, me, segmentId, signedInId]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the queue from the core is the effect
    void load();
    if (!client || !ws) return;
    client.call('segments.list', { workspaceId: ws.id }).then((r) => setSegments(r.segments), () => setSegments([]));
    const off = client.on('queue.changed', (e) => e.workspaceId === ws.id && void load());
    const offRuns = client.on('runs.changed', (e) => e.workspaceId === ws.id && void load());
    return () => {
      off();
      offRuns();
    };
  }, [client, ws, load]);

  const sorted = useMemo(() => {
    const dir = sort.order === 'ascend' ? 1 : -1;
    const val = (t: TaskSummary): number | string => (sort.key === 'customer' ? (t.customerName ?? t.customerId).toLowerCase() : (t[sort.key as keyof TaskSummary] as number));
    return [...rows].sort((a, b) => (val(a) < val(b) ? -dir : val(a) > val(b) ? dir : a.id.localeCompare(b.id)));
  }, [rows, sort]);
  const cursor = Math.min(rawCursor, Math.max(0, sorted.length - 1));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      const outcome = OUTCOME_KEYS[e.key];
      if (openId) {
        if (outcome) {
          e.preventDefault();
          setPending(outcome);
        }
        return;
      }
      if (e.key === 'j' || e.key === 'ArrowDown') setCursor(Math.min(cursor + 1, sorted.length - 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') setCursor(Math.max(cursor - 1, 0));
      else if ((e.key === 'o' || e.key === 'Enter') && sorted[cursor]) setOpenId(sorted[cursor]!.id);
      else if (outcome && sorted[cursor]) {
        setOpenId(sorted[cursor]!.id);
        setPending(outcome);
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sorted, cursor, openId]);

  const onSort = (key: string) => ({ sortOrder: sort.key === key ? sort.order : null, sorter: true, sortDirections: ['descend', 'ascend'] as SortOrder[] });
  const managers = useMemo(() => [...new Set(rows.map((r) => r.assignee).filter((a): a is string => !!a).concat(me ? [me] : []))].sort(), [rows, me]);
  const cur = ws?.currency ?? 'usd';

  if (!ws) return <Empty description="Choose a workspace" />;
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <Segmented<View> aria-label="Which tasks" value={view} onChange={setView} options={[{ label: 'All', value: 'all' }, { label: 'Mine', value: 'mine' }, { label: 'Overdue', value: 'overdue' }]} />
        {signedIn ? (
          <Typography.Text type="secondary" data-testid="queue-signed-in">
            Signed in as {signedIn.name}
          </Typography.Text>
        ) : (
          <Select
            aria-label="I am"
            style={{ width: 260 }}
            placeholder="I am… (account manager)"
            allowClear
            showSearch
            value={me || undefined}
            options={managers.map((m) => ({ value: m, label: m }))}
            onChange={(v: string | undefined) => {
              setMe(v ?? '');
              try {
                localStorage.setItem(ME_KEY, v ?? '');
              } catch {
                /* not remembered */
              }
            }}
          />
        )}
        <Select aria-label="Segment" style={{ width: 180 }} placeholder="Any segment" allowClear value={segmentId} onChange={setSegmentId} options={segments.map((s) => ({ value: s.id, label: s.name }))} />
        <Select aria-label="Status" style={{ width: 120 }} value={status} onChange={setStatus} options={[{ value: 'open', label: 'Open' }, { value: 'done', label: 'Done' }, { value: 'all', label: 'All' }]} />
        <Typography.Text type="secondary" data-testid="queue-count">
          {rows.length} task{rows.length === 1 ? '' : 's'}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <Typography.Text keyboard>j</Typography.Text>/<Typography.Text keyboard>k</Typography.Text> move · <Typography.Text keyboard>o</Typography.Text> open ·{' '}
          <Typography.Text keyboard>1</Typography.Text>–<Typography.Text keyboard>6</Typography.Text> outcome
        </Typography.Text>
        <Button size="small" onClick={() => setSettings(true)}>
          Settings
        </Button>
      </Space>
      {view === 'mine' && !me && !signedIn && <Alert type="info" showIcon message="Choose who you are (I am…) to see your tasks." />}
      {error && <Alert type="error" showIcon message={error} />}
      <Table<TaskSummary>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={sorted}
        pagination={false}
        locale={{ emptyText: <Empty description="No tasks here. Account-manager and call steps of a run land in this queue." /> }}
        onChange={(_p, _f, s) => {
          const one = Array.isArray(s) ? s[0] : s;
          if (one?.columnKey) setSort({ key: String(one.columnKey), order: one.order ?? 'descend' });
        }}
        onRow={(t, i) => ({
          'data-testid': `task-row-${t.id}`,
          'aria-selected': i === cursor,
          onClick: () => {
            setCursor(i ?? 0);
            setOpenId(t.id);
          },
          style: { cursor: 'pointer', background: i === cursor ? token.controlItemBgActive : undefined },
        }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            key: 'customer',
            title: 'Customer',
            ...onSort('customer'),
            render: (_, t) => (
              <span>
                <Typography.Text strong>{t.customerName ?? t.customerId}</Typography.Text>{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t.customerEmail}</Typography.Text>
              </span>
            ),
          },
          { key: 'kind', title: 'Kind', render: (_, t) => <Tag>{t.kind === 'call' ? 'call' : 'AM'}</Tag> },
          { key: 'segment', title: 'Segment', render: (_, t) => (t.segment ? <Tag color={t.segment.color}>{t.segment.name}</Tag> : 'Default') },
          { key: 'amountAtRisk', title: 'At risk', align: 'right', ...onSort('amountAtRisk'), render: (_, t) => <Typography.Text type="danger">{formatMoney(t.amountAtRisk, cur)}</Typography.Text> },
          { key: 'mrr', title: 'MRR', align: 'right', ...onSort('mrr'), render: (_, t) => formatMoney(t.mrr, cur) },
          { key: 'assignee', title: 'Assignee', render: (_, t) => t.assignee ?? <Typography.Text type="secondary">unassigned</Typography.Text> },
          {
            key: 'dueAt',
            title: 'Due',
            ...onSort('dueAt'),
            render: (_, t) => (
              <Space size={4}>
                {hm(t.dueAt)}
                {t.overdue && <Tag color="red">overdue</Tag>}
                {!t.overdue && t.status === 'open' && t.slaBreached && (
                  <Tooltip title="No outcome logged within the SLA">
                    <Tag color="volcano">SLA</Tag>
                  </Tooltip>
                )}
              </Space>
            ),
          },
          {
            key: 'outcome',
            title: 'Outcome',
            render: (_, t) =>
              t.outcome ? <Tag color={t.outcome === 'promised' || t.outcome === 'updated' ? 'green' : undefined}>{OUTCOME_LABELS[t.outcome]}{t.outcome === 'promised' && t.promisedDate ? ` · ${t.promisedDate}` : ''}</Tag> : '—',
          },
          { key: 'email', title: 'Email', render: (_, t) => (t.emailSentAt ? <Tag color="blue">sent</Tag> : '—') },
        ]}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>As of {hm(now)} UTC · Filter and personal email draft work offline on the last synced data.</Typography.Text>
      {settings && <WhiteGloveSettings onClose={() => setSettings(false)} />}
      {openId && <TaskDetail key={openId} taskId={openId} me={me} onClose={() => setOpenId(null)} pendingOutcome={pending} onOutcomeHandled={() => setPending(null)} />}
    </Space>
  );
}
