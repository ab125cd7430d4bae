import { sql, type RawBuilder } from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Sqlite } from '../db/sqlite';
import type { Catalog } from '../facts/catalog';
import { compileRule, qb } from './compile';
import { dirtyGroups, dropFigures, figuresPatch, membershipStats, type MembershipStats } from './membership-stats';
import type { Probe } from './compile-typed';
import { validateRule, type RuleError } from './rule';
import { indexWords } from './word-index';

/**
 * Segment membership in one pass (issue #11).
 *
 * Storage (migration "one-pass membership"):
 * - `membership(customer_id, mrr, open_past_due_count, amount_at_risk, w0, w1, …)`:
 *   one row per customer; bit `b` of word `wN` is set when the customer matches
 *   the segment mapped to (N, b). 63 bits per word (the sign bit is never used);
 *   word columns are added on demand, so there is no limit on the number of
 *   segments and a workspace with ≤ 63 segments has one word. The three
 *   figures are copies of the facts as of the last recompute (for stats).
 * - `membership_bits(segment_id, word, bit, rule)`: which bit holds which
 *   segment, and the rule text it was computed with (word = -1: the rule did
 *   not validate, so the segment has no members).
 * - `membership_dirty`: customers whose facts changed since their row was
 *   computed, filled by triggers on customer_facts (any writer: sync, CSV
 *   import, recomputeFacts).
 * - Views `segment_members(segment_id, customer_id)` and
 *   `segment_winner(customer_id, segment_id)` keep their old meaning. They are
 *   generated from the live segments in priority order, so a reorder only
 *   regenerates the winner view: no rule is evaluated and no row is written.
 *
 * A full recompute is one `INSERT … SELECT` over customer_facts evaluating
 * every segment's compiled rule as a bit of one integer per word. An
 * incremental one runs the same statement for the dirty customers only.
 */

export const BITS_PER_WORD = 63;
const VERSION_KEY = 'membership.version';

export interface BitRow {
  segment_id: string;
  word: number;
  bit: number;
  rule: string;
}

export interface LiveSegment {
  id: string;
  name: string;
  rule: string;
  priority: number;
}

export interface RecomputeResult {
  customers: number;
  segments: { id: string; name: string; members: number }[];
  /** Segments whose stored rule no longer validates (e.g. a custom attribute was removed): no members. */
  skipped: { id: string; name: string; errors: RuleError[] }[];
  defaultWins: number;
  /** What was done: every customer, the changed customers only, or nothing (winners only). */
  mode: 'full' | 'changed';
  /** Customers whose membership rows were rewritten. */
  rewritten: number;
}

export interface RecomputeOptions {
  /**
   * 'full' (default): evaluate every segment for every customer.
   * 'auto': if no live segment's rule (or its validity) changed since the last
   * full recompute, evaluate only the customers whose facts changed; otherwise full.
   */
  mode?: 'full' | 'auto';
}

/** @internal */
export function liveSegments(db: Sqlite): LiveSegment[] {
  return db.prepare(`SELECT id, name, rule, priority FROM segments WHERE archived = 0 ORDER BY priority, created_at_ms, id`).all() as LiveSegment[];
}

/** @internal */
export function wordColumns(db: Sqlite): number {
  const cols = db.prepare(`SELECT name FROM pragma_table_info('membership')`).pluck().all() as string[];
  let n = 0;
  while (cols.includes(`w${n}`)) n++;
  return n;
}

