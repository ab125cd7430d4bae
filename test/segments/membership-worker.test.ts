import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { catalogFor } from '../../main/core/facts/catalog';
import { recomputeMembershipInBackground } from '../../main/core/segments/membership-async';
import * as segments from '../../main/core/segments/service';
import { reclaimOk } from '../helpers/cli';
import { tempDir } from '../helpers/core';
import { addAttribute, insertFacts, NOW, workspaceDb, type FactsInput } from './helpers';

/**
 * The full membership recompute in a worker thread (issue #22): a real
 * workspace file, the worker's own connection, and this thread's connection
 * reading and writing meanwhile.
 */

let db: Sqlite;
let close: () => void;

beforeEach(() => {
  ({ db, close } = workspaceDb());
  addAttribute(db, 'seats', 'number');
  segments.ensureDefaults(db, NOW);
  segments.create(db, { name: 'Big teams', rule: { combinator: 'and', rules: [{ field: 'attrs.seats', operator: '>=', value: 10 }] } }, NOW);
  segments.create(db, { name: 'VIP in EMEA', rule: { combinator: 'and', rules: [{ field: 'tags', operator: 'hasAny', value: ['vip'] }, { field: 'region', operator: 'in', value: ['emea'] }] } }, NOW);
  segments.create(db, {
    name: 'Card expiring or past due',
    rule: { combinator: 'or', rules: [{ field: 'card_expires_in_days', operator: '<', value: 30 }, { field: 'open_past_due_count', operator: '>=', value: 1 }] },
  }, NOW);
});
afterEach(() => close());

/** Deterministic, varied customers (a small LCG, so a failure reproduces). */
function customers(n: number, offset = 0): FactsInput[] {
  let x = 12345 + offset;
  const r = (m: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % m);
  return Array.from({ length: n }, (_, i) => ({
    customer_id: `cus_${String(i + offset).padStart(6, '0')}`,
    mrr: [0, 900, 4_900, 19_900, 99_900, 250_000][r(6)]!,
    tenure_days: r(900),
    failures_12m: r(4),
    open_past_due_count: r(3) === 0 ? 1 : 0,
    amount_at_risk: r(50_000),
    region: [null, 'na', 'emea', 'apac'][r(4)]!,
    card_expires_in_days: r(5) === 0 ? null : r(400) - 30,
    tags: r(3) === 0 ? ['vip'] : [],
    attrs: r(2) === 0 ? { seats: r(25) } : {},
  }));
}

/** Every customer's membership as stored: members per segment, and winners. */
function snapshot(): { members: string[]; winners: string[] } {
  return {
    members: (db.prepare(`SELECT segment_id || ' ' || customer_id AS x FROM segment_members ORDER BY segment_id, customer_id`).pluck().all() as string[]),
    winners: (db.prepare(`SELECT customer_id || ' ' || coalesce(segment_id, '-') AS x FROM segment_winner ORDER BY customer_id`).pluck().all() as string[]),
  };
}

