/**
 * Segment figures at one scale, each as a ratio to a floor measured in the
 * same run (issue #11):
 *
 * - bare scan: `SELECT count(*) FROM customer_facts NOT INDEXED WHERE failures_12m >= 2`,
 *   i.e. reading every facts row once with one comparison — what any one-pass evaluation must pay.
 * - membership, full: 6 defaults + 20 custom segments (bench/custom-segments.ts) and the
 *   winners, in one INSERT … SELECT (target ≤ 2× the bare scan).
 * - the same 26 rules evaluated by json-logic-js over rows already in memory (a
 *   generous baseline: no I/O; ≤ 100k rows, scaled beyond) and by json-rules-engine
 *   (a 10k-row sample, scaled).
 * - membership after 1,000 customers' facts changed (target ≤ 50 ms).
 * - reorder (winners only), and the figures for the segments list after a full recompute.
 * - live preview (count, MRR, amount at risk and a 10-customer sample) per rule (target ≤ 1.5× bare scan).
 * - the customers table: first page, middle page by cursor, search, one segment (bench/customers-bench.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsonLogic from 'json-logic-js';
import { Engine } from 'json-rules-engine';
import { formatQuery } from 'react-querybuilder/formatQuery';
import { catalogFor } from '../main/core/facts/catalog';
import { previewMatching } from '../main/core/segments/preview';
import * as segments from '../main/core/segments/service';
import { customerPageRows } from './customers-bench';
import { stallRows } from './stall-bench';
import { CUSTOM_SEGMENTS } from './custom-segments';
import { openSegmentsWorkspace } from './segments-workspace';
import type { BenchRow } from './table';

const NOW = 1_793_491_200;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median wall time of `runs` calls after one warm-up. */
export function time(fn: () => unknown, runs = 5, warm = true): number {
  if (warm) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const scaleLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

type Node = { combinator?: string; not?: boolean; rules?: Node[]; field?: string; operator?: string; value?: unknown };

/** The rule in json-rules-engine's condition format (the subset the bench rules use). */
function toRulesEngine(rule: Node): Record<string, unknown> {
  const cond = (r: Node): Record<string, unknown> => {
    if (r.rules) {
      const inner = { [r.combinator === 'or' ? 'any' : 'all']: r.rules.map(cond) };
      return r.not ? { not: inner } : inner;
    }
    const fact = r.field!;
    const v = r.value;
    switch (r.operator) {
      case '=': return { fact, operator: 'equal', value: v };
      case '!=': return { fact, operator: 'notEqual', value: v };
      case '<': return { fact, operator: 'lessThan', value: v };
      case '<=': return { fact, operator: 'lessThanInclusive', value: v };
      case '>': return { fact, operator: 'greaterThan', value: v };
      case '>=': return { fact, operator: 'greaterThanInclusive', value: v };
      case 'between': {
        const [lo, hi] = v as [number, number];
        return { all: [{ fact, operator: 'greaterThanInclusive', value: lo }, { fact, operator: 'lessThanInclusive', value: hi }] };
      }
      case 'in': return { fact, operator: 'in', value: v };
      case 'notNull': return { fact, operator: 'notEqual', value: null };
      case 'hasAny': return { any: (v as string[]).map((tag) => ({ fact, operator: 'contains', value: tag })) };
      default: throw new Error(`bench: no json-rules-engine form for ${r.operator}`);
    }
  };
  const c = cond(rule);
  return c.all || c.any || c.not ? c : { all: [c] };
}

export async function segmentRows(n: number, opts: { quick: boolean }): Promise<{ rows: BenchRow[]; profile: string[] }> {
  const rows: BenchRow[] = [];
  const profile: string[] = [];
  const scale = scaleLabel(n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-'));
  const db = openSegmentsWorkspace(dir, n, NOW);
  try {
    let catalog = catalogFor(db);
    for (const c of CUSTOM_SEGMENTS) segments.create(db, c, NOW, catalog);
    catalog = catalogFor(db);
    const segs = segments.list(db);
    const big = n >= 1_000_000;
    const runs = big ? 3 : 5;

    // One bare scan: every facts row read once and one comparison evaluated (no index).
    const bareStmt = db.prepare('SELECT count(*) FROM customer_facts AS f NOT INDEXED WHERE f.failures_12m >= 2');
    const bare = time(() => bareStmt.get(), runs);
    const add = (figure: string, ms: number, floorMs: number, floor: string, target: number, note?: string) =>
      rows.push({ section: 'segments', figure, scale, ms, floorMs, floor, ratio: ms / floorMs, target, ...(note ? { note } : {}) });

    // Membership, full.
    const full = time(() => segments.recomputeMembership(db, catalog, NOW), big ? 2 : 3);
    add(`membership, full (${segs.length} segments + winners)`, full, bare, 'bare scan', 2);
    // The first segments list after a full recompute groups the bitmasks (cached afterwards).
    segments.recomputeMembership(db, catalog, NOW);
    let t = performance.now();
    segments.stats(db);
    add('segment figures after a full recompute', performance.now() - t, bare, 'bare scan', 1, 'grouped once, then cached');

    // The same full recompute as the app runs it (a worker thread; main-thread slices as the fallback): the longest event-loop stall.
    await stallRows(db, catalog, NOW, add, bare);

    // Per-rule evaluation cost, for the profile: where the full recompute's time goes.
    const perRule = segs.map((s) => ({ name: s.name, ms: time(() => previewMatching(db, s.rule, catalog, NOW, 0), 1, false) }));
    perRule.sort((a, b) => b.ms - a.ms);
    profile.push(
      `${scale}: bare scan ${bare.toFixed(0)} ms; full recompute ${full.toFixed(0)} ms; one count(*) scan per rule, slowest: ` +
        perRule.slice(0, 5).map((r) => `${r.name} ${r.ms.toFixed(0)}`).join(', ') +
        `; sum of all ${segs.length} single-rule scans ${perRule.reduce((a, r) => a + r.ms, 0).toFixed(0)} ms`,
    );

    // Incremental: 1,000 customers' facts change (as after a sync), then membership catches up.
    const ids = db.prepare('SELECT customer_id FROM customer_facts ORDER BY random() LIMIT 1000').pluck().all() as string[];
    const touch = db.prepare('UPDATE customer_facts SET failures_12m = (failures_12m + 1) % 5, amount_at_risk = amount_at_risk + 100 WHERE customer_id = ?');
    segments.stats(db);
    const inc: number[] = [];
    for (let i = 0; i < 3; i++) {
      db.transaction(() => ids.forEach((id) => touch.run(id)))();
      t = performance.now();
      const r = segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' });
      segments.stats(db);
      inc.push(performance.now() - t);
      if (r.mode !== 'changed' || r.rewritten !== ids.length) throw new Error(`incremental recompute rewrote ${r.rewritten} in mode ${r.mode}`);
    }
    add('membership after 1,000 customers changed (+ figures)', median(inc), 50, '50 ms budget', 1);

    // Reorder: winners only.
    const order = segs.map((s) => s.id);
    const reorder = time(() => {
      order.reverse();
      segments.reorder(db, order, NOW);
      segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' });
      segments.stats(db);
    }, 3);
    add('reorder (winners only, + figures)', reorder, 50, '50 ms budget', 1);

    // json-logic-js over rows in memory (not counted), ≤ 100k rows then scaled.
    const memN = Math.min(n, 100_000);
    const factsRows = (db.prepare(`SELECT * FROM customer_facts LIMIT ?`).all(memN) as Record<string, unknown>[]).map((r) => {
      const attrs = JSON.parse(r.attrs as string) as Record<string, unknown>;
      return { ...r, tags: JSON.parse(r.tags as string), attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, Number(v)])), 'attrs.seats': Number(attrs.seats), 'attrs.company_size': Number(attrs.company_size) };
    });
    const logics = segs.map((s) => formatQuery(s.rule as never, 'jsonlogic'));
    const logic = time(() => {
      for (const r of factsRows) for (const l of logics) if (l) jsonLogic.apply(l, r);
    }, 1) * (n / memN);
    add('membership vs json-logic-js (in memory)', full, logic, `json-logic-js${memN < n ? ` (${scaleLabel(memN)} ×${n / memN})` : ''}`, 1, 'tag conditions drop out of the json-logic conversion');

    // json-rules-engine on a 10k sample, scaled.
    const sample = factsRows.slice(0, Math.min(10_000, factsRows.length));
    const engine = new Engine([], { allowUndefinedFacts: true });
    segs.forEach((s, i) => engine.addRule({ name: s.id, priority: segs.length - i, conditions: toRulesEngine(s.rule as Node) as never, event: { type: s.id } }));
    t = performance.now();
    for (const r of sample) await engine.run(r);
    const rulesEngine = ((performance.now() - t) * n) / sample.length;
    add('membership vs json-rules-engine', full, rulesEngine, `json-rules-engine (${scaleLabel(sample.length)} ×${n / sample.length})`, 1);

    // Live preview: count + sums + 10-customer sample, per rule; the worst and the median.
    const previews = segs.map((s) => time(() => previewMatching(db, s.rule, catalog, NOW, 10), big ? 1 : 3));
    add('live preview, median rule (count + sample)', median(previews), bare, 'bare scan', 1.5);
    add('live preview, slowest rule', Math.max(...previews), bare, 'bare scan', 1.5, segs[previews.indexOf(Math.max(...previews))]!.name);

    // Customers table, one 200-row page (bench/customers-bench.ts).
    rows.push(...customerPageRows(db, n, scale, time, opts.quick ? 3 : runs));
    return { rows, profile };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
