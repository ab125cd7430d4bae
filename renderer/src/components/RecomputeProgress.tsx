import { Progress, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useApp, useCurrentWorkspace } from '../store';

/**
 * Progress of a full membership recompute (issue #11): at 1M customers it
 * takes seconds and runs in slices in the core, so the app stays usable and
 * this bar shows how far it is. Hidden when nothing is running.
 */
export function RecomputeProgress() {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const [p, setP] = useState<{ done: number; total: number } | null>(null);

  useEffect(() => {
    if (!client || !ws) return;
    return client.on('segments.recompute', (e) => {
      if (e.workspaceId !== ws.id) return;
      setP(e.done >= e.total ? null : { done: e.done, total: e.total });
    });
  }, [client, ws]);

  if (!p) return null;
  return (
    <div data-testid="recompute-progress" style={{ gridColumn: '1 / -1' }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        Updating segment membership: {p.done.toLocaleString('en')} of {p.total.toLocaleString('en')} customers
      </Typography.Text>
      <Progress percent={Math.floor((p.done / Math.max(1, p.total)) * 100)} size="small" status="active" />
    </div>
  );
}
