import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sqlite } from '../../main/core/db/sqlite';
import { catalogFor, type Catalog } from '../../main/core/facts/catalog';
import { matchingIds } from '../../main/core/segments/compile';
import { recomputeMembershipInBackground } from '../../main/core/segments/membership-async';
import * as segments from '../../main/core/segments/service';
import { addAttribute, insertFacts, NOW, workspaceDb, type FactsInput } from './helpers';

/**
 * The one-pass membership (a bitmask per customer, incremental on the dirty
 * set, views for members and winners) must equal the old per-segment
 * evaluation: one query per segment (matchingIds), the winner being the first
 * matching segment in priority order.
 */

let db: Sqlite;
let close: () => void;
let catalog: Catalog;

beforeEach(() => {
  ({ db, close } = workspaceDb());
  addAttribute(db, 'seats', 'number');
  catalog = catalogFor(db);
});
afterEach(() => close());

const NUMS = [0, 1, 2, 5, 90, 365, 2900, 19900, 99900];
const num = fc.oneof(fc.constantFrom(...NUMS), fc.integer({ min: 0, max: 120000 }));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });

const customerArb = fc.record({
  mrr: num,
  tenure_days: fc.integer({ min: 0, max: 1000 }),
  failures_12m: fc.integer({ min: 0, max: 4 }),
  amount_at_risk: num,
  open_past_due_count: fc.integer({ min: 0, max: 2 }),
  region: opt(fc.constantFrom('na', 'emea', 'apac')),
  subscription_status: opt(fc.constantFrom('active', 'past_due', 'trialing')),
  card_expires_in_days: opt(fc.integer({ min: -30, max: 400 })),
  tags: fc.array(fc.constantFrom('vip', 'beta', 'partner'), { maxLength: 2 }),
  attrs: fc.record({ seats: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant('7'), fc.constant('x')) }, { requiredKeys: [] }),
});

const conditionArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ field: fc.constantFrom('mrr', 'amount_at_risk'), operator: fc.constantFrom('>=', '<', '=', '!='), value: num }),
  fc.record({ field: fc.constant('tenure_days'), operator: fc.constantFrom('<', '>'), value: fc.integer({ min: 0, max: 1000 }) }),
  fc.record({ field: fc.constant('failures_12m'), operator: fc.constantFrom('>=', '='), value: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ field: fc.constant('region'), operator: fc.constantFrom('in', 'notIn'), value: fc.subarray(['na', 'emea', 'apac'], { minLength: 1 }) }),
  fc.record({ field: fc.constant('region'), operator: fc.constantFrom('null', 'notNull'), value: fc.constant(null) }),
  fc.record({ field: fc.constant('card_expires_in_days'), operator: fc.constantFrom('<', 'between'), value: fc.oneof(fc.integer({ min: -30, max: 400 }), fc.constant([0, 60])) })
    .filter((c) => (c.operator === 'between') === Array.isArray(c.value)),
  fc.record({ field: fc.constant('tags'), operator: fc.constantFrom('hasAny', 'hasNone'), value: fc.subarray(['vip', 'beta', 'partner'], { minLength: 1 }) }),
  fc.record({ field: fc.constant('attrs.seats'), operator: fc.constantFrom('>=', '<'), value: fc.integer({ min: 0, max: 20 }) }),
);

const ruleArb: fc.Arbitrary<unknown> = fc.letrec<{ group: unknown; node: unknown }>((tie) => ({
  group: fc.record({ combinator: fc.constantFrom('and', 'or'), not: fc.boolean(), rules: fc.array(tie('node'), { maxLength: 3 }) }),
  node: fc.oneof({ depthSize: 'small', maxDepth: 2 }, conditionArb, tie('group')),
})).group;

const rowsOf = (customers: fc.Arbitrary<unknown>[] | unknown[], offset = 0): FactsInput[] =>
  (customers as Record<string, unknown>[]).map((c, i) => ({ customer_id: `cus_${String(i + offset).padStart(4, '0')}`, ...c }) as FactsInput);

function createSegments(rules: unknown[]): void {
  rules.forEach((rule, i) => segments.create(db, { name: `S${i}`, rule }, NOW));
}

