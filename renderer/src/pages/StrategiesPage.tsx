import { DownOutlined, PlusOutlined, SaveOutlined, UndoOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Dropdown, Empty, Input, List, Skeleton, Space, Switch, Tag, Timeline, Typography, theme } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ChannelKind, EmailTemplate, Output, Step, Strategy, Tone } from '../../../shared/contract';
import { AVAILABLE, CHANNEL_COLOR, CHANNEL_LABEL, StepCard, hasTemplate } from '../components/strategies/StepCard';
import { TemplateEditor } from '../components/strategies/TemplateEditor';
import { dayLabel, fireOrder, sortByDue, stepOffsets } from '../../../shared/step-schedule';
import { setLeaveGuard } from '../lib/leave-guard';
import { useApp, useCurrentWorkspace } from '../store';

type ListItem = Output<'strategies.list'>[number];
type ToneInfo = Output<'recovery.tones'>[number];

interface Draft {
  key: string;
  name: string;
  description: string;
  enabled: boolean;
  steps: Step[];
}

const keyOf = (s: { segmentId: string | null }) => s.segmentId ?? 'default';
const toDraft = (s: Strategy): Draft => ({ key: keyOf(s), name: s.name, description: s.description, enabled: s.enabled, steps: s.steps });
const same = (a: Draft, s: Strategy) => JSON.stringify([a.name, a.description, a.enabled, a.steps]) === JSON.stringify([s.name, s.description, s.enabled, s.steps]);

function newStep(channel: ChannelKind, steps: Step[], tones: ToneInfo[]): Step {
  let n = steps.length + 1;
  while (steps.some((s) => s.id === `${channel}-${n}`)) n++;
  const base = {
    id: `${channel}-${n}`,
    label: '',
    delay: { days: steps.length ? 3 : 0, hours: 0, from: steps.length ? ('previous_step' as const) : ('first_failure' as const) },
    conditions: { declineType: 'any' as const, minAmountAtRisk: null, maxAmountAtRisk: null, minFailures12m: null, afterUnansweredEmails: null, lastCallNotAnswered: false },
  };
  const tone = tones.find((t) => t.tone === 'supportive') ?? tones[0];
  const template = tone?.template ?? { subject: 'About your invoice {{ invoice.number }}', text: 'Hi {{ customer.name }},\n\nYour payment of {{ invoice.amount }} did not go through. You can pay here: {{ invoice.url }}', html: '' };
  switch (channel) {
    case 'email':
      return { ...base, channel, config: { tone: tone?.tone ?? 'supportive', sender: 'workspace', template } };
    case 'retry':
      return { ...base, channel, config: { aggressiveness: 'standard', maxAttempts: 4, newCardTemplate: null } };
    case 'offer':
      return { ...base, channel, config: { kind: 'coupon', percentOff: 20, amountOff: null, duration: 'once', durationInMonths: null, maxPerCustomer: 1, maxPerRun: null, template: null, tone: tone?.tone ?? 'supportive' } };
    default:
      return { ...base, channel, config: {} };
  }
}

/** The template a step's email uses, and how to write it back. */
function templateOf(step: Step, tones: ToneInfo[]): { template: EmailTemplate; builtIn: boolean; note?: string; sender: 'workspace' | 'account_manager' } | null {
  const toneTemplate = (t: Tone) => tones.find((x) => x.tone === t)?.template ?? tones[0]?.template;
  if (step.channel === 'email') return { template: step.config.template, builtIn: false, sender: step.config.sender };
  if (step.channel === 'offer') {
    const t = step.config.template ?? toneTemplate(step.config.tone);
    return t ? { template: t, builtIn: step.config.template === null, sender: 'workspace', note: 'The email that announces this offer.' } : null;
  }
  if (step.channel === 'retry') {
    const t = step.config.newCardTemplate ?? toneTemplate('supportive');
    return t
      ? { template: t, builtIn: step.config.newCardTemplate === null, sender: 'workspace', note: 'Sent instead of the retry when the last decline is hard (lost/stolen card, expired card, incorrect number…): it asks for a new card.' }
      : null;
  }
  return null;
}