/** @internal */
export function ensureWords(db: Sqlite, words: number): number {
  let have = wordColumns(db);
  for (; have < words; have++) db.exec(`ALTER TABLE membership ADD COLUMN w${have} INTEGER NOT NULL DEFAULT 0`);
  indexWords(db, 'membership', have);
  return have;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const mask = (bit: number) => `${2 ** bit}`;

/** @internal */
export function bumpVersion(db: Sqlite): void {
  db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`,
  ).run(VERSION_KEY);
}

/** Changes whenever membership rows or bit assignments change (stats cache key). */
export function membershipVersion(db: Sqlite): string {
  return (db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(VERSION_KEY) as string | undefined) ?? '0';
}

/** Live segments whose stored bits are current (same rule text, valid), in priority order. */
export function mappedLive(db: Sqlite): { id: string; word: number; bit: number }[] {
  const bits = new Map((db.prepare(`SELECT segment_id, word, bit, rule FROM membership_bits`).all() as BitRow[]).map((b) => [b.segment_id, b]));
  const out: { id: string; word: number; bit: number }[] = [];
  for (const s of liveSegments(db)) {
    const b = bits.get(s.id);
    if (b && b.word >= 0 && b.rule === s.rule) out.push({ id: s.id, word: b.word, bit: b.bit });
  }
  return out;
}

/**
 * Regenerates the segment_winner and segment_members views from the live
 * segments' priority order. Cheap (DDL only); called after every recompute and
 * by reorder / archive / remove.
 */
export function refreshMembershipViews(db: Sqlite): void {
  const mapped = mappedLive(db);
  const words = Math.max(1, wordColumns(db));
  const winner = mapped.length
    ? `CASE ${mapped.map((m) => `WHEN w${m.word} & ${mask(m.bit)} THEN ${quote(m.id)}`).join(' ')} END`
    : 'NULL';
  const wordOf = words === 1 ? 'm.w0' : `(CASE b.word ${Array.from({ length: words }, (_, i) => `WHEN ${i} THEN m.w${i}`).join(' ')} END)`;
  const ids = mapped.length ? mapped.map((m) => quote(m.id)).join(', ') : 'NULL';
  const winnerSql = `CREATE VIEW segment_winner AS SELECT customer_id, ${winner} AS segment_id FROM membership`;
  const membersSql = `CREATE VIEW segment_members AS SELECT b.segment_id AS segment_id, m.customer_id AS customer_id
        FROM membership_bits b JOIN membership m ON (${wordOf} >> b.bit) & 1
        WHERE b.word >= 0 AND b.segment_id IN (${ids})`;
  // Unchanged views are left alone: DDL invalidates every prepared statement.
  const current = new Map(
    (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'view' AND name IN ('segment_winner', 'segment_members')`).all() as { name: string; sql: string }[]).map(
      (r) => [r.name, r.sql],
    ),
  );
  if (current.get('segment_winner') === winnerSql && current.get('segment_members') === membersSql) return;
  db.transaction(() => {
    db.exec(`DROP VIEW IF EXISTS segment_winner; DROP VIEW IF EXISTS segment_members; ${winnerSql}; ${membersSql};`);
  })();
}

/**
 * @internal The compiled word expressions (one per word) for the given bit assignment.
 * `probe` (compile-typed.ts): 'exists' (default) for statements over few rows (the changed
 * customers, background slices), 'in' for one statement over every customer.
 */
export function wordExpressions(bits: { rule: unknown; word: number; bit: number }[], words: number, catalog: Catalog, now: number, probe: Probe = 'exists'): RawBuilder<unknown>[] {
  const terms: RawBuilder<unknown>[][] = Array.from({ length: words }, () => []);
  for (const b of bits) {
    const { where } = compileRule(b.rule, catalog, { now, probe });
    terms[b.word]!.push(sql`((${where}) << ${sql.lit(b.bit)})`);
  }
  return terms.map((t) => (t.length ? sql.join(t, sql` | `) : sql`0`));
}

/** @internal */
export function insertRows(db: Sqlite, exprs: RawBuilder<unknown>[], onlyDirty: boolean): number {
  const q = insertStatement(exprs, 'membership', onlyDirty ? DIRTY_ONLY : sql``);
  return db.prepare(q.sql).run(...q.parameters).changes;
}

/**
 * @internal The dirty customers' facts: CROSS JOIN makes SQLite walk the (small)
 * dirty set and look each customer up, instead of scanning all facts.
 */
export const DIRTY_ONLY = sql`CROSS JOIN customer_facts AS f ON f.customer_id = d.customer_id`;

/**
 * @internal The one-pass INSERT … SELECT into `table` (a fixed identifier): all
 * facts (`rest` a WHERE clause or empty), or with DIRTY_ONLY the dirty customers.
 */
