import fc from 'fast-check';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { catalogFor } from '../../main/core/facts/catalog';
import { cachedMaskGroups, maskGroups } from '../../main/core/segments/membership';
import * as segments from '../../main/core/segments/service';
import { insertFacts, NOW, workspaceDb, type FactsInput } from './helpers';

/**
 * An incremental recompute moves this connection's cached figures (and the
 * bitmask groups behind them) by the changed customers' old and new groups
 * instead of regrouping every customer (issue #22). After any sequence of
 * changes — facts edited, customers added and removed, segments reordered —
 * they must equal a full recount: the figures a fresh connection to the same
 * file (as a new process) computes from the stored membership.
 */

let db: Sqlite;
let close: () => void;
let file: string;

beforeEach(() => {
  let dir: string;
  ({ db, close, dir } = workspaceDb());
  file = path.join(dir, 'ws.sqlite');
  segments.ensureDefaults(db, NOW);
  segments.create(db, { name: 'EMEA failing', rule: { combinator: 'and', rules: [{ field: 'region', operator: '=', value: 'emea' }, { field: 'failures_12m', operator: '>=', value: 1 }] } }, NOW);
  segments.create(db, { name: 'VIP', rule: { combinator: 'and', rules: [{ field: 'tags', operator: 'hasAny', value: ['vip'] }] } }, NOW);
  segments.create(db, { name: 'Past due', rule: { combinator: 'and', rules: [{ field: 'open_past_due_count', operator: '>=', value: 1 }] } }, NOW);
});
afterEach(() => close());

const factsArb = fc.record({
  mrr: fc.constantFrom(0, 900, 4_900, 19_900, 99_900, 250_000),
  tenure_days: fc.integer({ min: 0, max: 800 }),
  failures_12m: fc.integer({ min: 0, max: 4 }),
  open_past_due_count: fc.integer({ min: 0, max: 2 }),
  amount_at_risk: fc.integer({ min: 0, max: 90_000 }),
  region: fc.constantFrom(null, 'na', 'emea', 'apac'),
  tags: fc.constantFrom([], ['vip'], ['beta']),
});

const changeArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit' as const), customer: fc.nat(), facts: factsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), facts: factsArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), customer: fc.nat() }) },
);

const roundArb = fc.record({ changes: fc.array(changeArb, { minLength: 1, maxLength: 25 }), reorder: fc.boolean() });

/** The figures as a fresh connection (a new process) computes them from the stored membership. */
function recount(): unknown {
  const other = openSqlite(file);
  try {
    return { stats: segments.stats(other), groups: sortedGroups(maskGroups(other)) };
  } finally {
    other.close();
  }
}

const sortedGroups = (gs: { words: bigint[]; n: number; mrr: number; open: number; risk: number }[]) =>
  gs.map((g) => ({ words: g.words.join(','), n: g.n, mrr: g.mrr, open: g.open, risk: g.risk })).sort((a, b) => (a.words < b.words ? -1 : a.words > b.words ? 1 : 0));

describe('figures after incremental recomputes', () => {
  it('equal a full recount after random changes', () => {
    let next = 0;
    const row = (f: FactsInput | Omit<FactsInput, 'customer_id'>): FactsInput => ({ ...f, customer_id: `cus_${String(next++).padStart(5, '0')}` });
    fc.assert(
      fc.property(fc.array(factsArb, { minLength: 20, maxLength: 120 }), fc.array(roundArb, { minLength: 1, maxLength: 5 }), (initial, rounds) => {
        db.exec(`DELETE FROM customer_facts`);
        insertFacts(db, initial.map(row));
        segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
        segments.stats(db); // fills the caches that the incremental recomputes then patch
        const update = db.prepare(
          `UPDATE customer_facts SET mrr = @mrr, tenure_days = @tenure_days, failures_12m = @failures_12m, open_past_due_count = @open_past_due_count,
             amount_at_risk = @amount_at_risk, region = @region, tags = @tags WHERE customer_id = @customer_id`,
        );
        for (const round of rounds) {
          for (const c of round.changes) {
            const ids = db.prepare(`SELECT customer_id FROM customer_facts ORDER BY customer_id`).pluck().all() as string[];
            if (c.kind === 'add') insertFacts(db, [row(c.facts)]);
            else if (ids.length === 0) continue;
            else if (c.kind === 'remove') db.prepare(`DELETE FROM customer_facts WHERE customer_id = ?`).run(ids[c.customer % ids.length]);
            else update.run({ ...c.facts, tags: JSON.stringify(c.facts.tags), customer_id: ids[c.customer % ids.length] });
          }
          if (round.reorder) segments.reorder(db, segments.list(db).map((s) => s.id).reverse(), NOW);
          const r = segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'auto' });
          expect(r.mode).toBe('changed');
          const mine = { stats: segments.stats(db), groups: sortedGroups(cachedMaskGroups(db) ?? []) };
          expect(mine).toEqual(recount());
        }
      }),
      { numRuns: 40 },
    );
  });

  it('1,000 of 5,000 customers changed: the patched figures show the move and match a recount', () => {
    insertFacts(db, Array.from({ length: 5_000 }, (_, i) => ({ customer_id: `cus_${i}`, mrr: (i % 5) * 10_000, failures_12m: i % 3, region: i % 2 ? 'emea' : 'na' })));
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    const before = segments.stats(db);
    db.transaction(() => {
      for (let i = 0; i < 5_000; i += 5) db.prepare(`UPDATE customer_facts SET mrr = 300000, failures_12m = 2 WHERE customer_id = ?`).run(`cus_${i}`);
    })();
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'auto' });
    // Patched, not regrouped: the groups stay cached across the change.
    expect(cachedMaskGroups(db)).not.toBeNull();
    const after = segments.stats(db);
    expect(after).not.toEqual(before);
    expect(after.segments.find((s) => s.name === 'Enterprise')!.members).toBe(1_000 + before.segments.find((s) => s.name === 'Enterprise')!.members);
    expect({ stats: after, groups: sortedGroups(cachedMaskGroups(db)!) }).toEqual(recount());
  });

  it("an incremental recompute at a later time evaluates 'within the last N days' at that time (the statement is reused only while nothing it depends on changed)", () => {
    const DAY = 86_400;
    const recent = segments.create(db, { name: 'Signed up this month', rule: { combinator: 'and', rules: [{ field: 'created', operator: 'withinLastDays', value: 30 }] } }, NOW);
    insertFacts(db, [
      { customer_id: 'cus_new', created: NOW - 5 * DAY },
      { customer_id: 'cus_old', created: NOW - 200 * DAY },
    ]);
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    const members = () => db.prepare(`SELECT customer_id FROM segment_members WHERE segment_id = ? ORDER BY 1`).pluck().all(recent.id);
    expect(members()).toEqual(['cus_new']);
    const touch = () => db.prepare(`UPDATE customer_facts SET amount_at_risk = amount_at_risk + 1`).run();
    touch();
    segments.recomputeMembership(db, catalogFor(db), NOW + DAY, { mode: 'auto' });
    expect(members()).toEqual(['cus_new']);
    // Forty days on, the same customers changed: no longer signed up within 30 days.
    touch();
    const r = segments.recomputeMembership(db, catalogFor(db), NOW + 40 * DAY, { mode: 'auto' });
    expect(r.mode).toBe('changed');
    expect(members()).toEqual([]);
    expect(segments.stats(db).segments.find((s) => s.id === recent.id)!.members).toBe(0);
  });
});