function withTemplate(step: Step, template: EmailTemplate): Step {
  if (step.channel === 'email') return { ...step, config: { ...step.config, template } };
  if (step.channel === 'offer') return { ...step, config: { ...step.config, template } };
  if (step.channel === 'retry') return { ...step, config: { ...step.config, newCardTemplate: template } };
  return step;
}

export function StrategiesPage() {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message, modal } = AntApp.useApp();
  const { token } = theme.useToken();
  const [list, setList] = useState<ListItem[] | null>(null);
  const [tones, setTones] = useState<ToneInfo[]>([]);
  const [loaded, setLoaded] = useState<Strategy | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const loadList = useCallback(async () => {
    try {
      const [l, t] = await Promise.all([client.call('strategies.list', { workspaceId: ws.id }), client.call('recovery.tones', { workspaceId: ws.id })]);
      setList(l);
      setTones(t);
      setError(null);
      return l;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return null;
    }
  }, [client, ws.id]);

  const open = useCallback(
    async (segmentKey: string) => {
      setLoaded(null);
      setDraft(null);
      setSelected(null);
      try {
        const s = await client.call('strategies.get', { workspaceId: ws.id, segmentId: segmentKey });
        setLoaded(s);
        setDraft(toDraft(s));
        const firstEmail = s.steps.findIndex((x) => x.channel === 'email');
        setSelected(firstEmail >= 0 ? firstEmail : null);
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e));
      }
    },
    [client, ws.id, message],
  );

  useEffect(() => {
    // State is set after the requests resolve, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void loadList().then((l) => {
      if (l?.[0]) void open(keyOf(l[0]));
    });
  }, [loadList, open]);

  const dirty = !!draft && !!loaded && !same(draft, loaded);
  /** Leaving unsaved changes (another strategy, another section) asks first (#21). */
  const confirmLeave = useCallback(
    (proceed: () => void) => {
      if (!dirty) return proceed();
      modal.confirm({ title: 'Discard unsaved changes?', content: `Your changes to “${draft?.name}” are not saved.`, okText: 'Discard', okButtonProps: { danger: true }, cancelText: 'Keep editing', onOk: proceed });
    },
    [dirty, draft?.name, modal],
  );
  useEffect(() => {
    setLeaveGuard(confirmLeave);
    return () => setLeaveGuard(null);
  }, [confirmLeave]);
  const choose = (item: ListItem) => {
    if (draft?.key === keyOf(item)) return;
    confirmLeave(() => void open(keyOf(item)));
  };

  const setSteps = (steps: Step[]) => setDraft((d) => (d ? { ...d, steps } : d));
  /** #17.11: steps fire by their delay; this puts the list in that order (every due time kept). */
  const sortSteps = () => {
    if (!draft) return;
    const sorted = sortByDue(draft.steps);
    const id = selected !== null ? draft.steps[selected]?.id : undefined;
    setSteps(sorted);
    setSelected(id === undefined ? null : sorted.findIndex((x) => x.id === id));
  };
  const move = (i: number, delta: number) => {
    if (!draft) return;
    const steps = [...draft.steps];
    const j = i + delta;
    if (j < 0 || j >= steps.length) return;
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
    setSteps(steps);
    setSelected((s) => (s === i ? j : s === j ? i : s));
  };
  const remove = (i: number) => {
    if (!draft) return;
    setSteps(draft.steps.filter((_, k) => k !== i));
    setSelected((s) => (s === null || s === i ? null : s > i ? s - 1 : s));
  };
  const add = (channel: ChannelKind) => {
    if (!draft) return;
    const steps = [...draft.steps, newStep(channel, draft.steps, tones)];
    setSteps(steps);
    if (hasTemplate(steps[steps.length - 1]!)) setSelected(steps.length - 1);
  };

  const save = async () => {
    if (!draft) return;
    setBusy(true);
    try {
      const s = await client.call('strategies.set', { workspaceId: ws.id, segmentId: draft.key, strategy: { name: draft.name, description: draft.description, enabled: draft.enabled, steps: sortByDue(draft.steps) } });
      setLoaded(s);
      setDraft(toDraft(s));
      message.success(`Strategy “${s.name}” saved`);
      await loadList();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const reset = () =>
    modal.confirm({
      title: `Reset “${draft?.name}” to the default?`,
      content: 'Its steps and templates go back to the built-in default for this segment. Runs already started keep what they planned.',
      okText: 'Reset to default',
      okButtonProps: { danger: true },
      onOk: async () => {
        if (!draft) return;
        try {
          const s = await client.call('strategies.resetDefault', { workspaceId: ws.id, segmentId: draft.key });
          setLoaded(s);
          setDraft(toDraft(s));
          setSelected(null);
          message.success('Strategy reset to the default');
          await loadList();
        } catch (e) {
          message.error(e instanceof Error ? e.message : String(e));
        }
      },
    });

  const toneOptions = useMemo(() => tones.map((t) => ({ tone: t.tone, label: t.label })), [tones]);
  const selectedStep = draft && selected !== null ? draft.steps[selected] : undefined;
  const tpl = selectedStep ? templateOf(selectedStep, tones) : null;

  if (error) return <Alert type="error" showIcon message="Strategies could not be loaded" description={error} />;
  if (list && list.length === 0) return <Empty description="Strategies follow segments: connect a Stripe account or create the demo workspace first." />;

  const offsets = draft ? stepOffsets(draft.steps) : [];
  const firing = fireOrder(offsets);
  const outOfOrder = firing.some((i, k) => i !== k);
  const hasRetry = draft?.steps.some((s) => s.channel === 'retry');
  const hasEmail = draft?.steps.some((s) => s.channel === 'email' || s.channel === 'offer');

  return (
    <div style={{ display: 'grid', gridTemplateColumns: '280px minmax(0, 1fr)', gap: 16, alignItems: 'start' }}>
      <Card size="small" title="Strategy per segment">
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          Each segment's customers get its strategy; customers that match no segment get Default. Priority is set on the Segments page.
        </Typography.Paragraph>
        {list ? (
          <List
            size="small"
            dataSource={list}
            data-testid="strategy-list"
            renderItem={(s) => {
              const active = draft?.key === keyOf(s);
              return (
                <List.Item
                  data-testid={`strategy-${s.segmentName}`}
                  style={{ cursor: 'pointer', background: active ? token.controlItemBgActive : undefined, paddingInline: 8, borderRadius: 6 }}
                  onClick={() => choose(s)}
                >
                  <button
                    type="button"
                    aria-label={`Open ${s.segmentName} strategy`}
                    aria-pressed={active}
                    onClick={(e) => (e.stopPropagation(), choose(s))}
                    style={{ all: 'unset', cursor: 'pointer', width: '100%', display: 'flex', flexDirection: 'column', gap: 2 }}
                  >
                    <Space size={6}>
                      {s.priority !== null && <Typography.Text type="secondary">{s.priority}</Typography.Text>}
                      <Tag color={s.segmentId ? s.color : undefined}>{s.segmentName}</Tag>
                      {s.customized ? <Tag color="blue">edited</Tag> : <Typography.Text type="secondary" style={{ fontSize: 11 }}>default</Typography.Text>}
                      {!s.enabled && <Tag>off</Tag>}
                    </Space>
                    <Space size={2} wrap>
                      {/* In the order the steps fire, each at its day from the first failure (#17.11). */}
                      {((off) => fireOrder(off).map((i) => ({ st: s.steps[i]!, day: Math.floor(off[i]! / 86_400) })))(stepOffsets(s.steps)).map(({ st, day }) => (
                        <Tag key={st.id} color={CHANNEL_COLOR[st.channel]} style={{ fontSize: 10, lineHeight: '16px', marginInlineEnd: 2 }}>
                          {day}d {CHANNEL_LABEL[st.channel]}
                        </Tag>
                      ))}
                      {s.steps.length === 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>no steps</Typography.Text>}
                    </Space>
                  </button>
                </List.Item>
              );
            }}
          />
        ) : (
          <Skeleton active />
        )}
      </Card>

      {!draft ? (
        <Card size="small">
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      ) : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small">
            <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
              <Space wrap>
                <Input aria-label="Strategy name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} style={{ width: 240, maxWidth: '100%' }} maxLength={80} />
                <Input aria-label="Strategy description" placeholder="What this strategy is for" value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} style={{ width: 320, maxWidth: '100%' }} maxLength={500} />
                <Space size={4}>
                  <Switch aria-label="Strategy enabled" checked={draft.enabled} onChange={(enabled) => setDraft({ ...draft, enabled })} />
                  <Typography.Text type="secondary">{draft.enabled ? 'on' : 'off: plans skip this segment'}</Typography.Text>
                </Space>
              </Space>
              <Space>
                {dirty && <Tag color="orange" data-testid="unsaved">unsaved changes</Tag>}
                <Button icon={<UndoOutlined />} onClick={reset} disabled={!loaded?.customized && !dirty}>
                  Reset to default
                </Button>
                <Button type="primary" icon={<SaveOutlined />} loading={busy} onClick={save} disabled={!dirty}>
                  Save strategy
                </Button>
              </Space>
            </Space>
          </Card>

          {(hasRetry || hasEmail) && (
            <Alert
              type="warning"
              showIcon
              icon={<WarningOutlined />}
              data-testid="smart-retries-warning"
              message={`Stripe's own Smart Retries${hasEmail ? ' and failed-payment emails' : ''} also run unless you turn them off in the Stripe Dashboard (Billing → Revenue recovery): customers may be charged on both schedules${hasEmail ? ' and get two emails' : ''}.`}
            />
          )}

          <Card
            size="small"
            title={`Steps (${draft.steps.length})`}
            extra={
              <Dropdown
                menu={{
                  items: (['email', 'retry', 'offer', 'voice', 'am_task', 'webhook'] as ChannelKind[]).map((c) => ({
                    key: c,
                    label: AVAILABLE.includes(c) ? CHANNEL_LABEL[c] : `${CHANNEL_LABEL[c]} (not carried out yet)`,
                  })),
                  onClick: ({ key }) => add(key as ChannelKind),
                }}
              >
                <Button icon={<PlusOutlined />} aria-label="Add step">
                  Add step <DownOutlined />
                </Button>
              </Dropdown>
            }
          >
            {outOfOrder && (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 12 }}
                data-testid="steps-out-of-order"
                message={`Steps fire by their delay, not by their place in this list: ${firing.map((i) => `${dayLabel(offsets[i]!)} ${CHANNEL_LABEL[draft.steps[i]!.channel]}`).join(', ')}. Saving puts them in that order.`}
                action={
                  <Button size="small" onClick={sortSteps}>
                    Sort by due time
                  </Button>
                }
              />
            )}
            {draft.steps.length === 0 ? (
              <Empty description="No steps: a plan leaves this segment's invoices alone. Add an email, a retry or an offer." />
            ) : (
              <Timeline
                data-testid="step-timeline"
                items={draft.steps.map((step, i) => ({
                  key: step.id,
                  color: CHANNEL_COLOR[step.channel],
                  children: (
                    <>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="due-day">
                        {dayLabel(offsets[i]!)} after the first failure{outOfOrder ? ` · fires ${firing.indexOf(i) + 1} of ${draft.steps.length}` : ''}
                      </Typography.Text>
                      <StepCard
                        step={step}
                        index={i}
                        count={draft.steps.length}
                        currency={ws.currency}
                        tones={toneOptions}
                        selected={selected === i}
                        onChange={(s) => setSteps(draft.steps.map((x, k) => (k === i ? s : x)))}
                        onMove={(d) => move(i, d)}
                        onRemove={() => remove(i)}
                        onEditTemplate={() => setSelected(i)}
                      />
                    </>
                  ),
                }))}
              />
            )}
          </Card>

          {selectedStep && tpl ? (
            <TemplateEditor
              key={`${draft.key}:${selectedStep.id}`}
              title={`Step ${selected! + 1} · ${CHANNEL_LABEL[selectedStep.channel]}${tpl.builtIn ? ' (built-in email until you edit it)' : ''}`}
              template={tpl.template}
              sender={tpl.sender}
              note={tpl.note}
              tones={tones}
              onChange={(t) => setSteps(draft.steps.map((x, k) => (k === selected ? withTemplate(x, t) : x)))}
            />
          ) : (
            draft.steps.some(hasTemplate) && <Typography.Text type="secondary">Choose “Email” on a step to edit its message and preview it on a customer.</Typography.Text>
          )}
        </Space>
      )}
    </div>
  );
}