export function insertStatement(exprs: RawBuilder<unknown>[], table: 'membership' | 'membership_next', rest: RawBuilder<unknown>, orReplace = false) {
  const cols = exprs.map((_, i) => sql.raw(`w${i}`));
  const from = rest === DIRTY_ONLY ? sql`FROM membership_dirty AS d ${DIRTY_ONLY}` : sql`FROM customer_facts AS f ${rest}`;
  return sql`INSERT ${sql.raw(orReplace ? 'OR REPLACE ' : '')}INTO ${sql.raw(table)} (customer_id, mrr, open_past_due_count, amount_at_risk, ${sql.join(cols)})
    SELECT f.customer_id, f.mrr, f.open_past_due_count, f.amount_at_risk, ${sql.join(exprs)}
    ${from}`.compile(qb);
}

export interface Plan {
  live: LiveSegment[];
  valid: (LiveSegment & { parsed: unknown })[];
  skipped: RecomputeResult['skipped'];
  stored: Map<string, BitRow>;
  /** No live segment's rule (or its validity) changed since the bits were computed. */
  rulesUnchanged: boolean;
}

/** @internal Validates the live segments and compares them with the stored bit assignment. */
export function plan(db: Sqlite, catalog: Catalog): Plan {
  const live = liveSegments(db);
  const skipped: RecomputeResult['skipped'] = [];
  const valid: Plan['valid'] = [];
  for (const s of live) {
    const v = validateRule(JSON.parse(s.rule), catalog);
    if (v.ok) valid.push({ ...s, parsed: v.rule });
    else skipped.push({ id: s.id, name: s.name, errors: v.errors });
  }
  const stored = new Map((db.prepare(`SELECT segment_id, word, bit, rule FROM membership_bits`).all() as BitRow[]).map((b) => [b.segment_id, b]));
  const rulesUnchanged =
    valid.every((s) => stored.get(s.id)?.rule === s.rule && stored.get(s.id)!.word >= 0) && skipped.every((s) => stored.get(s.id)?.word === -1);
  return { live, valid, skipped, stored, rulesUnchanged };
}

/** @internal Bits in priority order: bit i of the flattened words = i-th valid live segment. */
export function assignBits(valid: Plan['valid']): { id: string; rule: unknown; text: string; word: number; bit: number }[] {
  return valid.map((s, i) => ({ id: s.id, rule: s.parsed, text: s.rule, word: Math.floor(i / BITS_PER_WORD), bit: i % BITS_PER_WORD }));
}

/** @internal */
export function storeBits(db: Sqlite, bits: ReturnType<typeof assignBits>, skipped: Plan['skipped'], live: LiveSegment[]): void {
  db.prepare(`DELETE FROM membership_bits`).run();
  const addBit = db.prepare(`INSERT INTO membership_bits (segment_id, word, bit, rule) VALUES (?, ?, ?, ?)`);
  for (const b of bits) addBit.run(b.id, b.word, b.bit, b.text);
  for (const s of skipped) addBit.run(s.id, -1, -1, live.find((l) => l.id === s.id)!.rule);
}

/**
 * Rebuilds membership (all customers, or with mode 'auto' only the changed
 * ones when the segments' rules are unchanged), then the views. One
 * transaction; readers on other connections see the old or the new state.
 */
export function recomputeMembership(db: Sqlite, catalog: Catalog, now: number, opts: RecomputeOptions = {}): RecomputeResult {
  if (!Number.isFinite(now) || now > 1e11) throw new Error(`now must be unix seconds, got ${now}`);
  try {
    return recomputeInTransaction(db, catalog, now, opts);
  } catch (e) {
    // The cached figures may have been patched to a state that was rolled back.
    dropFigures(db);
    throw e;
  }
}

