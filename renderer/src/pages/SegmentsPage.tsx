import { ArrowDownOutlined, ArrowUpOutlined, CopyOutlined, DeleteOutlined, DownloadOutlined, HolderOutlined, InboxOutlined, PlusOutlined, SaveOutlined, UploadOutlined } from '@ant-design/icons';
import { AntDValueSelector, QueryBuilderAntD } from '@react-querybuilder/antd';
import { Alert, App as AntApp, Button, Card, ColorPicker, Empty, Input, List, Space, Statistic, Table, Tabs, Tag, Tooltip, Typography, theme } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { QueryBuilder, type Field, type FieldSelectorProps, type RuleGroupType } from 'react-querybuilder';
import 'react-querybuilder/dist/query-builder.css';
import './rule-builder.css';
import type { FactField, Output, Segment } from '../../../shared/contract';
import { RecomputeProgress } from '../components/RecomputeProgress';
import { makeValueEditor } from '../components/RuleValueEditor';
import { formatMoney } from '../lib/format';
import { useDebounced } from '../lib/useDebounced';
import { useApp, useCurrentWorkspace } from '../store';

type Preview = Output<'segments.preview'>;
type ListResult = Output<'segments.list'>;

const EMPTY_RULE: RuleGroupType = { combinator: 'and', rules: [] };

function toFields(catalog: FactField[]): Field[] {
  return catalog.map((f) => ({
    name: f.name,
    label: f.source === 'fact' ? f.label : `${f.label} (${f.source})`,
    factType: f.type,
    operators: f.operators.map((o) => ({ name: o.name, value: o.name, label: o.label })),
    values: f.values?.map((v) => ({ name: v, value: v, label: v })),
    valueEditorType: (op: string) =>
      (f.type === 'enum' || f.type === 'tags') && f.values?.length ? (['in', 'notIn', 'hasAny', 'hasAll', 'hasNone'].includes(op) ? 'multiselect' : 'select') : 'text',
  }));
}

interface Draft {
  id: string | null;
  name: string;
  description: string;
  color: string;
  rule: RuleGroupType;
}

/** The rule builder's field picker: type to search the facts and attributes by name. */
function FieldSelector(props: FieldSelectorProps) {
  return <AntDValueSelector {...(props as Parameters<typeof AntDValueSelector>[0])} showSearch placeholder="Search fields" aria-label="Field" />;
}

