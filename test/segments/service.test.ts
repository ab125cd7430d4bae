import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sqlite } from '../../main/core/db/sqlite';
import { UserError } from '../../main/core/errors';
import { catalogFor } from '../../main/core/facts/catalog';
import * as segments from '../../main/core/segments/service';
import { DAY, insertFacts, NOW, workspaceDb } from './helpers';

let db: Sqlite;
let close: () => void;

beforeEach(() => {
  ({ db, close } = workspaceDb());
  insertFacts(db, [
    { customer_id: 'ent_old', mrr: 150000, tenure_days: 700, failures_12m: 0, open_past_due_count: 0, created: NOW - 700 * DAY },
    { customer_id: 'ent_risky', mrr: 99900, tenure_days: 200, failures_12m: 3, open_past_due_count: 2, amount_at_risk: 199800 },
    { customer_id: 'growth_new', mrr: 20000, tenure_days: 10, failures_12m: 0 },
    { customer_id: 'starter_risky', mrr: 2900, tenure_days: 400, failures_12m: 2, open_past_due_count: 1, amount_at_risk: 2900 },
    { customer_id: 'free', mrr: 0, tenure_days: 120, failures_12m: 0 },
  ]);
});
afterEach(() => close());

const winners = () =>
  Object.fromEntries(
    (db.prepare(`SELECT w.customer_id AS c, s.name AS n FROM segment_winner w LEFT JOIN segments s ON s.id = w.segment_id`).all() as { c: string; n: string | null }[]).map(
      (r) => [r.c, r.n],
    ),
  );
const byName = (name: string) => segments.list(db).find((s) => s.name === name)!;

