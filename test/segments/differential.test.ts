import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sqlite } from '../../main/core/db/sqlite';
import { catalogFor, operatorsFor, type FactField } from '../../main/core/facts/catalog';
import { matchingIds } from '../../main/core/segments/compile';
import { evaluateRule } from '../../main/core/segments/explain';
import { validateRule } from '../../main/core/segments/rule';
import { addAttribute, DAY, factsRow, insertFacts, NOW, workspaceDb, type FactsInput } from './helpers';

let db: Sqlite;
let close: () => void;
let catalog: FactField[];

beforeAll(() => {
  ({ db, close } = workspaceDb());
  addAttribute(db, 'seats', 'number');
  addAttribute(db, 'tier', 'string');
  addAttribute(db, 'flag', 'boolean');
  addAttribute(db, 'a.b c-d', 'number');
  catalog = catalogFor(db);
});
afterAll(() => close());

// Small pools so rule values and customer values collide often.
const TEXT = ['alice', 'Alice', 'ALICE@x.io', 'alice@x.io', 'bob', 'b_b', 'b%b', "o'neil", 'a\\b', 'É', 'é', 'x', 'Pro', 'pro', 'eu', 'EU'];
const TAGS = ['vip', 'VIP', 'beta', 'x y', 'É', 'é'];
const NUMS = [-5, 0, 1, 7, 90, 365, 500, 9999, 10000, 99899, 99900, 120000];
const STRICT_POOLS: Record<string, string[]> = {
  currency: ['usd', 'eur', 'jpy'],
  subscription_status: ['active', 'trialing', 'past_due', 'none'],
  billing_interval: ['month', 'year'],
  last_decline_code: ['insufficient_funds', 'stolen_card', 'do_not_honor'],
  last_advice_code: ['do_not_try_again', 'try_again_later', 'confirm_card_data'],
  tax_exempt: ['none', 'exempt', 'reverse'],
};

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });
const text = fc.constantFrom(...TEXT);
const num = fc.oneof(fc.constantFrom(...NUMS), fc.integer({ min: -10, max: 130000 }));

const attrsArb = fc.oneof(
  { weight: 10, arbitrary: fc.record(
    {
      seats: fc.oneof(fc.constantFrom(...NUMS), fc.double({ min: -10, max: 200, noNaN: true }), fc.constantFrom('7', '-3.5', '1.', '1e3', ' 5', '007', '', 'x'), fc.boolean(), fc.constant(null)),
      tier: fc.oneof(text, fc.integer({ min: 0, max: 5 }), fc.boolean(), fc.constant(null)),
      flag: fc.constantFrom<unknown>(true, false, 1, 0, 2, 'yes', 'No', 'TRUE', 'false', '1', 'maybe', null, [1]),
      'a.b c-d': fc.constantFrom<unknown>(1, 7, '7', 'seven', null),
    },
    { requiredKeys: [] },
  ).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.constantFrom('{"flag": 1.0, "seats": 7.0}', 'not json', '[1,2]', '{"tier": {"a": 1}}') },
);
const tagsArb = fc.oneof(
  { weight: 10, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom<unknown>(...TAGS) }, { weight: 1, arbitrary: fc.constant<unknown>(5) }), { maxLength: 3 }).map((a) => JSON.stringify(a)) },
  { weight: 1, arbitrary: fc.constantFrom('{"a":"vip"}', 'nope', '"vip"') },
);

