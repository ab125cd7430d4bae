import { DatePicker, InputNumber, Radio, Space } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import type { ValueEditorProps } from 'react-querybuilder';
import { AntDValueEditor } from '@react-querybuilder/antd';
import { minorExponent } from '../../../shared/money';

type One = (value: unknown, set: (n: number | null) => void, label: string) => ReactNode;

const isEmpty = (v: unknown) => v === '' || v === null || v === undefined;

/**
 * Value editors a person expects: money typed in major units of the workspace
 * currency (stored in minor units), day counts, dates stored as unix seconds,
 * yes/no for booleans. Everything else: the antd defaults.
 */
export function makeValueEditor(currency: string) {
  const scale = 10 ** minorExponent(currency);

  const money: One = (v, set, label) => (
    <InputNumber
      aria-label={label}
      addonBefore={currency.toUpperCase()}
      min={0}
      value={isEmpty(v) ? null : Number(v) / scale}
      onChange={(n) => set(n === null ? null : Math.round(Number(n) * scale))}
      style={{ width: 170 }}
    />
  );
  const count =
    (unit: string | undefined): One =>
    (v, set, label) => (
      <InputNumber aria-label={label} value={isEmpty(v) ? null : Number(v)} onChange={(n) => set(n === null ? null : Number(n))} addonAfter={unit} style={{ width: 150 }} />
    );
  const date: One = (v, set, label) => (
    <DatePicker aria-label={label} value={v ? dayjs.unix(Number(v)) : null} onChange={(d) => set(d ? d.startOf('day').unix() : null)} />
  );

  return function RuleValueEditor(props: ValueEditorProps) {
    const type = (props.fieldData as { factType?: string }).factType;
    const { operator, value, handleOnChange } = props;
    if (operator === 'null' || operator === 'notNull') return null;

    /** One editor, or two ("between") writing a [low, high] pair. */
    const single = (one: One, label: string) => {
      if (operator !== 'between' && operator !== 'notBetween') return one(value, (n) => handleOnChange(n), label);
      const [a, b] = Array.isArray(value) ? value : typeof value === 'string' && value !== '' ? value.split(',') : [null, null];
      return (
        <Space>
          {one(a, (n) => handleOnChange([n, b]), 'from')}
          and
          {one(b, (n) => handleOnChange([a, n]), 'to')}
        </Space>
      );
    };

    if (type === 'money') return single(money, 'amount');
    if (type === 'date' && operator === 'withinLastDays') return single(count('days'), 'value');
    if (type === 'days' || type === 'number') return single(count(type === 'days' ? 'days' : undefined), 'value');
    if (type === 'date') return single(date, 'date');
    if (type === 'boolean') {
      return (
        <Radio.Group value={value === true || value === 'true'} onChange={(e) => handleOnChange(e.target.value)} optionType="button" size="small">
          <Radio.Button value={true}>Yes</Radio.Button>
          <Radio.Button value={false}>No</Radio.Button>
        </Radio.Group>
      );
    }
    return <AntDValueEditor {...props} />;
  };
}