describe('membership recompute in a worker thread', () => {
  it('stores exactly the membership and figures of the in-thread recompute, with progress on the way', async () => {
    insertFacts(db, customers(6_000));
    const progress: { done: number; total: number }[] = [];
    const r = await recomputeMembershipInBackground(db, catalogFor(db), NOW, { mode: 'full', firstSlice: 500, onProgress: (p) => progress.push(p) });
    expect(r.ranIn).toBe('worker');
    expect(r.mode).toBe('full');
    expect(r.rewritten).toBe(6_000);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ done: 6_000, total: 6_000 });
    // The figures come from the groups the worker handed over.
    const statsFromWorker = segments.stats(db);
    const fromWorker = snapshot();
    expect(fromWorker.winners).toHaveLength(6_000);
    expect(statsFromWorker.total).toBe(6_000);
    expect(statsFromWorker.segments.filter((s) => s.members > 0).length).toBeGreaterThan(5);

    const inThread = segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    expect(snapshot()).toEqual(fromWorker);
    expect(segments.stats(db)).toEqual(statsFromWorker);
    expect(inThread.segments).toEqual(r.segments);
    expect(inThread.defaultWins).toBe(r.defaultWins);
  });

  it("lets this thread's connection write while the worker recomputes: the write waits, succeeds, and counts", async () => {
    insertFacts(db, customers(20_000));
    const raise = db.prepare(`UPDATE customer_facts SET mrr = 250000, tags = '["vip"]', region = 'emea' WHERE customer_id = ?`);
    const written: string[] = [];
    const r = await recomputeMembershipInBackground(db, catalogFor(db), NOW, {
      mode: 'full',
      firstSlice: 200,
      sliceMs: 5,
      // Each progress event: a write on this connection while the worker holds or takes the write lock.
      onProgress: (p) => {
        if (p.done >= p.total) return;
        const id = `cus_${String(written.length * 7).padStart(6, '0')}`;
        expect(raise.run(id).changes).toBe(1);
        written.push(id);
      },
    });
    expect(r.ranIn).toBe('worker');
    expect(written.length).toBeGreaterThan(3);
    // Every customer changed during the recompute is in the new membership with its new facts.
    const [enterprise, vip] = ['Enterprise', 'VIP in EMEA'].map((n) => segments.list(db).find((s) => s.name === n)!.id);
    const winner = db.prepare(`SELECT segment_id FROM segment_winner WHERE customer_id = ?`).pluck();
    const isMember = db.prepare(`SELECT 1 FROM segment_members WHERE segment_id = ? AND customer_id = ?`).pluck();
    for (const id of written) {
      expect(winner.get(id)).toBe(enterprise);
      expect(isMember.get(vip, id)).toBe(1);
    }
    const after = snapshot();
    segments.recomputeMembership(db, catalogFor(db), NOW, { mode: 'full' });
    expect(snapshot()).toEqual(after);
  });

  it('a rule the database cannot run comes back as the same error as in this thread, and the old membership stays', async () => {
    insertFacts(db, customers(6_000));
    await recomputeMembershipInBackground(db, catalogFor(db), NOW, { mode: 'full' });
    const before = snapshot();
    // Rules within the rule limits that together pass more values than SQLite takes in one statement.
    const rule = (k: number) => ({
      combinator: 'or',
      rules: Array.from({ length: 200 }, (_, i) => ({ field: 'tags', operator: 'hasAll', value: Array.from({ length: 40 }, (_, j) => `t${k}_${i}_${j}`) })),
    });
    for (let k = 0; k < 5; k++) segments.create(db, { name: `Tags ${k}`, rule: rule(k) }, NOW);
    const inThread = await recomputeMembershipInBackground(db, catalogFor(db), NOW, { mode: 'full', worker: false }).then(
      () => null,
      (e: Error) => e,
    );
    const inWorker = await recomputeMembershipInBackground(db, catalogFor(db), NOW, { mode: 'full' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(inThread).toBeInstanceOf(Error);
    expect(inWorker).toBeInstanceOf(Error);
    expect(inWorker!.message).toBe(inThread!.message);
    expect(inWorker!.message).toBe('too many SQL variables');
    expect(inWorker!.message).not.toContain('\n');
    expect(inWorker!.constructor).toBe(inThread!.constructor);
    expect((inWorker as { code?: string }).code).toBe((inThread as { code?: string }).code);
    expect(snapshot()).toEqual(before);
  });

  it('falls back to slices in this thread where no worker can start (an in-memory database)', async () => {
    const mem = openSqlite(':memory:');
    migrate(mem, workspaceMigrations);
    segments.ensureDefaults(mem, NOW);
    insertFacts(mem, customers(6_000));
    const r = await recomputeMembershipInBackground(mem, catalogFor(mem), NOW, { mode: 'full', sliceAbove: 0 });
    expect(r.ranIn).toBe('slices');
    expect(r.customers).toBe(6_000);
    mem.close();
  });
});

describe('reclaim segments create on a workspace past the worker threshold', () => {
  it('recomputes in a worker thread, prints the figures and exits (no worker left running)', async () => {
    const dir = tempDir();
    try {
      await reclaimOk(dir, ['demo', '--customers', '20', '--seed', '3', '--no-history']);
      const [file] = fs.readdirSync(path.join(dir, 'workspaces')).filter((f) => f.endsWith('.sqlite'));
      const ws = openSqlite(path.join(dir, 'workspaces', file!));
      const template = ws.prepare('SELECT * FROM customer_facts LIMIT 1').get() as Record<string, unknown>;
      const cols = Object.keys(template);
      const add = ws.prepare(`INSERT INTO customer_facts (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`);
      ws.transaction(() => {
        for (let i = 0; i < 6_000; i++) add.run({ ...template, customer_id: `cus_bulk${i}`, mrr: i % 4 === 0 ? 300_000 : 900 });
      })();
      const whales = ws.prepare('SELECT count(*) FROM customer_facts WHERE mrr >= 250000').pluck().get() as number;
      ws.close();

      const rule = JSON.stringify({ combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 250_000 }] });
      const out = await reclaimOk(dir, ['segments', 'create', 'Whales', '--rule', '-'], rule);
      expect(out).toContain(`Whales`);
      expect(out).toContain(`: ${whales} members`);
      const log = fs.readFileSync(path.join(dir, 'logs', 'reclaim.log'), 'utf8');
      expect(log).toContain('membership recomputed in a worker thread');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
