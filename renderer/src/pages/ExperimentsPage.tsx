import { App as AntApp, Button, Card, Form, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { Segment } from '../../../shared/contract';
import type { Experiment, ExperimentPreview, ExperimentResults } from '../../../shared/experiments';
import { PreviewView } from '../components/experiments/PreviewView';
import { ResultsView } from '../components/experiments/ResultsView';
import { SegmentationHoldout } from '../components/experiments/SegmentationHoldout';
import { useApp, useCurrentWorkspace } from '../store';

const STATUS_COLOR: Record<Experiment['status'], string> = { running: 'processing', stopped: 'default', shipped: 'success' };

/** "control:50,b:50" → arms; null with a reason when it does not parse. */
function parseArms(text: string): { arms: { name: string; weight: number }[] } | { error: string } {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const arms = parts.map((p) => /^([^:]+):(\d{1,3})$/.exec(p)).map((m) => (m ? { name: m[1]!.trim(), weight: Number(m[2]) } : null));
  if (arms.length < 2 || arms.some((a) => !a)) return { error: 'Arms are NAME:PERCENT separated by commas, at least two, e.g. control:50,b:50' };
  return { arms: arms as { name: string; weight: number }[] };
}

interface Draft {
  name: string;
  segmentId: string;
  arms: string;
  holdout: number;
  /** Strategy source for every non-control arm: copy, default or a segment id. */
  variantFrom: string;
}

/**
 * A/B tests inside a segment (#20): create with a preview before launch (arm
 * sizes, MRR, amount at risk, SRM), then per experiment its preview, results,
 * stop and ship.
 */
export function ExperimentsPage() {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const { message } = AntApp.useApp();
  const [list, setList] = useState<Experiment[]>([]);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [draftPreview, setDraftPreview] = useState<ExperimentPreview | null>(null);
  const [preview, setPreview] = useState<ExperimentPreview | null>(null);
  const [results, setResults] = useState<ExperimentResults | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Draft>();

  const load = useCallback(async () => {
    if (!client || !ws) return;
    const [l, s] = await Promise.all([client.call('experiments.list', { workspaceId: ws.id }), client.call('segments.list', { workspaceId: ws.id })]);
    setList(l);
    setSegments(s.segments);
  }, [client, ws]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the experiments from the core is the effect
    load().catch((e: unknown) => message.error(e instanceof Error ? e.message : String(e)));
  }, [load, message]);

  const openExperiment = useCallback(
    async (id: string) => {
      if (!client || !ws) return;
      setSelected(id);
      try {
        const [p, r] = await Promise.all([client.call('experiments.preview', { workspaceId: ws.id, id }), client.call('experiments.results', { workspaceId: ws.id, id })]);
        setPreview(p);
        setResults(r);
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e));
      }
    },
    [client, ws, message],
  );

  const draftOf = (v: Draft) => {
    const parsed = parseArms(v.arms);
    if ('error' in parsed) throw new Error(parsed.error);
    const arms = parsed.arms.map((a, i) => (i === 0 ? a : { ...a, strategyFrom: v.variantFrom }));
    return { segmentId: v.segmentId, arms, holdout: v.holdout ?? 0 };
  };

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const previewDraft = () =>
    run(async () => {
      const v = await form.validateFields();
      setDraftPreview(await client!.call('experiments.preview', { workspaceId: ws!.id, draft: draftOf(v) }));
    });
  const create = () =>
    run(async () => {
      const v = await form.validateFields();
      const e = await client!.call('experiments.create', { workspaceId: ws!.id, name: v.name, ...draftOf(v) });
      message.success(`Experiment “${e.name}” started`);
      setDraftPreview(null);
      await load();
      await openExperiment(e.id);
    });
  const stop = (id: string) =>
    run(async () => {
      await client!.call('experiments.stop', { workspaceId: ws!.id, id });
      await load();
      await openExperiment(id);
    });
  const ship = (id: string, arm?: string) =>
    run(async () => {
      const e = await client!.call('experiments.ship', { workspaceId: ws!.id, id, ...(arm ? { arm } : {}) });
      message.success(`Arm ${e.winner} is now the strategy of ${e.segmentName}`);
      await load();
      await openExperiment(id);
    });

  const current = list.find((e) => e.id === selected) ?? null;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="experiments-page">
      <Card title="New experiment" size="small">
        <Form form={form} layout="inline" initialValues={{ arms: 'control:50,b:50', holdout: 0, variantFrom: 'copy' }} style={{ rowGap: 8 }}>
          <Form.Item name="name" label="Name" rules={[{ required: true, message: 'Name the experiment' }]}>
            <Input placeholder="Voice calls for Enterprise" data-testid="exp-name" />
          </Form.Item>
          <Form.Item name="segmentId" label="Segment" rules={[{ required: true, message: 'Choose a segment' }]}>
            <Select style={{ width: 180 }} data-testid="exp-segment" options={segments.map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
          <Form.Item name="arms" label="Arms" tooltip="The first arm is the control and keeps the segment’s strategy" rules={[{ required: true }]}>
            <Input style={{ width: 180 }} data-testid="exp-arms" />
          </Form.Item>
          <Form.Item name="holdout" label="Holdout %">
            <InputNumber min={0} max={50} precision={0} />
          </Form.Item>
          <Form.Item name="variantFrom" label="Other arms start from">
            <Select
              style={{ width: 220 }}
              options={[
                { value: 'copy', label: 'a copy of the segment’s strategy' },
                { value: 'default', label: 'the Default strategy' },
                ...segments.map((s) => ({ value: s.id, label: `${s.name}’s strategy` })),
              ]}
            />
          </Form.Item>
          <Space>
            <Button onClick={previewDraft} loading={busy} data-testid="exp-preview">Preview</Button>
            <Button type="primary" onClick={create} loading={busy} data-testid="exp-create">Start experiment</Button>
          </Space>
        </Form>
        {draftPreview && (
          <div style={{ marginTop: 12 }}>
            <Typography.Text type="secondary">
              {draftPreview.members} current members of {draftPreview.segmentName}; seed {draftPreview.seed} (GrowthBook hash v2)
            </Typography.Text>
            <PreviewView preview={draftPreview} />
          </div>
        )}
      </Card>

      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={list}
        locale={{ emptyText: 'No experiments yet: A/B test strategy variants inside a segment.' }}
        onRow={(e) => ({ onClick: () => void openExperiment(e.id), style: { cursor: 'pointer' } })}
        rowClassName={(e) => (e.id === selected ? 'ant-table-row-selected' : '')}
        columns={[
          { title: 'Name', dataIndex: 'name' },
          { title: 'Segment', dataIndex: 'segmentName' },
          { title: 'Arms', key: 'arms', render: (_: unknown, e: Experiment) => e.arms.map((a) => `${a.name} ${a.weight}%`).join(' · ') },
          { title: 'Holdout', dataIndex: 'holdout', render: (v: number) => `${v}%` },
          { title: 'Status', dataIndex: 'status', render: (s: Experiment['status'], e: Experiment) => <Tag color={STATUS_COLOR[s]}>{s}{e.winner ? `: ${e.winner}` : ''}</Tag> },
          { title: 'Seed', dataIndex: 'seed', render: (s: string) => <Typography.Text code copyable>{s}</Typography.Text> },
        ]}
      />

      {current && (
        <Card
          size="small"
          title={`${current.name} — ${current.segmentName}`}
          extra={
            current.status === 'running' && (
              <Space>
                <Button onClick={() => stop(current.id)} loading={busy}>Stop</Button>
                <Button type="primary" onClick={() => ship(current.id)} loading={busy} data-testid="exp-ship">Ship the winner</Button>
              </Space>
            )
          }
        >
          <Typography.Paragraph type="secondary">
            Arms: {current.arms.map((a) => `${a.name} → ${a.strategy.name} (${a.strategy.source}; ${a.strategy.channels.join(', ') || 'no steps'})`).join(' · ')}
          </Typography.Paragraph>
          {preview && <PreviewView preview={preview} />}
          {results && <ResultsView results={results} />}
        </Card>
      )}

      <SegmentationHoldout />
    </Space>
  );
}
