import { DatePicker, InputNumber, Radio, Space } from 'antd';
import dayjs from 'dayjs';
import type { ValueEditorProps } from 'react-querybuilder';
import { AntDValueEditor } from '@react-querybuilder/antd';
import { minorExponent } from '../../../shared/money';

/**
 * Value editors a person expects: money typed in major units of the workspace
 * currency (stored in minor units), day counts, dates stored as unix seconds,
 * yes/no for booleans. Everything else: the antd defaults.
 */
export function makeValueEditor(currency: string) {
  const scale = 10 ** minorExponent(currency);
  return function RuleValueEditor(props: ValueEditorProps) {
    const type = (props.fieldData as { factType?: string }).factType;
    const { operator, value, handleOnChange } = props;
    if (operator === 'null' || operator === 'notNull') return null;
    const two = operator === 'between' || operator === 'notBetween';
    const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? v.split(',') : [v, v]);

    if (type === 'money') {
      const one = (v: unknown, set: (n: number | null) => void, label: string) => (
        <InputNumber
          aria-label={label}
          addonBefore={currency.toUpperCase()}
          min={0}
          value={v === '' || v === null || v === undefined ? null : Number(v) / scale}
          onChange={(n) => set(n === null ? null : Math.round(Number(n) * scale))}
          style={{ width: 170 }}
        />
      );
      if (two) {
        const [a, b] = asList(value);
        return (
          <Space>
            {one(a, (n) => handleOnChange([n, b]), 'from')}
            and
            {one(b, (n) => handleOnChange([a, n]), 'to')}
          </Space>
        );
      }
      return one(value, (n) => handleOnChange(n), 'amount');
    }
    if (type === 'days' || type === 'number' || (type === 'date' && operator === 'withinLastDays')) {
      const one = (v: unknown, set: (n: number | null) => void, label: string) => (
        <InputNumber
          aria-label={label}
          value={v === '' || v === null || v === undefined ? null : Number(v)}
          onChange={(n) => set(n === null ? null : Number(n))}
          addonAfter={type === 'number' ? undefined : 'days'}
          style={{ width: 150 }}
        />
      );
      if (two) {
        const [a, b] = asList(value);
        return (
          <Space>
            {one(a, (n) => handleOnChange([n, b]), 'from')}
            and
            {one(b, (n) => handleOnChange([a, n]), 'to')}
          </Space>
        );
      }
      return one(value, (n) => handleOnChange(n), 'value');
    }
    if (type === 'date') {
      const one = (v: unknown, set: (n: number | null) => void) => (
        <DatePicker value={v ? dayjs.unix(Number(v)) : null} onChange={(d) => set(d ? d.startOf('day').unix() : null)} />
      );
      if (two) {
        const [a, b] = asList(value);
        return (
          <Space>
            {one(a, (n) => handleOnChange([n, b]))}
            and
            {one(b, (n) => handleOnChange([a, n]))}
          </Space>
        );
      }
      return one(value, (n) => handleOnChange(n));
    }
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