export function SegmentsPage() {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message, modal } = AntApp.useApp();
  const { token } = theme.useToken();
  const [list, setList] = useState<ListResult | null>(null);
  const [catalog, setCatalog] = useState<FactField[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  // Each figure remembers the rule it was computed for: figures of another rule
  // (the previous segment, or an older edit) are never shown as current.
  const [previewOf, setPreviewOf] = useState<{ rule: unknown; preview: Preview } | null>(null);
  const [previewErrorOf, setPreviewErrorOf] = useState<{ rule: unknown; message: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [dragId, setDragId] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [l, c] = await Promise.all([client.call('segments.list', { workspaceId: ws.id }), client.call('facts.catalog', { workspaceId: ws.id })]);
      setList(l);
      setCatalog(c);
      setLoadError(null);
      return l;
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
      return null;
    }
  }, [client, ws.id]);

  useEffect(() => {
    // State is set after the requests resolve, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load().then((l) => {
      const first = l?.segments[0];
      if (first) setDraft({ id: first.id, name: first.name, description: first.description, color: first.color, rule: first.rule as unknown as RuleGroupType });
    });
  }, [load]);

  const fields = useMemo(() => toFields(catalog), [catalog]);
  const ValueEditor = useMemo(() => makeValueEditor(ws.currency), [ws.currency]);
  const rule = useDebounced(draft?.rule ?? null, 200);
  const preview = previewOf && draft && previewOf.rule === draft.rule ? previewOf.preview : null;
  const previewError = previewErrorOf && draft && previewErrorOf.rule === draft.rule ? previewErrorOf.message : null;
  const previewState = previewError ? 'error' : preview ? 'ready' : 'loading';

  useEffect(() => {
    if (!rule) return;
    let stale = false;
    client.call('segments.preview', { workspaceId: ws.id, rule: rule as unknown as Record<string, unknown> }).then(
      (p) => {
        if (stale) return;
        setPreviewOf({ rule, preview: p });
        setPreviewErrorOf(null);
      },
      (e: Error) => {
        if (stale) return;
        setPreviewErrorOf({ rule, message: e.message });
      },
    );
    return () => {
      stale = true;
    };
  }, [client, ws.id, rule]);

  const open = (s: Segment) => setDraft({ id: s.id, name: s.name, description: s.description, color: s.color, rule: s.rule as unknown as RuleGroupType });

  const save = async () => {
    if (!draft) return;
    setSaving(true);
    try {
      const body = { workspaceId: ws.id, name: draft.name, description: draft.description, color: draft.color, rule: draft.rule as unknown as Record<string, unknown> };
      const saved = draft.id ? await client.call('segments.update', { ...body, id: draft.id }) : await client.call('segments.create', body);
      message.success(`Segment “${saved.name}” saved`);
      setDraft((d) => (d ? { ...d, id: saved.id } : d));
      await load();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const act = async (label: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      message.success(label);
      const l = await load();
      if (draft?.id && !l?.segments.some((s) => s.id === draft.id)) setDraft(null);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const reorder = async (ids: string[]) => {
    await act('Priority updated', () => client.call('segments.reorder', { workspaceId: ws.id, ids }));
  };
  const move = (id: string, delta: number) => {
    if (!list) return;
    const ids = list.segments.map((s) => s.id);
    const i = ids.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    void reorder(ids);
  };
  const dropOn = (targetId: string) => {
    if (!list || !dragId || dragId === targetId) return;
    const ids = list.segments.map((s) => s.id).filter((id) => id !== dragId);
    ids.splice(ids.indexOf(targetId), 0, dragId);
    setDragId(null);
    void reorder(ids);
  };

  const exportJson = async () => {
    const { json } = await client.call('segments.export', { workspaceId: ws.id });
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `reclaim-segments-${ws.name.replace(/\W+/g, '-')}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };
  const importJson = () => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = 'application/json,.json';
    input.onchange = async () => {
      const file = input.files?.[0];
      if (!file) return;
      await act('Segments imported', async () => client.call('segments.import', { workspaceId: ws.id, json: await file.text() }));
    };
    input.click();
  };

  const cur = ws.currency;
  if (loadError) return <Alert type="error" showIcon message="Segments could not be loaded" description={loadError} />;
  if (list && list.total === 0) {
    return <Empty description="Segments need customers: connect a Stripe account or create the demo workspace first." />;
  }

  const segments = list?.segments ?? [];
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '360px minmax(0, 1fr)', gap: 16, alignItems: 'start' }}>
      <RecomputeProgress />
      <Card
        size="small"
        title="Priority order"
        extra={
          <Space size={4}>
            <Tooltip title="Export segments as JSON">
              <Button size="small" icon={<DownloadOutlined />} onClick={exportJson} aria-label="Export segments" />
            </Tooltip>
            <Tooltip title="Import segments from JSON">
              <Button size="small" icon={<UploadOutlined />} onClick={importJson} aria-label="Import segments" />
            </Tooltip>
            <Button size="small" type="primary" icon={<PlusOutlined />} aria-label="New segment" onClick={() => setDraft({ id: null, name: 'New segment', description: '', color: '#4c6ef5', rule: EMPTY_RULE })}>
              New
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          A customer can match many segments; the highest one here decides the strategy. Drag to reorder, or use the arrows.
          {list ? ` ${list.defaultWins.toLocaleString()} of ${list.total.toLocaleString()} customers match none and get the Default strategy.` : ''}
        </Typography.Paragraph>
        <List
          size="small"
          dataSource={segments}
          data-testid="segment-list"
          renderItem={(s, i) => (
            <List.Item
              draggable
              onDragStart={() => setDragId(s.id)}
              onDragOver={(e) => e.preventDefault()}
              onDrop={() => dropOn(s.id)}
              data-testid={`segment-${s.name}`}
              onClick={() => open(s)}
              style={{ cursor: 'pointer', background: draft?.id === s.id ? token.controlItemBgActive : undefined, paddingInline: 8, borderRadius: 6 }}
              actions={[
                <Button key="up" size="small" type="text" icon={<ArrowUpOutlined />} aria-label={`Move ${s.name} up`} disabled={i === 0} onClick={(e) => (e.stopPropagation(), move(s.id, -1))} />,
                <Button key="down" size="small" type="text" icon={<ArrowDownOutlined />} aria-label={`Move ${s.name} down`} disabled={i === segments.length - 1} onClick={(e) => (e.stopPropagation(), move(s.id, 1))} />,
              ]}
            >
              <Space direction="vertical" size={0} style={{ width: '100%' }}>
                <Space>
                  <HolderOutlined style={{ color: token.colorTextQuaternary }} />
                  <Typography.Text type="secondary">{i + 1}</Typography.Text>
                  <Tag color={s.color}>{s.name}</Tag>
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {s.stats.members.toLocaleString()} members · wins {s.stats.wins.toLocaleString()} · MRR {formatMoney(s.stats.mrr, cur, { compact: true })} · at risk {formatMoney(s.stats.amountAtRisk, cur, { compact: true })}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>

      <Tabs
        items={[
          {
            key: 'edit',
            label: 'Rule builder',
            children: draft ? (
              <Space direction="vertical" style={{ width: '100%' }} size="middle">
                <Card size="small">
                  <Space wrap>
                    <Input aria-label="Segment name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} style={{ width: 260 }} maxLength={80} />
                    <ColorPicker value={draft.color} onChange={(c) => setDraft({ ...draft, color: c.toHexString() })} disabledAlpha />
                    <Input aria-label="Description" placeholder="What this segment is for" value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} style={{ width: 360 }} maxLength={500} />
                  </Space>
                </Card>
                <Card size="small" data-testid="live-preview" data-state={previewState} aria-busy={previewState === 'loading'}>
                  <Space size="large" wrap>
                    <Statistic title="Members" value={preview ? preview.count : '…'} data-testid="preview-count" />
                    <Statistic title="MRR" value={preview ? formatMoney(preview.mrr, cur) : '—'} />
                    <Statistic title="Amount at risk" value={preview ? formatMoney(preview.amountAtRisk, cur) : '—'} />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {preview ? `updated in ${Math.round(preview.tookMs)} ms` : ''}
                    </Typography.Text>
                  </Space>
                  {!previewError && draft.rule.rules.length === 0 && (
                    <Alert style={{ marginTop: 8 }} type="info" showIcon message="This rule has no conditions yet, so it matches every customer. Add a rule below to narrow it." data-testid="empty-rule" />
                  )}
                  {previewError && <Alert style={{ marginTop: 8 }} type="warning" showIcon message={previewError} data-testid="rule-error" />}
                  {preview?.warnings?.map((w) => (
                    <Alert key={w} style={{ marginTop: 8 }} type="warning" showIcon message={w} data-testid="rule-warning" />
                  ))}
                </Card>
                <QueryBuilderAntD>
                  <QueryBuilder
                    fields={fields}
                    query={draft.rule}
                    onQueryChange={(q) => setDraft((d) => (d ? { ...d, rule: q } : d))}
                    controlElements={{ valueEditor: ValueEditor, fieldSelector: FieldSelector }}
                    showNotToggle
                    listsAsArrays
                    resetOnOperatorChange
                    controlClassnames={{ queryBuilder: 'queryBuilder-branches' }}
                  />
                </QueryBuilderAntD>
                <Space>
                  <Button type="primary" icon={<SaveOutlined />} loading={saving} onClick={save}>
                    Save segment
                  </Button>
                  {draft.id && (
                    <>
                      <Button icon={<CopyOutlined />} onClick={() => act('Segment duplicated', () => client.call('segments.duplicate', { workspaceId: ws.id, id: draft.id! }))}>
                        Duplicate
                      </Button>
                      <Button icon={<InboxOutlined />} onClick={() => act('Segment archived', () => client.call('segments.archive', { workspaceId: ws.id, id: draft.id! }))}>
                        Archive
                      </Button>
                      <Button
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() =>
                          modal.confirm({
                            title: `Delete “${draft.name}”?`,
                            content: 'The segment and its membership are deleted. Past run reports keep their snapshot.',
                            okText: 'Delete segment',
                            okButtonProps: { danger: true },
                            onOk: () => act('Segment deleted', () => client.call('segments.remove', { workspaceId: ws.id, id: draft.id! })),
                          })
                        }
                      >
                        Delete
                      </Button>
                    </>
                  )}
                </Space>
                {preview && preview.sample.length > 0 && (
                  <Card size="small" title="Sample of matching customers">
                    <Table
                      size="small"
                      rowKey="customer_id"
                      pagination={false}
                      dataSource={preview.sample}
                      columns={[
                        { title: 'Customer', key: 'c', render: (_, r) => r.name ?? r.email ?? r.customer_id },
                        { title: 'Email', dataIndex: 'email' },
                        { title: 'Plan', dataIndex: 'plan' },
                        { title: 'MRR', dataIndex: 'mrr', align: 'right', render: (m: number) => formatMoney(m, cur) },
                      ]}
                    />
                  </Card>
                )}
              </Space>
            ) : (
              <Empty description="Pick a segment on the left, or create a new one." />
            ),
          },
          {
            key: 'overlap',
            label: 'Overlap',
            children: list ? (
              <Card size="small" title="Customers in both segments">
                <table style={{ borderCollapse: 'collapse', fontSize: 12 }} data-testid="overlap-matrix">
                  <thead>
                    <tr>
                      <th />
                      {segments.map((s) => (
                        <th key={s.id} style={{ padding: 6, textAlign: 'right' }}>
                          {s.name}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {segments.map((row, i) => (
                      <tr key={row.id}>
                        <th style={{ padding: 6, textAlign: 'left' }}>{row.name}</th>
                        {segments.map((col, j) => (
                          <td key={col.id} style={{ padding: 6, textAlign: 'right', background: i === j ? token.colorFillSecondary : undefined }}>
                            {(list.overlap[i]?.[j] ?? 0).toLocaleString()}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Card>
            ) : null,
          },
        ]}
      />
    </div>
  );
}
