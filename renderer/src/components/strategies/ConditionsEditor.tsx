import { CloseOutlined, DownOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Dropdown, InputNumber, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import type { StepConditions } from '../../../../shared/contract';
import { minorExponent } from '../../../../shared/money';

export function MoneyInput({ value, onChange, currency, label }: { value: number | null; onChange: (v: number | null) => void; currency: string; label: string }) {
  const scale = 10 ** minorExponent(currency);
  return (
    <InputNumber
      aria-label={label}
      size="small"
      min={0}
      addonBefore={currency.toUpperCase()}
      placeholder="any"
      value={value === null ? null : value / scale}
      onChange={(n) => onChange(n === null || n === undefined ? null : Math.round(Number(n) * scale))}
      style={{ width: 150 }}
    />
  );
}

type Key = keyof StepConditions;

/** Each condition: its words, whether it narrows the step, what adding it starts with, and what removing it restores. */
const CONDITIONS: { key: Key; label: string; isSet: (c: StepConditions) => boolean; added: Partial<StepConditions>; cleared: Partial<StepConditions> }[] = [
  { key: 'declineType', label: 'Decline type', isSet: (c) => c.declineType !== 'any', added: { declineType: 'soft' }, cleared: { declineType: 'any' } },
  { key: 'minAmountAtRisk', label: 'Amount at risk ≥', isSet: (c) => c.minAmountAtRisk !== null, added: {}, cleared: { minAmountAtRisk: null } },
  { key: 'maxAmountAtRisk', label: 'Amount at risk ≤', isSet: (c) => c.maxAmountAtRisk !== null, added: {}, cleared: { maxAmountAtRisk: null } },
  { key: 'minFailures12m', label: 'Failures in 12 months ≥', isSet: (c) => c.minFailures12m !== null, added: { minFailures12m: 2 }, cleared: { minFailures12m: null } },
  { key: 'afterUnansweredEmails', label: 'Unanswered emails ≥', isSet: (c) => c.afterUnansweredEmails !== null, added: { afterUnansweredEmails: 1 }, cleared: { afterUnansweredEmails: null } },
  { key: 'lastCallNotAnswered', label: 'Call not answered', isSet: (c) => c.lastCallNotAnswered, added: { lastCallNotAnswered: true }, cleared: { lastCallNotAnswered: false } },
];

/**
 * A step's conditions (#21): only the ones that narrow the step are shown, each removable;
 * "Add condition" offers the others. A condition just added stays shown while its value is still empty.
 */
export function ConditionsEditor({ c, onChange, currency, name }: { c: StepConditions; onChange: (c: StepConditions) => void; currency: string; name: string }) {
  const [added, setAdded] = useState<Key[]>([]);
  const shown = CONDITIONS.filter((d) => d.isSet(c) || added.includes(d.key));
  const unset = CONDITIONS.filter((d) => !shown.includes(d));
  const field = (key: Key) => {
    switch (key) {
      case 'declineType':
        return (
          <Select
            aria-label={`${name} decline type`}
            size="small"
            value={c.declineType}
            onChange={(declineType) => onChange({ ...c, declineType })}
            style={{ width: 110 }}
            options={[
              { value: 'any', label: 'any' },
              { value: 'soft', label: 'soft only' },
              { value: 'hard', label: 'hard only' },
            ]}
          />
        );
      case 'minAmountAtRisk':
        return <MoneyInput label={`${name} minimum amount at risk`} value={c.minAmountAtRisk} onChange={(minAmountAtRisk) => onChange({ ...c, minAmountAtRisk })} currency={currency} />;
      case 'maxAmountAtRisk':
        return <MoneyInput label={`${name} maximum amount at risk`} value={c.maxAmountAtRisk} onChange={(maxAmountAtRisk) => onChange({ ...c, maxAmountAtRisk })} currency={currency} />;
      case 'minFailures12m':
        return <InputNumber aria-label={`${name} minimum failures`} size="small" min={0} placeholder="any" value={c.minFailures12m} onChange={(n) => onChange({ ...c, minFailures12m: n === null ? null : Number(n) })} style={{ width: 70 }} />;
      case 'afterUnansweredEmails':
        return <InputNumber aria-label={`${name} unanswered emails`} size="small" min={0} placeholder="any" value={c.afterUnansweredEmails} onChange={(n) => onChange({ ...c, afterUnansweredEmails: n === null ? null : Number(n) })} style={{ width: 70 }} />;
      case 'lastCallNotAnswered':
        return <Typography.Text type="secondary">(no call of this run was answered)</Typography.Text>;
    }
  };
  return (
    <Space size={[12, 6]} wrap data-testid={`conditions-${name.toLowerCase().replace(" ", "-")}`}>
      <Typography.Text type="secondary">{shown.length ? 'Only if' : 'For every failed invoice'}</Typography.Text>
      {shown.map((d) => (
        <Space key={d.key} size={4} data-testid="condition">
          <Typography.Text>{d.label}</Typography.Text>
          {field(d.key)}
          <Button
            size="small"
            type="text"
            icon={<CloseOutlined />}
            aria-label={`${name}: remove condition ${d.label}`}
            onClick={() => {
              setAdded((a) => a.filter((k) => k !== d.key));
              onChange({ ...c, ...d.cleared });
            }}
          />
        </Space>
      ))}
      {unset.length > 0 && (
        <Dropdown
          menu={{
            items: unset.map((d) => ({ key: d.key, label: d.label })),
            onClick: ({ key }) => {
              const d = CONDITIONS.find((x) => x.key === key)!;
              setAdded((a) => [...a, d.key]);
              onChange({ ...c, ...d.added });
            },
          }}
        >
          <Button size="small" type="dashed" icon={<PlusOutlined />} aria-label={`${name} add condition`}>
            Add condition <DownOutlined />
          </Button>
        </Dropdown>
      )}
    </Space>
  );
}
