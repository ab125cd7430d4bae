import { CheckCircleOutlined, CloseCircleOutlined, DollarOutlined, MailOutlined, PlayCircleOutlined, RedoOutlined } from '@ant-design/icons';
import { Alert, Empty, Spin, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Output } from '../../../shared/contract';
import { useApp, useCurrentWorkspace } from '../store';
import { CHANNEL_COLOR, CHANNEL_LABEL } from './strategies/StepCard';
import { whenMs } from '../lib/time';

type Entry = Output<'customers.timeline'>[number];

const color = (e: Entry) =>
  e.kind === 'failure' ? 'red' : e.kind === 'payment' ? 'green' : e.kind === 'run' ? 'gray' : e.status === 'failed' ? 'red' : e.status === 'succeeded' ? 'blue' : 'gray';
const icon = (e: Entry) =>
  e.kind === 'failure' ? <CloseCircleOutlined /> : e.kind === 'payment' ? <CheckCircleOutlined /> : e.kind === 'run' ? <PlayCircleOutlined /> : e.channel === 'retry' ? <RedoOutlined /> : e.channel === 'offer' ? <DollarOutlined /> : <MailOutlined />;

/** Failures, every recovery action with its result, and the recovery, in the order the core reports them (newest first). */
export function CustomerTimeline({ customerId }: { customerId: string }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!client || !ws) return;
    let stale = false;
    const load = () =>
      client.call('customers.timeline', { workspaceId: ws.id, customerId }).then(
        (e) => !stale && (setEntries(e), setError(null)),
        (e: Error) => !stale && setError(e.message),
      );
    void load();
    const off = client.on('runs.changed', (p) => p.workspaceId === ws.id && void load());
    return () => {
      stale = true;
      off();
    };
  }, [client, ws, customerId]);

  if (error) return <Alert type="warning" showIcon message="The recovery timeline could not be loaded" description={error} />;
  if (!entries) return <Spin />;
  if (entries.length === 0) return <Empty description="No failed payments and no recovery actions for this customer." />;
  return (
    <Timeline
      data-testid="customer-timeline"
      items={entries.map((e, i) => ({
        key: `${e.at}-${i}`,
        color: color(e),
        dot: icon(e),
        children: (
          <div data-testid={`timeline-${e.kind}`}>
            <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineEnd: 8 }}>
              {whenMs(e.at)}
            </Typography.Text>
            {e.channel && (
              <Tag color={CHANNEL_COLOR[e.channel]} style={{ marginInlineEnd: 8 }}>
                {CHANNEL_LABEL[e.channel]}
              </Tag>
            )}
            <Typography.Text strong={e.kind !== 'action'}>{e.title}</Typography.Text>
            {e.status && e.kind === 'action' && (
              <Tag style={{ marginInlineStart: 8 }} color={e.status === 'succeeded' ? 'green' : e.status === 'failed' ? 'red' : 'default'}>
                {e.status}
              </Tag>
            )}
            {e.detail && (
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {e.detail}
                </Typography.Text>
              </div>
            )}
            {(e.invoiceId || e.runId) && (
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                  {[e.invoiceId, e.runId && `run ${e.runId}`].filter(Boolean).join(' · ')}
                </Typography.Text>
              </div>
            )}
          </div>
        ),
      }))}
    />
  );
}
