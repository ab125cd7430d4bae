import { CloudSyncOutlined, StopOutlined, WifiOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Progress, Space, Tooltip, Typography, theme } from 'antd';
import { useEffect, useState } from 'react';
import type { SyncProgress } from '../../../shared/contract';
import { timeAgo } from '../lib/format';
import { useApp, useCurrentWorkspace } from '../store';

const RUNNING: SyncProgress['phase'][] = ['starting', 'backfill', 'events', 'facts'];

/** Sync state of the open workspace: last synced, progress with counts and ETA, cancel. */
export function SyncBar() {
  const client = useApp((s) => s.client);
  const refresh = useApp((s) => s.refresh);
  const ws = useCurrentWorkspace();
  const { message } = AntApp.useApp();
  const { token } = theme.useToken();
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  // The demo's history replay after its sync (#19): simulated day of days.
  const [history, setHistory] = useState<{ day: number; days: number; message: string } | null>(null);
  const [, tick] = useState(0);

  useEffect(() => {
    if (!client || !ws) return;
    client.call('sync.status', { workspaceId: ws.id }).then((s) => setProgress(s.running ? s.last : null), () => {});
    const off = client.on('sync.progress', (p) => {
      if (p.workspaceId !== ws.id) return;
      setProgress(p);
      if (p.phase === 'done') {
        // A new demo goes on to replay its history; it says "ready" when that ends (demo.progress).
        if (!(ws.kind === 'demo' && ws.lastSyncAt === null)) message.success(p.message ?? 'Sync finished');
        void refresh();
      } else if (p.phase === 'failed') message.error(p.message ?? 'Sync failed');
      else if (p.phase === 'canceled') message.info('Sync cancelled; it resumes where it stopped next time');
    });
    const offHistory = client.on('demo.progress', (p) => {
      if (p.workspaceId !== ws.id) return;
      if (p.day < p.days) return setHistory(p);
      setHistory(null);
      message.success('The demo workspace is ready');
      void refresh();
    });
    const timer = setInterval(() => tick((n) => n + 1), 30_000);
    return () => {
      off();
      offHistory();
      clearInterval(timer);
    };
  }, [client, ws, message, refresh]);

  if (!ws) return null;
  if (history && ws.kind === 'demo') {
    return (
      <Space size={10} data-testid="sync-status" style={{ minWidth: 360 }}>
        <div style={{ width: 180 }}>
          <Progress percent={Math.min(99, Math.round((history.day / history.days) * 100))} status="active" showInfo={false} size="small" />
        </div>
        <Typography.Text style={{ fontSize: 12 }}>{history.message}</Typography.Text>
      </Space>
    );
  }
  const running = progress !== null && RUNNING.includes(progress.phase);
  if (!running && (ws.kind === 'demo' || !ws.key)) {
    return ws.kind === 'demo' ? (
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="sync-status">
        Demo data · generated {timeAgo(ws.lastSyncAt)}
      </Typography.Text>
    ) : null;
  }
  const start = async () => {
    try {
      const r = await client!.call('sync.start', { workspaceId: ws.id });
      if (!r.started) message.info(r.message);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };
  const cancel = () => void client?.call('sync.cancel', { workspaceId: ws.id });

  if (!running || !progress) {
    return (
      <Space size={8} data-testid="sync-status">
        <Tooltip title="Reclaim works offline on the last synced data">
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            <WifiOutlined /> Last synced {timeAgo(ws.lastSyncAt)}
          </Typography.Text>
        </Tooltip>
        <Button size="small" icon={<CloudSyncOutlined />} onClick={start}>
          Sync now
        </Button>
      </Space>
    );
  }
  const doing = progress.phase === 'facts' ? 'computing facts' : `syncing ${(progress.resource ?? '').replaceAll('_', ' ')}`;
  const pct = progress.total ? Math.min(99, Math.round((progress.synced / progress.total) * 100)) : undefined;
  return (
    <Space size={10} data-testid="sync-status" style={{ minWidth: 360 }}>
      <div style={{ width: 180 }}>
        <Progress percent={pct ?? 100} status="active" showInfo={false} size="small" strokeColor={pct === undefined ? token.colorPrimaryBorder : undefined} />
      </div>
      <Typography.Text style={{ fontSize: 12 }}>
        {ws.kind === 'demo' ? `Building the demo workspace: ${doing}` : doing[0]!.toUpperCase() + doing.slice(1)} · {progress.synced.toLocaleString()}
        {progress.total ? ` / ${progress.total.toLocaleString()}` : ''} · {Math.round(progress.ratePerSec)}/s
        {progress.etaSec !== null ? ` · ETA ${Math.ceil(progress.etaSec)} s` : ''}
      </Typography.Text>
      <Button size="small" icon={<StopOutlined />} onClick={cancel} aria-label="Cancel sync">
        Cancel
      </Button>
    </Space>
  );
}
