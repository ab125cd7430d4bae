import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, InputNumber, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { ChannelKind, EmailConfig, OfferConfig, RetryConfig, Step, StepDelay, Tone } from '../../../../shared/contract';
import { CHANNEL_WORDS } from '../../../../shared/words';
import { ConditionsEditor, MoneyInput } from './ConditionsEditor';

/** A channel in words: the same names the core uses in timelines and messages (shared/words.ts). */
export const CHANNEL_LABEL: Record<ChannelKind, string> = CHANNEL_WORDS;
export const CHANNEL_COLOR: Record<ChannelKind, string> = {
  email: 'blue',
  retry: 'gold',
  offer: 'magenta',
  voice: 'cyan',
  am_task: 'purple',
  webhook: 'geekblue',
};
/** Channels this build carries out; the others belong to the voice / account-manager issue. */
/** Channels whose settings are edited on the step itself; the others are configured once per workspace. */
export const AVAILABLE: ChannelKind[] = ['email', 'retry', 'offer', 'voice', 'am_task', 'webhook'];
const WORKSPACE_CONFIGURED: ChannelKind[] = ['voice', 'am_task', 'webhook'];

export interface ToneOption {
  tone: Tone;
  label: string;
}

/** Whether this step has an email template the template editor can open. */
export const hasTemplate = (s: Step) => s.channel === 'email' || s.channel === 'offer' || s.channel === 'retry';

function DelayEditor({ delay, first, onChange, name }: { delay: StepDelay; first: boolean; onChange: (d: StepDelay) => void; name: string }) {
  return (
    <Space size={4} wrap>
      <InputNumber aria-label={`${name} delay days`} size="small" min={0} max={365} value={delay.days} onChange={(n) => onChange({ ...delay, days: Number(n ?? 0) })} addonAfter="d" style={{ width: 90 }} />
      <InputNumber aria-label={`${name} delay hours`} size="small" min={0} max={23} value={delay.hours} onChange={(n) => onChange({ ...delay, hours: Number(n ?? 0) })} addonAfter="h" style={{ width: 84 }} />
      <Select
        aria-label={`${name} delay from`}
        size="small"
        value={delay.from}
        onChange={(from) => onChange({ ...delay, from })}
        style={{ width: 190 }}
        options={[
          { value: 'first_failure', label: 'after the first failure' },
          { value: 'previous_step', label: 'after the previous step', disabled: first },
        ]}
      />
    </Space>
  );
}

function RetrySettings({ config, onChange, name }: { config: RetryConfig; onChange: (c: RetryConfig) => void; name: string }) {
  return (
    <Space size={[12, 6]} wrap>
      <Space size={4}>
        <Typography.Text type="secondary">Aggressiveness</Typography.Text>
        <Select
          aria-label={`${name} aggressiveness`}
          size="small"
          value={config.aggressiveness}
          onChange={(aggressiveness) => onChange({ ...config, aggressiveness })}
          style={{ width: 120 }}
          options={['gentle', 'standard', 'aggressive'].map((v) => ({ value: v, label: v }))}
        />
      </Space>
      <Space size={4}>
        <Typography.Text type="secondary">Skip after</Typography.Text>
        <InputNumber aria-label={`${name} attempt cap`} size="small" min={1} max={20} value={config.maxAttempts} onChange={(n) => onChange({ ...config, maxAttempts: Number(n ?? 4) })} addonAfter="attempts" style={{ width: 140 }} />
      </Space>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        Hard declines are never retried: the customer is asked for a new card instead.
      </Typography.Text>
    </Space>
  );
}

function OfferSettings({ config, onChange, currency, name }: { config: OfferConfig; onChange: (c: OfferConfig) => void; currency: string; name: string }) {
  return (
    <Space size={[12, 6]} wrap>
      <Select
        aria-label={`${name} offer kind`}
        size="small"
        value={config.kind}
        onChange={(kind) => onChange({ ...config, kind })}
        style={{ width: 210 }}
        options={[
          { value: 'coupon', label: 'Discount coupon' },
          { value: 'annual', label: 'Switch to annual billing' },
          { value: 'payment_method', label: 'Switch payment method' },
        ]}
      />
      {config.kind === 'coupon' && (
        <>
          <Select
            aria-label={`${name} discount type`}
            size="small"
            value={config.amountOff !== null ? 'amount' : 'percent'}
            onChange={(t) => onChange(t === 'amount' ? { ...config, percentOff: null, amountOff: config.amountOff ?? 1000 } : { ...config, amountOff: null, percentOff: config.percentOff ?? 20 })}
            style={{ width: 110 }}
            options={[
              { value: 'percent', label: 'percent off' },
              { value: 'amount', label: 'amount off' },
            ]}
          />
          {config.amountOff !== null ? (
            <MoneyInput label={`${name} amount off`} value={config.amountOff} onChange={(v) => onChange({ ...config, amountOff: v ?? 1 })} currency={currency} />
          ) : (
            <InputNumber aria-label={`${name} percent off`} size="small" min={1} max={100} value={config.percentOff} onChange={(n) => onChange({ ...config, percentOff: n === null ? null : Number(n) })} addonAfter="%" style={{ width: 100 }} />
          )}
          <Select
            aria-label={`${name} duration`}
            size="small"
            value={config.duration}
            onChange={(duration) => onChange({ ...config, duration, durationInMonths: duration === 'repeating' ? (config.durationInMonths ?? 3) : null })}
            style={{ width: 120 }}
            options={['once', 'repeating', 'forever'].map((v) => ({ value: v, label: v }))}
          />
          {config.duration === 'repeating' && (
            <InputNumber aria-label={`${name} months`} size="small" min={1} max={36} value={config.durationInMonths} onChange={(n) => onChange({ ...config, durationInMonths: Number(n ?? 1) })} addonAfter="months" style={{ width: 130 }} />
          )}
        </>
      )}
      <Space size={4}>
        <Typography.Text type="secondary">Per customer ≤</Typography.Text>
        <InputNumber aria-label={`${name} cap per customer`} size="small" min={1} max={10} value={config.maxPerCustomer} onChange={(n) => onChange({ ...config, maxPerCustomer: Number(n ?? 1) })} style={{ width: 60 }} />
      </Space>
      <Space size={4}>
        <Typography.Text type="secondary">Per run ≤</Typography.Text>
        <InputNumber aria-label={`${name} cap per run`} size="small" min={1} placeholder="no cap" value={config.maxPerRun} onChange={(n) => onChange({ ...config, maxPerRun: n === null ? null : Number(n) })} style={{ width: 90 }} />
      </Space>
    </Space>
  );
}

