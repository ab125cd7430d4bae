import { z } from 'zod';
import { fieldByName, isOperatorAllowed, operatorLabel, type Catalog, type FactField, type FactType } from '../facts/catalog';

/**
 * Segment rules are react-querybuilder RuleGroupType JSON. `validateRule`
 * checks one against the facts catalog and returns a normalized copy in which
 * every value has its canonical form:
 *   numbers/money/days/date  → number (money: integer minor units, date: unix seconds)
 *   between / notBetween     → [low, high] (sorted; given in any order)
 *   in / notIn / tags ops    → non-empty string[]
 *   boolean                  → true | false
 *   null / notNull           → null
 * Disabled rules and groups (`disabled: true`) are dropped, as react-querybuilder's
 * formatQuery does. Both evaluators (SQL compiler and JS explainer) consume only
 * the normalized form.
 */

export interface Rule {
  field: string;
  operator: string;
  value: unknown;
  valueSource?: 'value';
  id?: string;
  disabled?: boolean;
}

export interface RuleGroup {
  combinator: 'and' | 'or';
  not?: boolean;
  rules: Array<Rule | RuleGroup>;
  id?: string;
  disabled?: boolean;
}

export type RuleNode = Rule | RuleGroup;

export interface RuleError {
  path: string;
  message: string;
}

export type ValidateResult = { ok: true; rule: RuleGroup } | { ok: false; errors: RuleError[] };

/**
 * Each negative operator is the exact complement of a positive one, in the SQL
 * compiler and the JS evaluator alike (so a customer with an empty fact matches
 * "is not one of", and never "is one of").
 */
export const NEGATIVES: Readonly<Record<string, string>> = {
  '!=': '=',
  notBetween: 'between',
  notIn: 'in',
  doesNotContain: 'contains',
  hasNone: 'hasAny',
};

export const MAX_DEPTH = 8;
export const MAX_RULES = 200;
/** Groups (the root included): bounded like conditions, so a rule cannot be made of thousands of empty groups. */
export const MAX_GROUPS = 100;
export const MAX_LIST = 500;
export const MAX_TEXT = 1000;
export const MAX_DAYS = 36500;

export class RuleValidationError extends Error {
  constructor(public readonly errors: RuleError[]) {
    super(errors.map((e) => e.message).join('; ') || 'invalid rule');
    this.name = 'RuleValidationError';
  }
}

export function isGroup(node: unknown): node is RuleGroup {
  return typeof node === 'object' && node !== null && Array.isArray((node as { rules?: unknown }).rules);
}

const groupShape = z.object({
  combinator: z.string(),
  not: z.boolean().optional(),
  rules: z.array(z.unknown()),
  id: z.string().optional(),
  disabled: z.boolean().optional(),
});

const ruleShape = z.object({
  field: z.string(),
  operator: z.string(),
  value: z.unknown().optional(),
  valueSource: z.string().optional(),
  id: z.string().optional(),
  disabled: z.boolean().optional(),
});

type Fail = { error: string };
const fail = (error: string): Fail => ({ error });
const isFail = (v: unknown): v is Fail => typeof v === 'object' && v !== null && 'error' in v && !Array.isArray(v);

function toNumber(v: unknown): number | Fail {
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail('needs a finite number');
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    return fail(s === '' ? 'needs a number' : `value ${JSON.stringify(v)} is not a number`);
  }
  return fail(`value ${JSON.stringify(v) ?? String(v)} is not a number`);
}

function toDate(v: unknown): number | Fail {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v.trim())) {
    const s = v.trim();
    const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
    if (Number.isNaN(ms)) return fail(`value ${JSON.stringify(v)} is not a date`);
    return Math.floor(ms / 1000);
  }
  const n = toNumber(v);
  if (isFail(n)) return fail(`value ${JSON.stringify(v) ?? String(v)} is not a date (unix seconds or YYYY-MM-DD)`);
  if (!Number.isInteger(n)) return fail('a date must be whole unix seconds');
  return n;
}

function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',');
  if (v === null || v === undefined) return [];
  return [v];
}