const customerArb = fc.record({
  email: opt(text), name: opt(text), plan: opt(text), region: opt(text), product_id: opt(text),
  currency: opt(fc.constantFrom(...STRICT_POOLS.currency!)),
  subscription_status: opt(fc.constantFrom(...STRICT_POOLS.subscription_status!)),
  billing_interval: opt(fc.constantFrom(...STRICT_POOLS.billing_interval!)),
  last_decline_code: opt(fc.constantFrom(...STRICT_POOLS.last_decline_code!)),
  last_decline_hard: opt(fc.constantFrom(0, 1)),
  last_advice_code: opt(fc.constantFrom(...STRICT_POOLS.last_advice_code!)),
  mrr: num, tenure_days: num, ltv: num, failures_12m: fc.integer({ min: 0, max: 4 }), amount_at_risk: num,
  card_expires_in_days: opt(num), days_since_first_failure: opt(num),
  created: fc.integer({ min: 0, max: 1000 }).map((d) => NOW - d * DAY),
  tags: tagsArb, attrs: attrsArb,
  country: opt(text), state: opt(text), tax_exempt: opt(fc.constantFrom(...STRICT_POOLS.tax_exempt!)), preferred_locales: tagsArb,
});

function valueArb(field: FactField, op: string): fc.Arbitrary<unknown> {
  if (op === 'null' || op === 'notNull') return fc.constantFrom(null, '', undefined);
  const pair = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.tuple(a, a), fc.tuple(a, a).map(([x, y]) => `${x},${y}`));
  switch (field.type) {
    case 'money':
    case 'number':
    case 'days':
      return op === 'between' || op === 'notBetween' ? pair(num) : fc.oneof(num, num.map(String));
    case 'date': {
      const d = fc.integer({ min: 0, max: 1000 }).map((x) => NOW - x * DAY);
      if (op === 'between') return pair(d);
      if (op === 'withinLastDays') return fc.integer({ min: 0, max: 1000 });
      return d;
    }
    case 'boolean':
      return fc.constantFrom(true, false, 'true', 'false');
    case 'tags':
      return fc.oneof(fc.array(fc.constantFrom(...TAGS), { minLength: 1, maxLength: 3 }), fc.constantFrom('vip, beta', 'É'));
    case 'string':
    case 'enum': {
      const pool = STRICT_POOLS[field.name] ?? TEXT;
      const one = fc.constantFrom(...pool);
      if (op === 'in' || op === 'notIn') return fc.array(one, { minLength: 1, maxLength: 3 });
      return one;
    }
  }
}

const conditionArb = () =>
  fc.constantFrom(...catalog).chain((field) =>
    fc.constantFrom(...operatorsFor(field.type).map((o) => o.name)).chain((operator) =>
      valueArb(field, operator).map((value) => ({ field: field.name, operator, value })),
    ),
  );

const ruleArb = () => {
  const { group } = fc.letrec<{ group: unknown; node: unknown }>((tie) => ({
    group: fc.record({
      combinator: fc.constantFrom('and', 'or'),
      not: fc.boolean(),
      rules: fc.array(tie('node'), { maxLength: 4 }),
    }),
    node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, conditionArb(), tie('group')),
  }));
  return group;
};

describe('SQL compiler and JS evaluator agree', () => {
  it('on random nested rules × random customers (with empty facts)', () => {
    let nonTrivial = 0;
    fc.assert(
      fc.property(fc.array(customerArb, { minLength: 1, maxLength: 12 }), fc.array(ruleArb(), { minLength: 1, maxLength: 4 }), (customers, rules) => {
        const rows: FactsInput[] = customers.map((c, i) => ({ customer_id: `cus_${i}`, ...c }));
        db.prepare('DELETE FROM customer_facts').run();
        insertFacts(db, rows);
        for (const rule of rules) {
          const v = validateRule(rule, catalog);
          expect(v.ok, JSON.stringify(v)).toBe(true);
          const sqlIds = matchingIds(db, rule, catalog, NOW);
          const jsIds = rows.filter((r) => evaluateRule(rule, factsRow(r), catalog, NOW).matched).map((r) => r.customer_id).sort();
          expect(sqlIds).toEqual(jsIds);
          if (sqlIds.length > 0 && sqlIds.length < rows.length) nonTrivial++;
        }
      }),
      { numRuns: 1500 },
    );
    // the generators do produce rules that split the customers, not only all-or-nothing
    expect(nonTrivial).toBeGreaterThan(500);
  });
});
