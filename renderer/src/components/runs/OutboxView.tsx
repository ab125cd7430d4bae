import { Alert, Card, Descriptions, Empty, Input, List, Space, Spin, Tabs, Tag, Typography, theme } from 'antd';
import { useEffect, useState } from 'react';
import type { Output } from '../../../../shared/contract';
import { useDebounced } from '../../lib/useDebounced';
import { useApp, useCurrentWorkspace } from '../../store';
import { EmailFrame } from '../strategies/TemplateEditor';
import { whenMs } from '../../lib/time';

type Page = Output<'outbox.list'>;
type Message = Output<'outbox.get'>;
const PAGE = 50;

/** Emails the workspace sent or captured (the demo never mails anyone: they land here). */
export function OutboxView({ runId }: { runId?: string }) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { token } = theme.useToken();
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 250);
  const [page, setPage] = useState(1);
  const [list, setList] = useState<{ for: string; value: Page } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [msg, setMsg] = useState<Message | null>(null);
  const [version, setVersion] = useState(0);
  const listKey = JSON.stringify([q, page, runId]);
  const wanted = JSON.stringify([search, page, runId]);

  useEffect(() => {
    const bump = (p: { workspaceId: string }) => p.workspaceId === ws.id && setVersion((v) => v + 1);
    const a = client.on('outbox.changed', bump);
    const b = client.on('runs.progress', bump);
    return () => (a(), b());
  }, [client, ws.id]);
  const settled = useDebounced(version, 300);

  useEffect(() => {
    let stale = false;
    client.call('outbox.list', { workspaceId: ws.id, search: q || undefined, runId, offset: (page - 1) * PAGE, limit: PAGE }).then(
      (value) => {
        if (stale) return;
        setList({ for: listKey, value });
        setError(null);
      },
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [client, ws.id, q, page, runId, listKey, settled]);

  useEffect(() => {
    if (!openId) return;
    let stale = false;
    client.call('outbox.get', { workspaceId: ws.id, id: openId }).then(
      (m) => !stale && setMsg(m),
      (e: Error) => !stale && setError(e.message),
    );
    return () => {
      stale = true;
    };
  }, [client, ws.id, openId]);

  const current = list?.for === wanted ? list.value : null;
  const shown = msg && msg.id === openId ? msg : null;

  if (error) return <Alert type="error" showIcon message="The outbox could not be loaded" description={error} />;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'minmax(300px, 420px) minmax(0, 1fr)', gap: 16, alignItems: 'start' }} data-testid="outbox">
      <Card
        size="small"
        title={current ? `${current.total.toLocaleString()} emails` : 'Emails'}
        extra={<Input.Search aria-label="Search emails" placeholder="to, subject" allowClear value={search} onChange={(e) => (setSearch(e.target.value), setPage(1))} style={{ width: 180 }} />}
      >
        <Spin spinning={!current}>
          <List
            size="small"
            dataSource={current?.rows ?? []}
            locale={{ emptyText: <Empty description={q ? 'No email matches' : 'No emails yet. Emails a run sends (or captures, in the demo) and test sends appear here.'} /> }}
            pagination={current && current.total > PAGE ? { current: page, pageSize: PAGE, total: current.total, onChange: setPage, size: 'small', showSizeChanger: false } : false}
            renderItem={(m) => (
              <List.Item
                data-testid="outbox-item"
                style={{ cursor: 'pointer', background: openId === m.id ? token.controlItemBgActive : undefined, paddingInline: 8, borderRadius: 6 }}
                onClick={() => setOpenId(m.id)}
              >
                <button type="button" aria-label={`Open email to ${m.to}: ${m.subject}`} onClick={(e) => (e.stopPropagation(), setOpenId(m.id))} style={{ all: 'unset', cursor: 'pointer', width: '100%' }}>
                  <Space direction="vertical" size={0} style={{ width: '100%' }}>
                    <Space style={{ justifyContent: 'space-between', width: '100%' }}>
                      <Typography.Text strong ellipsis style={{ maxWidth: 260 }}>
                        {m.to}
                      </Typography.Text>
                      <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                        {whenMs(m.createdAt)}
                      </Typography.Text>
                    </Space>
                    <Typography.Text ellipsis style={{ maxWidth: 360 }}>
                      {m.subject}
                    </Typography.Text>
                    <Space size={4}>
                      <Tag color={m.transport === 'capture' ? 'purple' : 'green'} style={{ fontSize: 10 }}>
                        {m.transport === 'capture' ? 'captured' : 'sent by SMTP'}
                      </Tag>
                      {!m.runId && <Tag style={{ fontSize: 10 }}>test send</Tag>}
                    </Space>
                  </Space>
                </button>
              </List.Item>
            )}
          />
        </Spin>
      </Card>
      <Card size="small" title="Message" data-testid="outbox-message">
        {!openId ? (
          <Empty description="Choose an email to read it as the customer would." />
        ) : !shown ? (
          <Spin />
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label="From">{shown.from}</Descriptions.Item>
              <Descriptions.Item label="To">
                <span data-testid="outbox-to">{shown.to}</span>
              </Descriptions.Item>
              <Descriptions.Item label="Subject">
                <span data-testid="outbox-subject">{shown.subject}</span>
              </Descriptions.Item>
              <Descriptions.Item label="Message-ID">
                <Typography.Text code style={{ fontSize: 11 }}>
                  {shown.messageId}
                </Typography.Text>
              </Descriptions.Item>
              {shown.runId && <Descriptions.Item label="Run">{shown.runId}</Descriptions.Item>}
            </Descriptions>
            <Tabs
              size="small"
              items={[
                { key: 'html', label: 'HTML', children: <EmailFrame title="Captured HTML email" html={shown.html} /> },
                { key: 'text', label: 'Text', children: <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>{shown.text}</pre> },
                {
                  key: 'headers',
                  label: 'Headers',
                  children: (
                    <Descriptions size="small" column={1} bordered>
                      {Object.entries(shown.headers).map(([k, v]) => (
                        <Descriptions.Item key={k} label={k}>
                          {v}
                        </Descriptions.Item>
                      ))}
                    </Descriptions>
                  ),
                },
              ]}
            />
          </Space>
        )}
      </Card>
    </div>
  );
}