describe('segments service', () => {
  it('creates the six defaults once, even after one is deleted', () => {
    expect(segments.ensureDefaults(db, NOW)).toBe(6);
    const names = segments.list(db).map((s) => [s.priority, s.name, s.isDefault]);
    expect(names).toEqual([
      [1, 'Enterprise', true], [2, 'At-Risk', true], [3, 'New Customer', true],
      [4, 'Loyal Customer', true], [5, 'Growth', true], [6, 'Starter', true],
    ]);
    expect(byName('Enterprise').rule).toEqual({ combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 99900 }] });
    expect(byName('Growth').rule.rules[0]).toEqual({ field: 'mrr', operator: 'between', value: [10000, 99899] });
    segments.remove(db, byName('Starter').id);
    expect(segments.ensureDefaults(db, NOW + 10)).toBe(0);
    expect(segments.list(db).map((s) => s.priority)).toEqual([1, 2, 3, 4, 5]);
  });

  it('scales default thresholds to the currency', () => {
    expect(segments.defaultSegments('jpy')[0]!.rule).toEqual({ combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 999 }] });
  });

  it('recomputes members and winners; reordering changes winners', () => {
    segments.ensureDefaults(db, NOW);
    const catalog = catalogFor(db);
    const result = segments.recomputeMembership(db, catalog, NOW);
    expect(result.customers).toBe(5);
    expect(result.defaultWins).toBe(1);
    expect(result.segments.find((s) => s.name === 'At-Risk')!.members).toBe(2);
    // free: mrr 0 and tenure 120 match no segment → NULL winner (Default strategy)
    expect(winners()).toEqual({
      ent_old: 'Enterprise', ent_risky: 'Enterprise', growth_new: 'New Customer', starter_risky: 'At-Risk', free: null,
    });
    const ids = segments.list(db).map((s) => s.id);
    const atRisk = byName('At-Risk').id;
    segments.reorder(db, [atRisk, ...ids.filter((id) => id !== atRisk)], NOW);
    expect(byName('At-Risk').priority).toBe(1);
    segments.recomputeMembership(db, catalog, NOW);
    expect(winners()).toMatchObject({ ent_risky: 'At-Risk', starter_risky: 'At-Risk', ent_old: 'Enterprise' });
  });

  it('refuses a reorder that is not a permutation of the live segments', () => {
    segments.ensureDefaults(db, NOW);
    const ids = segments.list(db).map((s) => s.id);
    expect(() => segments.reorder(db, ids.slice(1))).toThrow(UserError);
    expect(() => segments.reorder(db, [ids[0]!, ...ids.slice(0, -1)])).toThrow(/twice/);
    expect(() => segments.reorder(db, [...ids.slice(0, -1), 'seg_nope'])).toThrow(UserError);
    expect(segments.list(db).map((s) => s.id)).toEqual(ids);
  });

  it('an update with an invalid rule is refused and leaves the segment unchanged', () => {
    segments.ensureDefaults(db, NOW);
    const before = byName('Enterprise');
    let err: unknown;
    try {
      segments.update(db, before.id, { name: 'Big', rule: { combinator: 'and', rules: [{ field: 'mrr', operator: 'contains', value: 'x' }] } }, NOW + 5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('bad_request');
    expect((err as UserError).issues).toEqual([
      { path: 'rule.rules[0]', message: 'condition 1 (MRR): "contains" does not apply to an amount' },
    ]);
    expect(segments.get(db, before.id)).toEqual(before);
    // a valid update bumps the rule version
    const after = segments.update(db, before.id, { rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 150000 }] } }, NOW + 6);
    expect(after.ruleVersion).toBe(before.ruleVersion + 1);
    expect(after.updatedAtMs).toBe((NOW + 6) * 1000);
  });

  it('refuses duplicate names; duplicate() picks a free name', () => {
    segments.ensureDefaults(db, NOW);
    expect(() => segments.create(db, { name: 'growth', rule: { combinator: 'and', rules: [] } }, NOW)).toThrow(/already exists/);
    const copy = segments.duplicate(db, byName('Growth').id, NOW);
    expect(copy.name).toBe('Growth (copy)');
    expect(copy.priority).toBe(7);
    expect(segments.duplicate(db, byName('Growth').id, NOW).name).toBe('Growth (copy) (2)');
  });

  it('archived segments have no members and free their priority', () => {
    segments.ensureDefaults(db, NOW);
    const ent = byName('Enterprise');
    segments.archive(db, ent.id, NOW);
    expect(segments.list(db).map((s) => s.name)).not.toContain('Enterprise');
    expect(segments.list(db)[0]!.priority).toBe(1);
    segments.recomputeMembership(db, catalogFor(db), NOW);
    expect(winners().ent_old).toBe('Loyal Customer');
    const restored = segments.archive(db, ent.id, NOW, false);
    expect(restored.priority).toBe(6);
  });

  it('explains why the winner wins', () => {
    segments.ensureDefaults(db, NOW);
    const m = segments.membershipFor(db, 'ent_risky', catalogFor(db), NOW, 'usd');
    expect(m.winner).toMatchObject({ name: 'Enterprise', priority: 1 });
    expect(m.segments.filter((s) => s.matched).map((s) => s.name)).toEqual(['Enterprise', 'At-Risk']);
    expect(m.why).toBe('Wins "Enterprise" because it is the matching segment with the highest priority (#1); it also matches "At-Risk" (#2), which rank lower.');
    expect(m.segments[0]!.explanation.children![0]!.description).toBe('MRR $999.00 ≥ $999.00 ✓');
    const none = segments.membershipFor(db, 'free', catalogFor(db), NOW, 'usd');
    expect(none.winner).toBeNull();
    expect(none.why).toMatch(/Default strategy/);
  });

  it('stats, overlap and snapshots reflect the stored membership', () => {
    segments.ensureDefaults(db, NOW);
    segments.recomputeMembership(db, catalogFor(db), NOW);
    const st = segments.stats(db);
    const ent = st.segments.find((s) => s.name === 'Enterprise')!;
    expect(ent).toMatchObject({ members: 2, mrr: 249900, openInvoices: 2, amountAtRisk: 199800, wins: 2 });
    const i = st.segments.findIndex((s) => s.name === 'Enterprise');
    const j = st.segments.findIndex((s) => s.name === 'At-Risk');
    expect(st.overlap[i]![j]).toBe(1);
    expect(st.overlap[i]![i]).toBe(2);
    expect(st.total).toBe(5);
    expect(st.defaultWins).toBe(1);
    const snap = segments.snapshotMembership(db, 'before campaign', NOW);
    expect(db.prepare(`SELECT count(*) FROM membership_snapshots WHERE snapshot_id = ? AND reason = 'before campaign'`).pluck().get(snap)).toBe(5);
  });

  it('export / import round-trips with new ids and de-duplicated names', () => {
    segments.ensureDefaults(db, NOW);
    segments.update(db, byName('At-Risk').id, { rule: { combinator: 'or', not: true, rules: [{ field: 'tags', operator: 'hasAny', value: ['vip'] }] } }, NOW);
    const json = segments.exportSegments(db);
    const before = segments.list(db);
    const imported = segments.importSegments(db, json, NOW + 1);
    expect(imported.map((s) => s.name)).toEqual(before.map((s) => `${s.name} (2)`));
    expect(imported.map((s) => s.rule)).toEqual(before.map((s) => s.rule));
    expect(imported.map((s) => s.priority)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(imported.some((s) => before.some((b) => b.id === s.id))).toBe(false);

    // into an empty workspace: identical names and rules
    const other = workspaceDb();
    try {
      const again = segments.importSegments(other.db, json, NOW);
      expect(again.map((s) => [s.name, s.rule, s.color])).toEqual(before.map((s) => [s.name, s.rule, s.color]));
    } finally {
      other.close();
    }
  });

  it('import is all-or-nothing and validates rules', () => {
    const bad = JSON.stringify({
      format: 'reclaim.segments',
      version: 1,
      segments: [
        { name: 'Fine', rule: { combinator: 'and', rules: [] } },
        { name: 'Broken', rule: { combinator: 'and', rules: [{ field: 'nope', operator: '=', value: 1 }] } },
      ],
    });
    expect(() => segments.importSegments(db, bad, NOW)).toThrow(/invalid segments/);
    expect(segments.list(db)).toEqual([]);
    expect(() => segments.importSegments(db, '{"hello":1}', NOW)).toThrow(/not a Reclaim segments file/);
  });
});