/** What the old per-segment evaluation says: members per segment (priority order) and each customer's winner. */
function expected(): { members: Map<string, string[]>; winners: Map<string, string | null> } {
  const members = new Map<string, string[]>();
  for (const s of segments.list(db)) members.set(s.id, matchingIds(db, s.rule, catalog, NOW));
  const winners = new Map<string, string | null>();
  for (const id of db.prepare('SELECT customer_id FROM customer_facts ORDER BY customer_id').pluck().all() as string[]) {
    winners.set(id, [...members.entries()].find(([, ids]) => ids.includes(id))?.[0] ?? null);
  }
  return { members, winners };
}

function checkAgainstPerSegment(): void {
  const { members, winners } = expected();
  for (const [segId, ids] of members) {
    const got = db.prepare('SELECT customer_id FROM segment_members WHERE segment_id = ? ORDER BY customer_id').pluck().all(segId);
    expect(got, `members of ${segId}`).toEqual(ids);
  }
  const gotWinners = new Map(
    (db.prepare('SELECT customer_id, segment_id FROM segment_winner').all() as { customer_id: string; segment_id: string | null }[]).map((r) => [r.customer_id, r.segment_id]),
  );
  expect(gotWinners).toEqual(winners);
  // Stats: members, wins, overlap, default wins.
  const st = segments.stats(db);
  const ids = [...members.keys()];
  expect(st.segments.map((s) => s.id)).toEqual(ids);
  expect(st.segments.map((s) => s.members)).toEqual(ids.map((id) => members.get(id)!.length));
  expect(st.segments.map((s) => s.wins)).toEqual(ids.map((id) => [...winners.values()].filter((w) => w === id).length));
  expect(st.defaultWins).toBe([...winners.values()].filter((w) => w === null).length);
  expect(st.overlap).toEqual(ids.map((a) => ids.map((b) => members.get(a)!.filter((c) => members.get(b)!.includes(c)).length)));
  const mrr = new Map((db.prepare('SELECT customer_id, mrr FROM customer_facts').all() as { customer_id: string; mrr: number }[]).map((r) => [r.customer_id, r.mrr]));
  expect(st.segments.map((s) => s.mrr)).toEqual(ids.map((id) => members.get(id)!.reduce((a, c) => a + mrr.get(c)!, 0)));
}

