import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sqlite } from '../../main/core/db/sqlite';
import { attrJsonPath, catalogFor, FACTS, type FactField } from '../../main/core/facts/catalog';
import { compileRule, matchingIds, qb } from '../../main/core/segments/compile';
import { RuleValidationError, validateRule } from '../../main/core/segments/rule';
import { addAttribute, insertFacts, NOW, workspaceDb } from './helpers';

let db: Sqlite;
let close: () => void;
let catalog: FactField[];

beforeAll(() => {
  ({ db, close } = workspaceDb());
  insertFacts(db, [
    { customer_id: 'quote', name: "Pat O'Hara", email: "o'hara@x.io", attrs: { 'plan size': 3 } },
    { customer_id: 'percent', name: '100% Agency', email: 'pct@x.io' },
    { customer_id: 'plain', name: 'Plain Co', email: 'plain@x.io', attrs: { 'plan size': 9 } },
  ]);
  addAttribute(db, 'plan size', 'number');
  addAttribute(db, 'evil"]\') OR 1=1 --', 'string');
  addAttribute(db, 'back\\slash', 'string');
  catalog = catalogFor(db);
});
afterAll(() => close());

const one = (field: string, operator: string, value?: unknown) => ({ combinator: 'and', rules: [{ field, operator, value }] });
const tablesIntact = () =>
  expect(db.prepare(`SELECT count(*) FROM customer_facts`).pluck().get()).toBe(3);

