import { Alert, App as AntApp, Card, DatePicker, Input, Space, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import type { AuditEntry, Output } from '../../../../shared/contract';
import { downloadText } from '../../lib/download';
import { AuditVerify } from './AuditVerify';
import { ExportButtons } from './ExportButtons';
import { useDebounced } from '../../lib/useDebounced';
import { useApp, useCurrentWorkspace } from '../../store';
import { whenMs } from '../../lib/time';
import { auditKindWords } from '../../lib/audit-words';

type Page = Output<'audit.list'>;
const PAGE = 50;

/** Append-only record of plans, confirmations, actions, results and errors: who and when; filter and export. */
export function AuditView() {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message } = AntApp.useApp();
  const [kind, setKind] = useState('');
  const [runId, setRunId] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ for: string; value: Page } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const filters = useDebounced({ kind: kind.trim(), runId: runId.trim(), customerId: customerId.trim() }, 250);
  const since = range?.[0]?.startOf('day').valueOf();
  const until = range?.[1] ? range[1].endOf('day').valueOf() + 1 : undefined;
  const key = JSON.stringify([filters, since, until, page]);
  // What the inputs say right now: until the debounced request for it answers, the table shows loading, not the old rows.
  const wanted = JSON.stringify([{ kind: kind.trim(), runId: runId.trim(), customerId: customerId.trim() }, since, until, page]);

  useEffect(() => client.on('runs.changed', (p) => p.workspaceId === ws.id && setVersion((v) => v + 1)), [client, ws.id]);

  useEffect(() => {
    let stale = false;
    client
      .call('audit.list', {
        workspaceId: ws.id,
        kind: filters.kind || undefined,
        runId: filters.runId || undefined,
        customerId: filters.customerId || undefined,
        since,
        until,
        offset: (page - 1) * PAGE,
        limit: PAGE,
      })
      .then(
        (value) => {
          if (stale) return;
          setData({ for: key, value });
          setError(null);
        },
        (e: Error) => !stale && setError(e.message),
      );
    return () => {
      stale = true;
    };
  }, [client, ws.id, filters, since, until, page, key, version]);

  const exportAs = async (format: 'csv' | 'json') => {
    try {
      const { filename, text } = await client.call('audit.export', { workspaceId: ws.id, since, until, format });
      downloadText(filename, text, format === 'csv' ? 'text/csv' : 'application/json');
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const current = data?.for === wanted ? data.value : null;
  if (error) return <Alert type="error" showIcon message="The audit log could not be loaded" description={error} />;
  return (
    <Card
      size="small"
      data-testid="audit"
      title={current ? `Audit log · ${current.total.toLocaleString()} entries` : 'Audit log'}
      extra={
        <ExportButtons onExport={(f) => void exportAs(f)} />
      }
    >
      <AuditVerify />
      <Space wrap style={{ marginBottom: 12 }}>
        <Input aria-label="Filter audit by kind" placeholder="kind (e.g. plan, action)" allowClear value={kind} onChange={(e) => (setKind(e.target.value), setPage(1))} style={{ width: 190 }} />
        <Input aria-label="Filter audit by run" placeholder="run id" allowClear value={runId} onChange={(e) => (setRunId(e.target.value), setPage(1))} style={{ width: 170 }} />
        <Input aria-label="Filter audit by customer" placeholder="customer id" allowClear value={customerId} onChange={(e) => (setCustomerId(e.target.value), setPage(1))} style={{ width: 170 }} />
        <DatePicker.RangePicker aria-label="Filter audit by date" value={range} onChange={(r) => (setRange(r), setPage(1))} allowEmpty={[true, true]} />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          Export covers the chosen dates.
        </Typography.Text>
      </Space>
      <Table<AuditEntry>
        size="small"
        rowKey="id"
        loading={!current}
        dataSource={current?.rows ?? []}
        pagination={{ current: page, pageSize: PAGE, total: current?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        locale={{ emptyText: 'Nothing recorded for these filters. Plans, confirmations, every action and its result land here.' }}
        columns={[
          { title: 'When', dataIndex: 'at', width: 180, render: (v: number) => whenMs(v) },
          { title: 'Who', dataIndex: 'actor', width: 120 },
          { title: 'Kind', dataIndex: 'kind', width: 130, render: (k: string) => <span title={k} data-testid="audit-kind">{auditKindWords(k)}</span> },
          { title: 'What', dataIndex: 'message' },
          { title: 'Run', dataIndex: 'runId', width: 120, render: (v: string | null) => v ?? '—' },
          { title: 'Customer', dataIndex: 'customerId', width: 140, render: (v: string | null) => v ?? '—' },
        ]}
      />
    </Card>
  );
}
