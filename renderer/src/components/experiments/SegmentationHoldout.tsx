import { App as AntApp, Button, Card, InputNumber, Space, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { SegmentationResults } from '../../../../shared/experiments';
import { useApp, useCurrentWorkspace } from '../../store';
import { ResultsView } from './ResultsView';

/** The workspace-wide segmentation holdout (Default strategy for everyone in it) and its measured lift. */
export function SegmentationHoldout() {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const { message } = AntApp.useApp();
  const [pct, setPct] = useState<number | null>(null);
  const [lift, setLift] = useState<SegmentationResults | null>(null);

  const load = useCallback(async () => {
    if (!client || !ws) return;
    const [s, l] = await Promise.all([client.call('experiments.settings.get', { workspaceId: ws.id }), client.call('experiments.segmentationResults', { workspaceId: ws.id })]);
    setPct(s.segmentationHoldout);
    setLift(l);
  }, [client, ws]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the setting from the core is the effect
    load().catch((e: unknown) => message.error(e instanceof Error ? e.message : String(e)));
  }, [load, message]);

  const save = async () => {
    try {
      await client!.call('experiments.settings.set', { workspaceId: ws!.id, segmentationHoldout: pct ?? 0 });
      message.success(`Segmentation holdout: ${pct ?? 0}%`);
      await load();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <Card size="small" title="Segmentation holdout" data-testid="segmentation-holdout">
      <Space>
        <Typography.Text>Customers, workspace-wide, who get the Default strategy (one size for all):</Typography.Text>
        <InputNumber min={0} max={50} precision={0} value={pct} onChange={(v) => setPct(v)} addonAfter="%" aria-label="Segmentation holdout percent" />
        <Button onClick={() => void save()}>Save</Button>
      </Space>
      {lift && lift.since !== null && (
        <div style={{ marginTop: 12 }}>
          <ResultsView results={{ arms: lift.arms, currency: lift.currency, summary: lift.summary }} />
        </div>
      )}
      {lift && lift.since === null && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{lift.summary}</Typography.Paragraph>}
    </Card>
  );
}
