import { fieldByName, operatorLabel, type Catalog, type FactField } from '../facts/catalog';
import { asciiLower } from './compile';
import { assertValidRule, isGroup, NEGATIVES, type Rule, type RuleGroup } from './rule';
import { minorExponent } from '../../../shared/money';

/**
 * Evaluates a rule against one customer's facts in JavaScript, with the same
 * semantics as the SQL compiler (see the comment at the top of compile.ts), and
 * explains each step.
 */

/** A customer_facts row; `tags`/`attrs` may be JSON text or already parsed. */
export interface FactsRow {
  customer_id: string;
  [column: string]: unknown;
}

export interface ExplainNode {
  path: string;
  kind: 'group' | 'rule';
  matched: boolean;
  description: string;
  children?: ExplainNode[];
}

export interface EvaluateOptions {
  /** Workspace currency for money formatting (default usd). */
  currency?: string;
  /** BCP-47 locale for formatting (default en). */
  locale?: string;
}

function parseJson(v: unknown, fallback: unknown): unknown {
  if (typeof v !== 'string') return v ?? fallback;
  try {
    return JSON.parse(v);
  } catch {
    return fallback;
  }
}

function tagsOf(row: FactsRow, column = 'tags'): string[] {
  const t = parseJson(row[column], []);
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

function attrsOf(row: FactsRow): Record<string, unknown> {
  const a = parseJson(row.attrs, {});
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : {};
}

const NUMERIC_TEXT = /^-?[0-9]+(\.[0-9]+)?$/;

/** The fact's typed value, or null when empty/unreadable (mirrors valueExpr in compile.ts). */
export function factValue(row: FactsRow, field: FactField): unknown {
  if (field.source === 'fact') {
    const v = row[field.column];
    return v === undefined ? null : v;
  }
  const attrs = attrsOf(row);
  if (!Object.prototype.hasOwnProperty.call(attrs, field.attrKey!)) return null;
  const v = attrs[field.attrKey!];
  switch (field.type) {
    case 'number':
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && NUMERIC_TEXT.test(v)) return Number(v);
      return null;
    case 'boolean':
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'number') return v === 1 ? 1 : v === 0 ? 0 : null;
      if (typeof v === 'string') {
        const l = asciiLower(v);
        return l === 'true' || l === '1' || l === 'yes' ? 1 : l === 'false' || l === '0' || l === 'no' ? 0 : null;
      }
      return null;
    case 'string':
      return typeof v === 'string' ? v : null;
    default:
      return null;
  }
}

/** Positive condition; null = "unknown" (empty fact), which the caller turns into false. */
function positive(field: FactField, op: string, value: unknown, fact: unknown, row: FactsRow, now: number): boolean | null {
  if (field.type === 'tags') {
    const have = new Set(tagsOf(row, field.column).map(asciiLower));
    const want = (value as string[]).map(asciiLower);
    if (op === 'hasAny') return want.some((w) => have.has(w));
    if (op === 'hasAll') return want.every((w) => have.has(w));
    throw new Error(`operator ${op} is not supported for tags`);
  }
  if (fact === null) return null;
  switch (field.type) {
    case 'money':
    case 'number':
    case 'days':
    case 'date': {
      const n = fact as number;
      switch (op) {
        case '=': return n === value;
        case '<': case 'before': return n < (value as number);
        case '<=': return n <= (value as number);
        case '>': case 'after': return n > (value as number);
        case '>=': return n >= (value as number);
        case 'between': {
          const [lo, hi] = value as [number, number];
          return n >= lo && n <= hi;
        }
        case 'withinLastDays': return n >= now - (value as number) * 86400;
      }
      break;
    }
    case 'string':
    case 'enum': {
      const s = asciiLower(String(fact));
      switch (op) {
        case '=': return s === asciiLower(value as string);
        case 'contains': return s.includes(asciiLower(value as string));
        case 'beginsWith': return s.startsWith(asciiLower(value as string));
        case 'endsWith': return s.endsWith(asciiLower(value as string));
        case 'in': return (value as string[]).some((x) => asciiLower(x) === s);
      }
      break;
    }
    case 'boolean':
      if (op === '=') return fact === (value ? 1 : 0) || fact === value;
      break;
  }
  throw new Error(`operator ${op} is not supported for ${field.type}`);
}


export function evaluateCondition(rule: Rule, row: FactsRow, catalog: Catalog, now: number): boolean {
  const field = fieldByName(catalog, rule.field);
  if (!field) throw new Error(`unknown field ${rule.field}`);
  const fact = factValue(row, field);
  if (rule.operator === 'null') return fact === null;
  if (rule.operator === 'notNull') return fact !== null;
  const neg = NEGATIVES[rule.operator];
  if (neg !== undefined) return !(positive(field, neg, rule.value, fact, row, now) ?? false);
  return positive(field, rule.operator, rule.value, fact, row, now) ?? false;
}