describe('hostile input', () => {
  it('refuses an injected field name with an error that names the rule', () => {
    const r = validateRule({ combinator: 'and', rules: [{ field: 'mrr; DROP TABLE customer_facts', operator: '=', value: 1 }] }, catalog);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toBe('condition 1 ("mrr; DROP TABLE customer_facts"): no such field (`reclaim fields` lists them)');
    expect(() => matchingIds(db, one('mrr; DROP TABLE customer_facts', '=', 1), catalog, NOW)).toThrow(RuleValidationError);
    tablesIntact();
  });

  it('refuses an injected operator', () => {
    const r = validateRule(
      { combinator: 'and', rules: [{ combinator: 'or', rules: [] }, { combinator: 'or', rules: [{ field: 'mrr', operator: '= 1 OR 1=1 --', value: 1 }] }] },
      catalog,
    );
    expect(r).toEqual({
      ok: false,
      errors: [{ path: 'rules[1].rules[0]', message: 'group 2, condition 1 (MRR): "= 1 OR 1=1 --" does not apply to an amount' }],
    });
  });

  it('refuses an injected combinator and valueSource "field"', () => {
    expect(validateRule({ combinator: 'and 1=1 or', rules: [] }, catalog).ok).toBe(false);
    const r = validateRule({ combinator: 'and', rules: [{ field: 'mrr', operator: '=', value: 'ltv', valueSource: 'field' }] }, catalog);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/another field is not supported/);
  });

  it('drops attribute keys that could break out of the JSON path and never compiles them', () => {
    expect(catalog.map((f) => f.name)).toContain('attrs.plan size');
    expect(catalog.some((f) => f.name.includes('evil') || f.name.includes('slash'))).toBe(false);
    expect(validateRule(one('attrs.evil"]\') OR 1=1 --', '=', 'x'), catalog).ok).toBe(false);
    expect(() => attrJsonPath('a"b')).toThrow();
    // even a hand-made catalog with a hostile key or column is refused at compile time
    const badKey: FactField = { name: 'attrs.x', label: 'x', type: 'string', column: 'attrs', attrKey: 'x") OR 1=1 --', description: '', source: 'csv', nullable: true };
    expect(() => compileRule(one('attrs.x', '=', 'a'), [...FACTS, badKey], { now: NOW })).toThrow(/invalid attribute key/);
    const badColumn: FactField = { ...FACTS.find((f) => f.name === 'mrr')!, name: 'sneaky', column: 'mrr" OR 1=1 --' };
    expect(() => compileRule(one('sneaky', '=', 1), [...FACTS, badColumn], { now: NOW })).toThrow(/unknown column/);
  });

  it('a key with a space is a bound value (customer_attr.key), never SQL text', () => {
    expect(matchingIds(db, one('attrs.plan size', '>', 5), catalog, NOW)).toEqual(['plain']);
    const { where } = compileRule(one('attrs.plan size', '>', 5), catalog, { now: NOW });
    const c = qb.selectFrom('customer_facts as f').select('f.customer_id').where(where).compile();
    expect(c.sql).not.toContain('plan size');
    expect(c.parameters).toContain('plan size');
    // the JSON reading (the reference) binds it as a quoted JSON path
    const json = compileRule(one('attrs.plan size', '>', 5), catalog, { now: NOW, probe: 'json' }).where;
    const j = qb.selectFrom('customer_facts as f').select('f.customer_id').where(json).compile();
    expect(j.sql).not.toContain('plan size');
    expect(j.parameters).toContain('$."plan size"');
  });

  it('binds values with quotes and wildcards as data', () => {
    expect(matchingIds(db, one('name', 'contains', "'"), catalog, NOW)).toEqual(['quote']);
    expect(matchingIds(db, one('name', 'contains', '%'), catalog, NOW)).toEqual(['percent']);
    expect(matchingIds(db, one('name', '=', "x' OR '1'='1"), catalog, NOW)).toEqual([]);
    expect(matchingIds(db, one('email', 'in', ["o'hara@x.io", "'); DROP TABLE customer_facts; --"]), catalog, NOW)).toEqual(['quote']);
    const { where } = compileRule(one('name', 'contains', "'; DROP TABLE customer_facts; --"), catalog, { now: NOW });
    const c = qb.selectFrom('customer_facts as f').select('f.customer_id').where(where).compile();
    expect(c.sql).not.toContain('DROP');
    expect(matchingIds(db, one('name', 'contains', "'; DROP TABLE customer_facts; --"), catalog, NOW)).toEqual([]);
    tablesIntact();
  });

  it('evaluates the largest valid rule (200 conditions × 500 values) instead of failing with "too many SQL variables"', () => {
    const rules = Array.from({ length: 200 }, (_, i) => ({ field: 'customer_id', operator: 'in', value: Array.from({ length: 500 }, (_, j) => (i === 199 && j === 499 ? 'quote' : `cus_${i}_${j}`)) }));
    expect(matchingIds(db, { combinator: 'or', rules }, catalog, NOW)).toEqual(['quote']);
  });

  it('rejects bad values, too-deep nesting and too many rules with paths', () => {
    const errs = (rule: unknown) => {
      const r = validateRule(rule, catalog);
      return r.ok ? [] : r.errors.map((e) => e.message);
    };
    expect(errs(one('mrr', '>', 'abc'))).toEqual(['condition 1 (MRR): value "abc" is not a number']);
    expect(errs(one('mrr', '>', 10.5))).toEqual(['condition 1 (MRR): money must be whole minor units (e.g. cents)']);
    expect(errs(one('mrr', 'between', [1]))).toEqual(['condition 1 (MRR): needs exactly two values, got 1']);
    expect(errs(one('mrr', 'between', [1, 2, 3]))).toEqual(['condition 1 (MRR): needs exactly two values, got 3']);
    expect(errs(one('email', 'in', []))).toEqual(['condition 1 (Email): needs at least one value']);
    expect(errs(one('subscription_status', '=', 'bogus'))[0]).toMatch(/not one of the allowed values/);
    expect(errs(one('tags', 'hasAny', ''))).toEqual(['condition 1 (Tags): needs at least one value']);
    expect(errs(one('last_decline_hard', '=', 'maybe'))).toEqual(['condition 1 (Last decline was hard): needs true or false']);
    let deep: Record<string, unknown> = { combinator: 'and', rules: [] };
    for (let i = 0; i < 8; i++) deep = { combinator: 'and', rules: [deep] };
    expect(errs(deep)[0]).toMatch(/^group 1(, group 1){7}: groups are nested deeper than 8 levels$/);
    const many = { combinator: 'or', rules: Array.from({ length: 201 }, () => ({ field: 'mrr', operator: '>', value: 1 })) };
    expect(errs(many)).toEqual(['rule: more than 200 conditions (201)']);
    expect(errs({ combinator: 'and', rules: Array.from({ length: 200 }, () => ({ field: 'mrr', operator: '>', value: 1 })) })).toEqual([]);
    expect(errs('DROP TABLE x')).toEqual(['rule: not a rule group (needs combinator and rules)']);
  });
});
