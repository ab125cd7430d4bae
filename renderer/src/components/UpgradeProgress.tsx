import { Progress, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../shared/contract';
import { useApp } from '../store';

/**
 * Opening a workspace written by an older version (#22, migration 21: ~70 s at 10k customers)
 * says what it is doing: "Upgrading the workspace: shrinking stored Stripe data (n of N)".
 * Hidden when no upgrade runs.
 */
export function UpgradeProgress() {
  const client = useApp((s) => s.client);
  const [p, setP] = useState<EventPayload<'workspaces.upgrade'> | null>(null);

  useEffect(() => {
    if (!client) return;
    return client.on('workspaces.upgrade', (e) => setP(e.done >= e.total ? null : e));
  }, [client]);

  if (!p) return null;
  return (
    <Space size="small" data-testid="upgrade-progress">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {p.message}
      </Typography.Text>
      {p.total > 1 && <Progress percent={Math.floor((p.done / p.total) * 100)} size="small" status="active" style={{ width: 120, margin: 0 }} />}
    </Space>
  );
}