function recomputeInTransaction(db: Sqlite, catalog: Catalog, now: number, opts: RecomputeOptions): RecomputeResult {
  return db.transaction(() => {
    const { live, valid, skipped, stored, rulesUnchanged } = plan(db, catalog);
    const incremental = opts.mode === 'auto' && rulesUnchanged;

    let rewritten: number;
    let mode: RecomputeResult['mode'];
    if (incremental) {
      // Keep every stored valid assignment (archived segments too, so a restore needs no recompute).
      const dirty = dirtyStatement(db, [...stored.values()], catalog, now);
      if (dirty) {
        const words = dirty.words;
        ensureWords(db, words);
        // Patch the cached groups and figures with the changed customers' old and new masks
        // (a regroup of 1M rows costs seconds; the delta of 1,000 costs milliseconds).
        const have = wordColumns(db);
        const figures = figuresPatch(db, have);
        const before = figures ? dirtyGroups(db, have) : [];
        const removed = db.prepare(`DELETE FROM membership WHERE customer_id IN (SELECT customer_id FROM membership_dirty)`).run().changes;
        rewritten = dirty.stmt.run(...dirty.params).changes;
        if (removed > 0 || rewritten > 0) {
          bumpVersion(db);
          figures?.apply(before, dirtyGroups(db, have));
        }
        mode = 'changed';
      } else {
        ({ rewritten } = full());
        mode = 'full';
      }
    } else {
      ({ rewritten } = full());
      mode = 'full';
    }
    db.prepare(`DELETE FROM membership_dirty`).run();
    if (mode === 'full') bumpVersion(db);
    refreshMembershipViews(db);
    return lazyResult(db, { skipped, mode, rewritten });

    function full(): { rewritten: number } {
      const bits = assignBits(valid);
      storeBits(db, bits, skipped, live);
      const words = Math.max(1, Math.ceil(bits.length / BITS_PER_WORD));
      const have = ensureWords(db, words);
      db.prepare(`DELETE FROM membership`).run();
      // Unused extra words stay 0.
      const exprs = wordExpressions(bits, words, catalog, now, 'in');
      for (let i = words; i < have; i++) exprs.push(sql`0`);
      return { rewritten: insertRows(db, exprs, false) };
    }
  })();
}

const dirtyStatements = new WeakMap<Sqlite, { key: string; words: number; stmt: Statement; params: readonly unknown[] }>();

/**
 * The incremental INSERT … SELECT of the dirty customers for the stored bit
 * assignment, or null when a stored rule no longer validates (then a full
 * recompute). Validated, compiled and prepared once per connection while the
 * stored rules and the catalog (and `now`, where a rule uses it) stay the same: a sync's recompute of
 * 1,000 changed customers otherwise spends a third of its time compiling.
 */
function dirtyStatement(db: Sqlite, stored: BitRow[], catalog: Catalog, now: number): { words: number; stmt: Statement; params: readonly unknown[] } | null {
  const assigned = stored.filter((b) => b.word >= 0).sort((a, b) => a.word - b.word || a.bit - b.bit);
  // `now` reaches the statement only through 'within the last N days' conditions (compile.ts).
  const usesNow = assigned.some((b) => b.rule.includes('"withinLastDays"'));
  const key = JSON.stringify([usesNow ? now : null, catalog, assigned.map((b) => [b.word, b.bit, b.rule])]);
  const hit = dirtyStatements.get(db);
  if (hit && hit.key === key) return hit;
  const bits: { rule: unknown; word: number; bit: number }[] = [];
  for (const b of assigned) {
    const v = validateRule(JSON.parse(b.rule), catalog);
    if (!v.ok) return null;
    bits.push({ rule: v.rule, word: b.word, bit: b.bit });
  }
  const words = Math.max(1, ...bits.map((b) => b.word + 1));
  const q = insertStatement(wordExpressions(bits, words, catalog, now), 'membership', DIRTY_ONLY);
  const entry = { key, words, stmt: db.prepare(q.sql), params: q.parameters };
  dirtyStatements.set(db, entry);
  return entry;
}

/** @internal */
export function lazyResult(db: Sqlite, base: Pick<RecomputeResult, 'skipped' | 'mode' | 'rewritten'>): RecomputeResult {
  // Member counts need a pass over the membership table; they are computed
  // (and cached for stats) only when read.
  let st: MembershipStats | undefined;
  const figures = () => (st ??= membershipStats(db));
  return {
    ...base,
    get customers() {
      return figures().total;
    },
    get segments() {
      const s = figures();
      return s.segments.map((x) => ({ id: x.id, name: x.name, members: x.members }));
    },
    get defaultWins() {
      return figures().defaultWins;
    },
  };
}

// ---------- stats from the bitmasks (membership-stats.ts) ----------

export {
  cachedMaskGroups,
  maskGroups,
  membershipStats,
  primeMaskGroups,
  statsSnapshot,
  type MaskGroup,
  type MembershipStats,
} from './membership-stats';