function toPair<T>(v: unknown, conv: (x: unknown) => T | Fail): [T, T] | Fail {
  const list = toList(v).filter((x) => !(typeof x === 'string' && x.trim() === ''));
  if (list.length !== 2) return fail(`needs exactly two values, got ${list.length}`);
  const a = conv(list[0]);
  if (isFail(a)) return a;
  const b = conv(list[1]);
  if (isFail(b)) return b;
  return [a, b];
}

function toText(v: unknown): string | Fail {
  if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
  if (typeof v !== 'string') return fail(`value ${JSON.stringify(v) ?? String(v)} is not text`);
  if (v === '') return fail('needs a value');
  if (v.length > MAX_TEXT) return fail(`text longer than ${MAX_TEXT} characters`);
  return v;
}

function toTextList(v: unknown, field: FactField, strictEnum: boolean): string[] | Fail {
  const list = toList(v)
    .map((x) => (typeof x === 'string' ? x.trim() : typeof x === 'number' && Number.isFinite(x) ? String(x) : x))
    .filter((x) => x !== '');
  if (list.length === 0) return fail('needs at least one value');
  if (list.length > MAX_LIST) return fail(`more than ${MAX_LIST} values`);
  const out: string[] = [];
  for (const x of list) {
    const t = toText(x);
    if (isFail(t)) return t;
    if (strictEnum) {
      const e = enumValue(t, field);
      if (isFail(e)) return e;
      out.push(e);
    } else out.push(t);
  }
  return out;
}

function enumValue(v: string, field: FactField): string | Fail {
  const values = field.values ?? [];
  const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (hit === undefined) return fail(`${JSON.stringify(v)} is not one of the allowed values for ${field.label}`);
  return hit;
}

function toBoolean(v: unknown): boolean | Fail {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return fail('needs true or false');
}

/** Checks the value for field+operator and returns its canonical form. */
function normalizeValue(field: FactField, op: string, value: unknown): unknown {
  if (op === 'null' || op === 'notNull') return null;
  const strictEnum = field.type === 'enum' && !field.openValues;
  switch (field.type) {
    case 'money':
    case 'number':
    case 'days': {
      const conv = (x: unknown): number | Fail => {
        const n = toNumber(x);
        if (isFail(n)) return n;
        if (field.type === 'money' && !Number.isInteger(n)) return fail('money must be whole minor units (e.g. cents)');
        return n;
      };
      if (op === 'between' || op === 'notBetween') {
        const p = toPair(value, conv);
        return isFail(p) ? p : [Math.min(p[0], p[1]), Math.max(p[0], p[1])];
      }
      return conv(value);
    }
    case 'date': {
      if (op === 'between') {
        const p = toPair(value, toDate);
        return isFail(p) ? p : [Math.min(p[0], p[1]), Math.max(p[0], p[1])];
      }
      if (op === 'withinLastDays') {
        const n = toNumber(value);
        if (isFail(n)) return n;
        if (n < 0 || n > MAX_DAYS) return fail(`days must be between 0 and ${MAX_DAYS}`);
        return n;
      }
      return toDate(value);
    }
    case 'string':
    case 'enum': {
      if (op === 'in' || op === 'notIn') return toTextList(value, field, strictEnum);
      const t = toText(value);
      if (isFail(t)) return t;
      return strictEnum ? enumValue(t, field) : t;
    }
    case 'boolean':
      return toBoolean(value);
    case 'tags':
      return toTextList(value, field, false);
  }
}

