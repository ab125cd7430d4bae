import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sqlite } from '../../main/core/db/sqlite';
import { catalogFor, operatorsFor, type FactField } from '../../main/core/facts/catalog';
import { countMatching, matchingIds, sampleMatching } from '../../main/core/segments/compile';
import { evaluateRule } from '../../main/core/segments/explain';
import { addAttribute, DAY, factsRow, insertFacts, NOW, workspaceDb, type FactsInput } from './helpers';

const CUSTOMERS: FactsInput[] = [
  {
    customer_id: 'c1', email: 'Alice@Example.com', name: "O'Brien 100% Co", currency: 'usd', plan: 'Pro', product_id: 'prod_A',
    billing_interval: 'month', subscription_status: 'active', mrr: 120000, tenure_days: 400, ltv: 500000, failures_12m: 0,
    card_expiry: '2026-01', card_expires_in_days: 30, region: 'EU', industry: 'SaaS', account_manager: 'Dana',
    tags: ['VIP', 'beta'], attrs: { seats: 25, tier: 'gold', churny: true }, created: NOW - 400 * DAY,
  },
  {
    customer_id: 'c2', email: 'bob@test.io', name: 'Bob_Smith', currency: 'eur', plan: 'Basic', billing_interval: 'year',
    subscription_status: 'past_due', mrr: 5000, tenure_days: 30, failures_12m: 3, last_decline_code: 'insufficient_funds',
    last_decline_hard: 0, card_expires_in_days: -5, open_past_due_count: 2, amount_at_risk: 10000, days_since_first_failure: 12,
    region: 'US', tags: ['beta'], attrs: { seats: '7', tier: 'Silver', churny: 'no' }, created: NOW - 30 * DAY,
  },
  {
    customer_id: 'c3', subscription_status: 'none', mrr: 0, tenure_days: 100, failures_12m: 1, last_decline_code: 'stolen_card',
    last_decline_hard: 1, open_past_due_count: 1, amount_at_risk: 2500, days_since_first_failure: 3, tags: [], attrs: {},
    created: NOW - 100 * DAY,
  },
  {
    customer_id: 'c4', email: 'carol@EXAMPLE.com', name: 'Carol', plan: 'pro', mrr: 99900, tenure_days: 800, failures_12m: 2,
    region: 'eu', tags: ['vip'], attrs: { seats: 3.5, tier: 7, churny: 1 }, created: NOW - 800 * DAY,
  },
];

let db: Sqlite;
let close: () => void;
let catalog: FactField[];

beforeAll(() => {
  ({ db, close } = workspaceDb());
  insertFacts(db, CUSTOMERS);
  addAttribute(db, 'seats', 'number', 'Seats');
  addAttribute(db, 'tier', 'string', 'Tier');
  addAttribute(db, 'churny', 'boolean', 'Churn risk flag');
  catalog = catalogFor(db);
});
afterAll(() => close());

const one = (field: string, operator: string, value?: unknown) => ({ combinator: 'and', rules: [{ field, operator, value }] });

/** Ids matched by SQL, checked against the JS evaluator for the same rule. */
function ids(rule: unknown): string[] {
  const sqlIds = matchingIds(db, rule, catalog, NOW);
  const jsIds = CUSTOMERS.filter((c) => evaluateRule(rule, factsRow(c), catalog, NOW).matched).map((c) => c.customer_id);
  expect(jsIds).toEqual(sqlIds);
  return sqlIds;
}

describe('catalog', () => {
  it('lists static facts, enum values from the data, and custom attributes', () => {
    const byName = new Map(catalog.map((f) => [f.name, f]));
    expect(byName.get('mrr')).toMatchObject({ type: 'money', unit: 'usd', column: 'mrr' });
    expect(byName.get('subscription_status')!.values).toEqual(expect.arrayContaining(['active', 'trialing', 'past_due', 'none']));
    expect(byName.get('plan')!.values).toEqual(['Basic', 'pro', 'Pro']);
    expect(byName.get('region')!.values).toEqual(expect.arrayContaining(['EU', 'US', 'eu']));
    expect(byName.get('attrs.seats')).toMatchObject({ type: 'number', column: 'attrs', attrKey: 'seats', label: 'Seats', source: 'csv' });
    expect(byName.get('last_decline_hard')!.type).toBe('boolean');
    expect(byName.get('created')!.type).toBe('date');
    expect(operatorsFor('tags').map((o) => o.name)).toEqual(['hasAny', 'hasAll', 'hasNone']);
    expect(operatorsFor('date').map((o) => o.name)).toEqual(['before', 'after', 'between', 'withinLastDays', 'null', 'notNull']);
  });
});

