import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { catalogFor } from '../../main/core/facts/catalog';
import { recomputeInSlices } from '../../main/core/segments/membership-async';
import * as segments from '../../main/core/segments/service';
import { insertFacts, NOW, workspaceDb, type FactsInput } from './helpers';

/**
 * The full recompute in slices (what the worker thread runs on its own
 * connection) against another connection to the same workspace file — the
 * CLI, or a second window — that saves a segment or changes facts and
 * recomputes while the slices run. The slices' result must not be swapped in
 * over that newer state. Deterministic: the other connection acts at the
 * first yield between two slices.
 */

let db: Sqlite;
let other: Sqlite;
let close: () => void;
let dir: string;

beforeEach(() => {
  ({ db, close, dir } = workspaceDb());
  other = openSqlite(path.join(dir, 'ws.sqlite'));
  segments.ensureDefaults(db, NOW);
});
afterEach(() => {
  other.close();
  close();
});

function customers(n: number): FactsInput[] {
  return Array.from({ length: n }, (_, i) => ({
    customer_id: `cus_${String(i).padStart(6, '0')}`,
    mrr: i % 3 === 0 ? 25_000 : 900,
    failures_12m: i % 4,
    tenure_days: i % 700,
  }));
}

/** The stored membership: members per segment, and winners. */
function snapshot(on: Sqlite): { members: string[]; winners: string[] } {
  return {
    members: on.prepare(`SELECT segment_id || ' ' || customer_id FROM segment_members ORDER BY 1`).pluck().all() as string[],
    winners: on.prepare(`SELECT customer_id || ' ' || coalesce(segment_id, '-') FROM segment_winner ORDER BY 1`).pluck().all() as string[],
  };
}

const HIGH_VALUE_AT_RISK = {
  name: 'High value at risk',
  rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 10_000 }, { combinator: 'or', rules: [{ field: 'failures_12m', operator: '>=', value: 1 }] }] },
};

describe('a full recompute in slices while another connection recomputes', () => {
  it('a segment saved (and recomputed) on another connection during the slices keeps its members', async () => {
    insertFacts(db, customers(3_000));
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    let created = '';
    await recomputeInSlices(db, catalogFor(db), NOW, {
      mode: 'full',
      firstSlice: 500,
      yieldFn: async () => {
        if (created) return;
        created = segments.create(other, HIGH_VALUE_AT_RISK, NOW).id;
        segments.recomputeMembership(other, catalogFor(other), NOW, { mode: 'auto' });
      },
    });
    const expected = db.prepare(`SELECT count(*) FROM customer_facts WHERE mrr >= 10000 AND failures_12m >= 1`).pluck().get() as number;
    expect(expected).toBeGreaterThan(0);
    const shown = segments.stats(db).segments.find((s) => s.id === created)!;
    expect(shown.members).toBe(expected);
    expect(db.prepare(`SELECT count(*) FROM segment_members WHERE segment_id = ?`).pluck().get(created)).toBe(expected);
    // The other connection (a fresh process would read the same) sees it too.
    expect(segments.stats(other).segments.find((s) => s.id === created)!.members).toBe(expected);
  });

  it('facts changed and recomputed on another connection during the slices are not lost', async () => {
    insertFacts(db, customers(3_000));
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    const raised = ['cus_000001', 'cus_000002', 'cus_000004'];
    let done = false;
    await recomputeInSlices(db, catalogFor(db), NOW, {
      mode: 'full',
      firstSlice: 500,
      yieldFn: async () => {
        if (done) return;
        done = true;
        // Customers in the first slice (already written to the shadow table) become Enterprise.
        const raise = other.prepare(`UPDATE customer_facts SET mrr = 250000 WHERE customer_id = ?`);
        for (const id of raised) raise.run(id);
        segments.recomputeMembership(other, catalogFor(other), NOW, { mode: 'auto' });
      },
    });
    const enterprise = segments.list(db).find((s) => s.name === 'Enterprise')!.id;
    const winner = db.prepare(`SELECT segment_id FROM segment_winner WHERE customer_id = ?`).pluck();
    for (const id of raised) expect(winner.get(id)).toBe(enterprise);
    const after = snapshot(db);
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    expect(snapshot(db)).toEqual(after);
  });
});