/** Validates a rule against the catalog; on success returns its normalized form. */
export function validateRule(rule: unknown, catalog: Catalog): ValidateResult {
  const errors: RuleError[] = [];
  let ruleCount = 0;
  let groupCount = 0;
  const where = (path: string) => (path ? conditionName(path).replace(/condition (\d+)$/, 'group $1') : 'rule');

  const visitGroup = (node: unknown, path: string, depth: number): RuleGroup | null => {
    groupCount++;
    if (groupCount > MAX_GROUPS) return null;
    const g = groupShape.safeParse(node);
    if (!g.success) {
      errors.push({ path, message: `${where(path)}: not a rule group (needs combinator and rules)` });
      return null;
    }
    const combinator = g.data.combinator.toLowerCase();
    if (combinator !== 'and' && combinator !== 'or') {
      errors.push({ path, message: `${where(path)}: combinator ${JSON.stringify(g.data.combinator)} must be "and" or "or"` });
    }
    if (depth > MAX_DEPTH) {
      errors.push({ path, message: `${where(path)}: groups are nested deeper than ${MAX_DEPTH} levels` });
      return null;
    }
    const out: RuleGroup = { combinator: combinator === 'or' ? 'or' : 'and', rules: [] };
    if (g.data.not) out.not = true;
    if (g.data.id !== undefined) out.id = g.data.id;
    if (g.data.rules.length > MAX_RULES + MAX_GROUPS) {
      errors.push({ path, message: `${where(path)}: ${g.data.rules.length} entries in one group; a rule holds at most ${MAX_GROUPS} groups and ${MAX_RULES} conditions (empty groups count too)` });
      return null;
    }
    g.data.rules.forEach((child, i) => {
      const childPath = `${path ? `${path}.` : ''}rules[${i}]`;
      if (typeof child === 'object' && child !== null && (child as { disabled?: unknown }).disabled === true) return;
      if (isGroup(child)) {
        const c = visitGroup(child, childPath, depth + 1);
        if (c) out.rules.push(c);
      } else {
        const c = visitRule(child, childPath);
        if (c) out.rules.push(c);
      }
    });
    return out;
  };

  const visitRule = (node: unknown, path: string): Rule | null => {
    ruleCount++;
    const r = ruleShape.safeParse(node);
    if (!r.success) {
      errors.push({ path, message: `${conditionName(path)}: not a condition (needs a field and an operator)` });
      return null;
    }
    const { field: name, operator, value, valueSource, id } = r.data;
    const known = fieldByName(catalog, name);
    const prefix = `${conditionName(path)} (${known ? known.label : JSON.stringify(name)})`;
    if (valueSource !== undefined && valueSource !== 'value') {
      errors.push({ path, message: `${prefix}: comparing against another field is not supported` });
      return null;
    }
    const field = known;
    if (!field) {
      errors.push({ path, message: `${prefix}: no such field (\`reclaim fields\` lists them)` });
      return null;
    }
    if (!isOperatorAllowed(field.type, operator)) {
      errors.push({ path, message: `${prefix}: "${operatorLabel(operator)}" does not apply to ${TYPE_WORDS[field.type]}` });
      return null;
    }
    const v = normalizeValue(field, operator, value);
    if (isFail(v)) {
      errors.push({ path, message: `${prefix}: ${v.error}` });
      return null;
    }
    const out: Rule = { field: name, operator, value: v };
    if (id !== undefined) out.id = id;
    return out;
  };

  const root = visitGroup(rule, '', 1);
  if (ruleCount > MAX_RULES) errors.unshift({ path: '', message: `rule: more than ${MAX_RULES} conditions (${ruleCount})` });
  if (groupCount > MAX_GROUPS) {
    errors.unshift({ path: '', message: `rule: more than ${MAX_GROUPS} groups; empty or nested groups count too. Remove the empty groups or simplify the rule` });
  }
  if (errors.length > 0 || !root) return { ok: false, errors };
  return { ok: true, rule: root };
}

const TYPE_WORDS: Record<FactType, string> = {
  money: 'an amount', number: 'a number', days: 'a number of days', string: 'text', enum: 'a choice',
  boolean: 'yes/no', tags: 'tags', date: 'a date',
};

/** Where a condition sits, in the builder's words: `rules[1].rules[0]` → "group 2, condition 1". */
export function conditionName(path: string): string {
  const idx = [...path.matchAll(/rules\[(\d+)\]/g)].map((m) => Number(m[1]) + 1);
  if (idx.length === 0) return 'the rule';
  return [...idx.slice(0, -1).map((n) => `group ${n}`), `condition ${idx[idx.length - 1]}`].join(', ');
}

/** validateRule that throws a RuleValidationError. */
export function assertValidRule(rule: unknown, catalog: Catalog): RuleGroup {
  const r = validateRule(rule, catalog);
  if (!r.ok) throw new RuleValidationError(r.errors);
  return r.rule;
}