describe('compiler: every operator and type', () => {
  it('money / number / days', () => {
    expect(ids(one('mrr', '=', 5000))).toEqual(['c2']);
    expect(ids(one('mrr', '=', '5000'))).toEqual(['c2']);
    expect(ids(one('mrr', '!=', 5000))).toEqual(['c1', 'c3', 'c4']);
    expect(ids(one('mrr', '<', 5000))).toEqual(['c3']);
    expect(ids(one('mrr', '<=', 5000))).toEqual(['c2', 'c3']);
    expect(ids(one('mrr', '>', 99900))).toEqual(['c1']);
    expect(ids(one('mrr', '>=', 99900))).toEqual(['c1', 'c4']);
    expect(ids(one('mrr', 'between', [5000, 99900]))).toEqual(['c2', 'c4']);
    expect(ids(one('mrr', 'between', '99900,5000'))).toEqual(['c2', 'c4']);
    expect(ids(one('mrr', 'notBetween', [5000, 99900]))).toEqual(['c1', 'c3']);
    expect(ids(one('mrr', 'null'))).toEqual([]);
    expect(ids(one('mrr', 'notNull'))).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(ids(one('failures_12m', '>=', 2))).toEqual(['c2', 'c4']);
    expect(ids(one('tenure_days', '<', 90))).toEqual(['c2']);
  });

  it('nullable numbers: comparisons are false on empty, negations are true', () => {
    expect(ids(one('card_expires_in_days', '<', 60))).toEqual(['c1', 'c2']);
    expect(ids(one('card_expires_in_days', '>=', -1000))).toEqual(['c1', 'c2']);
    expect(ids(one('card_expires_in_days', '!=', 30))).toEqual(['c2', 'c3', 'c4']);
    expect(ids(one('card_expires_in_days', 'notBetween', [0, 100]))).toEqual(['c2', 'c3', 'c4']);
    expect(ids(one('card_expires_in_days', 'null'))).toEqual(['c3', 'c4']);
    expect(ids(one('days_since_first_failure', 'notNull'))).toEqual(['c2', 'c3']);
    expect(ids({ combinator: 'and', not: true, rules: [{ field: 'days_since_first_failure', operator: '>', value: 5 }] })).toEqual(['c1', 'c3', 'c4']);
  });

  it('strings: case-insensitive, LIKE characters are literal', () => {
    expect(ids(one('email', '=', 'alice@example.com'))).toEqual(['c1']);
    expect(ids(one('email', '!=', 'alice@example.com'))).toEqual(['c2', 'c3', 'c4']);
    expect(ids(one('email', 'contains', 'EXAMPLE'))).toEqual(['c1', 'c4']);
    expect(ids(one('email', 'doesNotContain', 'example'))).toEqual(['c2', 'c3']);
    expect(ids(one('email', 'beginsWith', 'BOB'))).toEqual(['c2']);
    expect(ids(one('email', 'endsWith', '.COM'))).toEqual(['c1', 'c4']);
    expect(ids(one('email', 'in', ['BOB@test.io', 'nobody@x']))).toEqual(['c2']);
    expect(ids(one('email', 'in', 'bob@test.io, carol@example.com'))).toEqual(['c2', 'c4']);
    expect(ids(one('email', 'notIn', ['bob@test.io']))).toEqual(['c1', 'c3', 'c4']);
    expect(ids(one('email', 'null'))).toEqual(['c3']);
    expect(ids(one('email', 'notNull'))).toEqual(['c1', 'c2', 'c4']);
    expect(ids(one('name', 'contains', '_'))).toEqual(['c2']);
    expect(ids(one('name', 'contains', '%'))).toEqual(['c1']);
    expect(ids(one('name', 'beginsWith', 'b_'))).toEqual([]);
    expect(ids(one('name', 'contains', "'"))).toEqual(['c1']);
    expect(ids(one('customer_id', '=', 'C3'))).toEqual(['c3']);
  });

  it('enums: static allowed values and data-driven values', () => {
    expect(ids(one('subscription_status', 'in', ['active', 'past_due']))).toEqual(['c1', 'c2']);
    expect(ids(one('subscription_status', 'notIn', ['active']))).toEqual(['c2', 'c3', 'c4']);
    expect(ids(one('subscription_status', '=', 'none'))).toEqual(['c3']);
    expect(ids(one('subscription_status', '!=', 'none'))).toEqual(['c1', 'c2', 'c4']);
    expect(ids(one('subscription_status', 'null'))).toEqual(['c4']);
    expect(ids(one('subscription_status', 'notNull'))).toEqual(['c1', 'c2', 'c3']);
    expect(ids(one('plan', '=', 'PRO'))).toEqual(['c1', 'c4']);
    expect(ids(one('region', 'in', ['eu']))).toEqual(['c1', 'c4']);
    expect(ids(one('last_decline_code', 'in', ['stolen_card', 'lost_card']))).toEqual(['c3']);
    expect(ids(one('billing_interval', '=', 'year'))).toEqual(['c2']);
  });

  it('booleans', () => {
    expect(ids(one('last_decline_hard', '=', true))).toEqual(['c3']);
    expect(ids(one('last_decline_hard', '=', 'false'))).toEqual(['c2']);
    expect(ids(one('last_decline_hard', 'null'))).toEqual(['c1', 'c4']);
    expect(ids(one('last_decline_hard', 'notNull'))).toEqual(['c2', 'c3']);
    expect(ids({ combinator: 'and', not: true, rules: [{ field: 'last_decline_hard', operator: '=', value: true }] })).toEqual(['c1', 'c2', 'c4']);
  });

  it('tags', () => {
    expect(ids(one('tags', 'hasAny', ['vip']))).toEqual(['c1', 'c4']);
    expect(ids(one('tags', 'hasAny', 'Beta, nope'))).toEqual(['c1', 'c2']);
    expect(ids(one('tags', 'hasAll', ['vip', 'beta']))).toEqual(['c1']);
    expect(ids(one('tags', 'hasNone', ['beta']))).toEqual(['c3', 'c4']);
  });

  it('dates (unix seconds)', () => {
    expect(ids(one('created', 'before', NOW - 365 * DAY))).toEqual(['c1', 'c4']);
    expect(ids(one('created', 'after', NOW - 365 * DAY))).toEqual(['c2', 'c3']);
    expect(ids(one('created', 'between', [NOW - 500 * DAY, NOW - 50 * DAY]))).toEqual(['c1', 'c3']);
    expect(ids(one('created', 'withinLastDays', 30))).toEqual(['c2']);
    expect(ids(one('created', 'withinLastDays', 29))).toEqual([]);
    expect(ids(one('created', 'before', new Date((NOW - 500 * DAY) * 1000).toISOString().slice(0, 10)))).toEqual(['c4']);
    expect(ids(one('created', 'notNull'))).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(ids(one('created', 'null'))).toEqual([]);
  });

  it('custom attributes: number (JSON or numeric text), string, boolean', () => {
    expect(ids(one('attrs.seats', '>', 5))).toEqual(['c1', 'c2']);
    expect(ids(one('attrs.seats', '<', 5))).toEqual(['c4']);
    expect(ids(one('attrs.seats', 'null'))).toEqual(['c3']);
    expect(ids(one('attrs.seats', '!=', 25))).toEqual(['c2', 'c3', 'c4']);
    expect(ids(one('attrs.tier', 'in', ['GOLD', 'silver']))).toEqual(['c1', 'c2']);
    expect(ids(one('attrs.tier', 'null'))).toEqual(['c3', 'c4']); // a JSON number is not a string attribute
    expect(ids(one('attrs.churny', '=', true))).toEqual(['c1', 'c4']);
    expect(ids(one('attrs.churny', '=', false))).toEqual(['c2']);
    expect(ids(one('attrs.churny', 'null'))).toEqual(['c3']);
  });

  it('groups: empty groups match everyone, NOT of empty matches no one, nesting', () => {
    expect(ids({ combinator: 'and', rules: [] })).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(ids({ combinator: 'or', rules: [] })).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(ids({ combinator: 'or', not: true, rules: [] })).toEqual([]);
    expect(
      ids({
        combinator: 'or',
        rules: [
          { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 99900 }, { field: 'tags', operator: 'hasAny', value: ['beta'] }] },
          { combinator: 'and', not: true, rules: [{ field: 'email', operator: 'notNull', value: null }] },
        ],
      }),
    ).toEqual(['c1', 'c3']);
    // disabled rules are ignored, like react-querybuilder's formatQuery
    expect(ids({ combinator: 'and', rules: [{ field: 'mrr', operator: '>', value: 0 }, { field: 'mrr', operator: '<', value: 0, disabled: true }] })).toEqual(['c1', 'c2', 'c4']);
  });

  it('counts, sums and samples matching customers', () => {
    expect(countMatching(db, one('failures_12m', '>=', 1), catalog, NOW)).toEqual({ count: 3, mrr: 5000 + 0 + 99900, amountAtRisk: 12500 });
    expect(sampleMatching(db, one('mrr', '>', 0), catalog, NOW, 2)).toEqual([
      { id: 'c1', email: 'Alice@Example.com', name: "O'Brien 100% Co", mrr: 120000, plan: 'Pro' },
      { id: 'c4', email: 'carol@EXAMPLE.com', name: 'Carol', mrr: 99900, plan: 'pro' },
    ]);
    expect(matchingIds(db, { combinator: 'and', rules: [] }, catalog, NOW, 2)).toEqual(['c1', 'c2']);
  });
});

describe('explanations', () => {
  it('describes each condition with formatted money and marks', () => {
    const rule = {
      combinator: 'and',
      rules: [
        { field: 'mrr', operator: '>=', value: 99900 },
        { combinator: 'or', rules: [{ field: 'tags', operator: 'hasAny', value: ['vip'] }, { field: 'email', operator: 'null' }] },
      ],
    };
    const c1 = evaluateRule(rule, factsRow(CUSTOMERS[0]!), catalog, NOW, { currency: 'usd' });
    expect(c1.matched).toBe(true);
    expect(c1.tree.children![0]).toMatchObject({ path: 'rules[0]', matched: true, description: 'MRR $1,200.00 ≥ $999.00 ✓' });
    expect(c1.tree.children![1]!.children![1]).toMatchObject({ path: 'rules[1].rules[1]', matched: false });
    const c2 = evaluateRule(rule, factsRow(CUSTOMERS[1]!), catalog, NOW, { currency: 'eur' });
    expect(c2.matched).toBe(false);
    expect(c2.tree.children![0]!.description).toBe('MRR €50.00 ≥ €999.00 ✗');
  });
});