// ---------- descriptions ----------

function formatter(opts: EvaluateOptions) {
  const currency = (opts.currency ?? 'usd').toUpperCase();
  const locale = opts.locale ?? 'en';
  let money: Intl.NumberFormat;
  try {
    money = new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  // Stripe's minor unit (https://docs.stripe.com/currencies#minor-units), not CLDR's display digits.
  const digits = minorExponent(currency);
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 6 });
  return (field: FactField, v: unknown): string => {
    if (v === null || v === undefined) return '(empty)';
    switch (field.type) {
      case 'money': return money.format((v as number) / 10 ** digits);
      case 'number': return num.format(v as number);
      case 'days': return `${num.format(v as number)} ${Math.abs(v as number) === 1 ? 'day' : 'days'}`;
      case 'date': return new Date((v as number) * 1000).toISOString().slice(0, 10);
      case 'boolean': return v === 1 || v === true ? 'yes' : 'no';
      case 'tags': return Array.isArray(v) ? (v.length ? v.map((t) => JSON.stringify(t)).join(', ') : '(no tags)') : String(v);
      default: return JSON.stringify(String(v));
    }
  };
}

const OP_SYMBOL: Record<string, string> = { '>=': '≥', '<=': '≤', '!=': '≠' };

function describeRule(rule: Rule, row: FactsRow, field: FactField, fmt: ReturnType<typeof formatter>, matched: boolean): string {
  const mark = matched ? '✓' : '✗';
  const fact = field.type === 'tags' ? tagsOf(row, field.column) : factValue(row, field);
  const shown = fmt(field, fact);
  const op = rule.operator;
  const v = rule.value;
  let rhs: string;
  switch (op) {
    case 'null': return `${field.label} is empty (${shown}) ${mark}`;
    case 'notNull': return `${field.label} ${shown} is not empty ${mark}`;
    case 'between':
    case 'notBetween': {
      const [lo, hi] = v as [unknown, unknown];
      rhs = `${fmt(field, lo)} and ${fmt(field, hi)}`;
      break;
    }
    case 'withinLastDays':
      rhs = `${v as number} days`;
      break;
    case 'in':
    case 'notIn':
    case 'hasAny':
    case 'hasAll':
    case 'hasNone':
      rhs = (v as string[]).map((x) => JSON.stringify(x)).join(', ');
      break;
    default:
      rhs = field.type === 'boolean' ? (v ? 'yes' : 'no') : fmt(field, v);
  }
  return `${field.label} ${shown} ${OP_SYMBOL[op] ?? operatorLabel(op)} ${rhs} ${mark}`;
}

function evalGroup(group: RuleGroup, path: string, row: FactsRow, catalog: Catalog, now: number, fmt: ReturnType<typeof formatter>): ExplainNode {
  const children = group.rules.map((r, i) => {
    const p = `${path ? `${path}.` : ''}rules[${i}]`;
    if (isGroup(r)) return evalGroup(r, p, row, catalog, now, fmt);
    const field = fieldByName(catalog, r.field)!;
    const matched = evaluateCondition(r, row, catalog, now);
    return { path: p, kind: 'rule' as const, matched, description: describeRule(r, row, field, fmt, matched) };
  });
  const inner =
    children.length === 0 ? true : group.combinator === 'or' ? children.some((c) => c.matched) : children.every((c) => c.matched);
  const matched = group.not ? !inner : inner;
  const count = children.length;
  let description =
    count === 0
      ? 'No conditions (matches everyone)'
      : `${group.combinator === 'or' ? 'Any' : 'All'} of ${count} condition${count === 1 ? '' : 's'}: ${children.filter((c) => c.matched).length} met`;
  if (group.not) description = `NOT (${description})`;
  return { path: path || 'rule', kind: 'group', matched, description: `${description} ${matched ? '✓' : '✗'}`, children };
}

/**
 * Evaluates a rule (validated here; throws RuleValidationError) for one
 * customer. `now` is unix seconds.
 */
export function evaluateRule(
  rule: unknown,
  facts: FactsRow,
  catalog: Catalog,
  now: number,
  opts: EvaluateOptions = {},
): { matched: boolean; tree: ExplainNode } {
  const valid = assertValidRule(rule, catalog);
  const tree = evalGroup(valid, '', facts, catalog, now, formatter(opts));
  return { matched: tree.matched, tree };
}