export function stepSummary(s: Step): string {
  const when = `${s.delay.days ? `${s.delay.days} d` : ''}${s.delay.hours ? ` ${s.delay.hours} h` : ''}`.trim() || 'immediately';
  const from = s.delay.from === 'first_failure' ? 'after first failure' : 'after previous step';
  return when === 'immediately' ? `${when} (${from})` : `${when} ${from}`;
}

interface Props {
  step: Step;
  index: number;
  count: number;
  currency: string;
  tones: ToneOption[];
  selected: boolean;
  onChange(step: Step): void;
  onMove(delta: number): void;
  onRemove(): void;
  onEditTemplate(): void;
}

/** One step of a strategy: channel, timing, conditions and channel settings, all editable in place. */
export function StepCard({ step, index, count, currency, tones, selected, onChange, onMove, onRemove, onEditTemplate }: Props) {
  const name = `Step ${index + 1}`;
  const set = <K extends keyof Step>(k: K, v: Step[K]) => onChange({ ...step, [k]: v } as Step);
  return (
    <Card
      size="small"
      data-testid={`step-${index + 1}`}
      style={selected ? { borderColor: '#3b5bdb' } : undefined}
      title={
        <Space size={8}>
          <Typography.Text type="secondary">{index + 1}</Typography.Text>
          <Tag color={CHANNEL_COLOR[step.channel]}>{CHANNEL_LABEL[step.channel]}</Tag>
          <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 12 }}>
            {stepSummary(step)}
          </Typography.Text>
        </Space>
      }
      extra={
        <Space size={2}>
          {hasTemplate(step) && (
            <Tooltip title="Edit this step's email and preview it">
              <Button size="small" type={selected ? 'primary' : 'default'} icon={<EditOutlined />} aria-label={`Edit ${name} email`} onClick={onEditTemplate}>
                {step.channel === 'retry' ? 'New-card email' : step.channel === 'offer' ? 'Offer email' : 'Email'}
              </Button>
            </Tooltip>
          )}
          <Button size="small" type="text" icon={<ArrowUpOutlined />} aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => onMove(-1)} />
          <Button size="small" type="text" icon={<ArrowDownOutlined />} aria-label={`Move ${name} down`} disabled={index === count - 1} onClick={() => onMove(1)} />
          <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={`Remove ${name}`} onClick={onRemove} />
        </Space>
      }
    >
      <Space direction="vertical" size={8} style={{ width: '100%' }}>
        <Space size={[12, 6]} wrap>
          <Typography.Text type="secondary">When</Typography.Text>
          <DelayEditor name={name} delay={step.delay} first={index === 0} onChange={(d) => set('delay', d)} />
        </Space>
        <ConditionsEditor name={name} c={step.conditions} onChange={(c) => set('conditions', c)} currency={currency} />
        {step.channel === 'email' && (
          <Space size={[12, 6]} wrap>
            <Space size={4}>
              <Typography.Text type="secondary">Tone</Typography.Text>
              <Select aria-label={`${name} tone`} size="small" value={step.config.tone} onChange={(tone) => onChange({ ...step, config: { ...step.config, tone } as EmailConfig })} style={{ width: 150 }} options={tones.map((t) => ({ value: t.tone, label: t.label }))} />
            </Space>
            <Space size={4}>
              <Typography.Text type="secondary">Sender</Typography.Text>
              <Select
                aria-label={`${name} sender`}
                size="small"
                value={step.config.sender}
                onChange={(sender) => onChange({ ...step, config: { ...step.config, sender } })}
                style={{ width: 190 }}
                options={[
                  { value: 'workspace', label: 'Workspace sender' },
                  { value: 'account_manager', label: 'Account manager' },
                ]}
              />
            </Space>
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: 360, fontSize: 12 }}>
              “{step.config.template.subject}”
            </Typography.Text>
          </Space>
        )}
        {step.channel === 'retry' && <RetrySettings name={name} config={step.config} onChange={(config) => onChange({ ...step, config })} />}
        {step.channel === 'offer' && <OfferSettings name={name} config={step.config} onChange={(config) => onChange({ ...step, config })} currency={currency} />}
        {WORKSPACE_CONFIGURED.includes(step.channel) && (
          <Alert type="info" showIcon message={`${CHANNEL_LABEL[step.channel]} settings (provider, budgets and value threshold, account managers, webhook URL) are set once per workspace under White-glove queue → Settings.`} />
        )}
        <Checkbox checked disabled>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Only while the invoice is unpaid (a step never fires once it is paid, void or uncollectible)
          </Typography.Text>
        </Checkbox>
      </Space>
    </Card>
  );
}