describe('one-pass membership equals the per-segment evaluation', () => {
  it('after a full recompute, an incremental one on changed customers, and a reorder', () => {
    fc.assert(
      fc.property(
        fc.array(customerArb, { minLength: 1, maxLength: 15 }),
        fc.array(ruleArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(20), fc.option(customerArb, { nil: null })), { maxLength: 6 }),
        fc.nat(),
        (customers, rules, changes, seed) => {
          db.exec('DELETE FROM segments; DELETE FROM customer_facts; DELETE FROM membership_bits');
          insertFacts(db, rowsOf(customers));
          createSegments(rules);
          expect(segments.recomputeMembership(db, catalog, NOW).mode).toBe('full');
          checkAgainstPerSegment();

          // Facts change for a few customers (updated, deleted, or new): only they are rewritten.
          const touched = new Set<string>();
          for (const [i, c] of changes) {
            const id = `cus_${String(i).padStart(4, '0')}`;
            touched.add(id);
            db.prepare('DELETE FROM customer_facts WHERE customer_id = ?').run(id);
            if (c) insertFacts(db, rowsOf([c], i));
          }
          const r = segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' });
          expect(r.mode).toBe('changed');
          expect(r.rewritten).toBeLessThanOrEqual(touched.size);
          checkAgainstPerSegment();

          // A reorder changes winners without evaluating any rule.
          const ids = segments.list(db).map((s) => s.id);
          const order = [...ids].sort((a, b) => ((a.charCodeAt(5) * (seed % 7 + 1)) % 11) - ((b.charCodeAt(5) * (seed % 7 + 1)) % 11));
          segments.reorder(db, order, NOW);
          checkAgainstPerSegment();
          expect(segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' }).rewritten).toBe(0);
          checkAgainstPerSegment();
        },
      ),
      { numRuns: 120 },
    );
  });

  it('with more than 63 segments (several 63-bit words)', () => {
    fc.assert(
      fc.property(fc.array(customerArb, { minLength: 5, maxLength: 25 }), fc.array(ruleArb, { minLength: 64, maxLength: 140 }), (customers, rules) => {
        db.exec('DELETE FROM segments; DELETE FROM customer_facts; DELETE FROM membership_bits');
        insertFacts(db, rowsOf(customers));
        createSegments(rules);
        segments.recomputeMembership(db, catalog, NOW);
        const words = db.prepare('SELECT max(word) FROM membership_bits').pluck().get() as number;
        expect(words).toBe(Math.floor((rules.length - 1) / 63));
        checkAgainstPerSegment();
        // The last segment (highest word, high bit) changes its rule: a full recompute follows.
        const last = segments.list(db).at(-1)!;
        segments.update(db, last.id, { rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 0 }] } }, NOW);
        expect(segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' }).mode).toBe('full');
        checkAgainstPerSegment();
        insertFacts(db, rowsOf(customers.slice(0, 3), 500));
        expect(segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' }).rewritten).toBe(Math.min(3, customers.length));
        checkAgainstPerSegment();
      }),
      { numRuns: 8 },
    );
  });

  it('archiving, restoring and removing a segment keeps members and winners right without a recompute', () => {
    insertFacts(db, rowsOf(Array.from({ length: 30 }, (_, i) => ({ mrr: i * 1000, tenure_days: i * 30, failures_12m: i % 4 }))));
    segments.ensureDefaults(db, NOW);
    segments.recomputeMembership(db, catalog, NOW);
    const growth = segments.list(db).find((s) => s.name === 'Growth')!;
    segments.archive(db, growth.id, NOW);
    checkAgainstPerSegment();
    segments.archive(db, growth.id, NOW, false);
    expect(segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' })).toMatchObject({ mode: 'changed', rewritten: 0 });
    checkAgainstPerSegment();
    segments.remove(db, segments.list(db)[0]!.id);
    checkAgainstPerSegment();
    // A rule that stops validating (its attribute removed) leaves the segment empty; a later auto run notices.
    segments.create(db, { name: 'Seats', rule: { combinator: 'and', rules: [{ field: 'attrs.seats', operator: '>=', value: 1 }] } }, NOW);
    segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' });
    db.prepare(`DELETE FROM attribute_catalog WHERE key = 'seats'`).run();
    const r = segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'auto' });
    expect(r.mode).toBe('full');
    expect(r.skipped.map((s) => s.name)).toEqual(['Seats']);
    expect(segments.stats(db).segments.find((s) => s.name === 'Seats')!.members).toBe(0);
  });

  it('in slices that yield, while facts change between slices (the background recompute)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(customerArb, { minLength: 1, maxLength: 40 }),
        fc.array(ruleArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(45), fc.option(customerArb, { nil: null })), { maxLength: 8 }),
        async (customers, rules, changes) => {
          db.exec('DELETE FROM segments; DELETE FROM customer_facts; DELETE FROM membership_bits');
          insertFacts(db, rowsOf(customers));
          createSegments(rules);
          const pending = [...changes];
          const progress: number[] = [];
          let yields = 0;
          const r = await recomputeMembershipInBackground(db, catalog, NOW, {
            sliceAbove: 0,
            firstSlice: 3,
            sliceMs: 0,
            onProgress: (p) => progress.push(p.done),
            // Between slices another writer changes facts: replaced, deleted or new customers.
            yieldFn: async () => {
              yields++;
              const next = pending.shift();
              if (!next) return;
              const [i, c] = next;
              db.prepare('DELETE FROM customer_facts WHERE customer_id = ?').run(`cus_${String(i).padStart(4, '0')}`);
              if (c) insertFacts(db, rowsOf([c], i));
            },
          });
          expect(r.mode).toBe('full');
          expect(yields).toBeGreaterThan(0);
          expect(progress.at(-1)).toBe(progress.length ? Math.max(...progress) : undefined);
          checkAgainstPerSegment();
        },
      ),
      { numRuns: 60 },
    );
  });
});
