import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import type { Sqlite } from '../db/sqlite';
import { attrJsonPath, FACT_COLUMNS, fieldByName, type Catalog, type FactField } from '../facts/catalog';
import { typedCondition, type Probe } from './compile-typed';
import { assertValidRule, isGroup, NEGATIVES, RuleValidationError, type Rule, type RuleGroup } from './rule';

/**
 * Compiles a segment rule into a SQL boolean over `customer_facts AS f`.
 *
 * Safety: field names are looked up in the catalog and the column must also be
 * in FACT_COLUMNS; operators select one of the fixed SQL shapes below; every
 * value (and attribute JSON path) is a bound parameter.
 *
 * Semantics (shared with evaluateRule in explain.ts — keep them identical):
 * - Two-valued logic: every condition yields 0 or 1, never NULL.
 * - A positive comparison (=, <, <=, >, >=, between, contains, beginsWith,
 *   endsWith, in, before, after, withinLastDays, hasAny, hasAll, boolean =) is
 *   false when the fact is empty (NULL).
 * - Each negative operator is the exact complement of its positive: != is
 *   NOT(=), notBetween is NOT(between), notIn is NOT(in), doesNotContain is
 *   NOT(contains), hasNone is NOT(hasAny). So they are TRUE when the fact is empty.
 * - null / notNull test emptiness (an empty string is not empty).
 * - Text comparisons (string and enum, tags) are case-insensitive for ASCII
 *   letters only (SQLite's lower()); the JS side folds A-Z the same way.
 * - An empty group matches everyone; NOT of an empty group matches no one.
 * - Custom attributes (attrs.<key>): number reads JSON numbers and numeric text
 *   (/^-?\d+(\.\d+)?$/); boolean reads JSON true/false, 1/0 and the text
 *   true/false/1/0/yes/no; string reads JSON text only. Anything else is empty.
 * - Tags: only string elements of the JSON array count.
 */

export interface CustomerFactsTable {
  customer_id: string;
  email: string | null;
  name: string | null;
  currency: string | null;
  plan: string | null;
  product_id: string | null;
  billing_interval: string | null;
  subscription_status: string | null;
  mrr: number;
  tenure_days: number;
  ltv: number;
  failures_12m: number;
  failed_invoices_12m: number;
  last_decline_code: string | null;
  last_decline_hard: number | null;
  last_advice_code: string | null;
  card_expiry: string | null;
  card_expires_in_days: number | null;
  open_past_due_count: number;
  amount_at_risk: number;
  days_since_first_failure: number | null;
  region: string | null;
  industry: string | null;
  account_manager: string | null;
  tags: string;
  country: string | null;
  state: string | null;
  preferred_locales: string;
  tax_exempt: string | null;
  attrs: string;
  created: number;
  computed_at: number;
}

export interface SegmentsTable {
  id: string;
  name: string;
  description: string;
  color: string;
  rule: string;
  rule_version: number;
  priority: number;
  is_default: number;
  archived: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface DB {
  customer_facts: CustomerFactsTable;
  segments: SegmentsTable;
  segment_members: { segment_id: string; customer_id: string };
  segment_winner: { customer_id: string; segment_id: string | null };
  membership_snapshots: { snapshot_id: string; taken_at_ms: number; reason: string; customer_id: string; segment_id: string | null };
  meta: { key: string; value: string };
}

/** A Kysely instance that only compiles queries (executed with better-sqlite3). */
export const qb = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** ASCII-only lower-casing, identical to SQLite's built-in lower(). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

type Sql = RawBuilder<unknown>;

/** A list fact (type `tags`: `tags`, `preferred_locales`) as a JSON array; anything else reads as empty. */
function safeList(field: FactField): Sql {
  const c = columnRef(field);
  return sql`(CASE WHEN json_valid(${c}) THEN (CASE WHEN json_type(${c}) = 'array' THEN ${c} ELSE '[]' END) ELSE '[]' END)`;
}

function columnRef(field: FactField): Sql {
  if (!FACT_COLUMNS.has(field.column)) throw new Error(`field ${field.name} maps to an unknown column`);
  return sql.ref(`f.${field.column}`);
}

/**
 * The fact's value as a typed SQL scalar (NULL when empty or unreadable). For custom
 * attributes this is the JSON reading; rules read them from customer_attr instead
 * (compile-typed.ts), and this stays as the reference the property test compares with.
 */
export function valueExpr(field: FactField): Sql {
  if (field.source === 'fact') return columnRef(field);
  if (field.column !== 'attrs' || field.attrKey === undefined) throw new Error(`attribute field ${field.name} has no key`);
  const path = attrJsonPath(field.attrKey);
  // Each JSON function call parses the document again (~1 µs a row at 1M rows), so
  // validity is tested once and the type once (`CASE t WHEN …` evaluates t once).
  const t = sql`json_type(f.attrs, ${path})`;
  const v = sql`json_extract(f.attrs, ${path})`;
  const safe = (e: Sql) => sql`(CASE WHEN json_valid(f.attrs) THEN ${e} END)`;
  switch (field.type) {
    case 'number':
      return safe(sql`(CASE ${t} WHEN 'integer' THEN ${v} WHEN 'real' THEN ${v} WHEN 'text' THEN (CASE WHEN (${v} GLOB '[0-9]*' OR ${v} GLOB '-[0-9]*') AND substr(${v}, 2) NOT GLOB '*[^0-9.]*' AND ${v} NOT GLOB '*.*.*' AND ${v} NOT GLOB '*.' THEN CAST(${v} AS REAL) END) END)`);
    case 'boolean':
      return safe(sql`(CASE ${t} WHEN 'true' THEN 1 WHEN 'false' THEN 0 WHEN 'integer' THEN (CASE ${v} WHEN 1 THEN 1 WHEN 0 THEN 0 END) WHEN 'real' THEN (CASE ${v} WHEN 1 THEN 1 WHEN 0 THEN 0 END) WHEN 'text' THEN (CASE WHEN lower(${v}) IN ('true', '1', 'yes') THEN 1 WHEN lower(${v}) IN ('false', '0', 'no') THEN 0 END) END)`);
    case 'string':
      return safe(sql`(CASE ${t} WHEN 'text' THEN ${v} END)`);
    default:
      throw new Error(`attribute ${field.name} has unsupported type ${field.type}`);
  }
}

/**
 * The values of an IN list. A long list is one JSON parameter read by json_each, not one SQL
 * variable per value: SQLite allows at most 32,766 variables in a statement, and membership
 * evaluates every segment's rule in one statement (200 conditions × 500 ids fit this way).
 */
const list = (values: readonly (string | number)[]) =>
  values.length <= 32 ? sql.join(values.map((x) => sql.val(x))) : sql`SELECT value FROM json_each(${JSON.stringify(values)})`;

/** A condition that may be NULL when the fact is empty; wrapped by the caller. `v` overrides the value read. */
function positive(field: FactField, op: string, value: unknown, now: number, v: Sql = valueExpr(field)): Sql {
  switch (field.type) {
    case 'money':
    case 'number':
    case 'days': {
      switch (op) {
        case '=': return sql`${v} = ${value as number}`;
        case '<': return sql`${v} < ${value as number}`;
        case '<=': return sql`${v} <= ${value as number}`;
        case '>': return sql`${v} > ${value as number}`;
        case '>=': return sql`${v} >= ${value as number}`;
        case 'between': {
          const [lo, hi] = value as [number, number];
          return sql`${v} BETWEEN ${lo} AND ${hi}`;
        }
      }
      break;
    }
    case 'date': {
      switch (op) {
        case 'before': return sql`${v} < ${value as number}`;
        case 'after': return sql`${v} > ${value as number}`;
        case 'between': {
          const [lo, hi] = value as [number, number];
          return sql`${v} BETWEEN ${lo} AND ${hi}`;
        }
        case 'withinLastDays': return sql`${v} >= ${now - (value as number) * 86400}`;
      }
      break;
    }
    case 'string':
    case 'enum': {
      const lv = sql`lower(${v})`;
      switch (op) {
        case '=': return sql`${lv} = ${asciiLower(value as string)}`;
        case 'contains': return sql`${lv} LIKE ${`%${escapeLike(asciiLower(value as string))}%`} ESCAPE '\\'`;
        case 'beginsWith': return sql`${lv} LIKE ${`${escapeLike(asciiLower(value as string))}%`} ESCAPE '\\'`;
        case 'endsWith': return sql`${lv} LIKE ${`%${escapeLike(asciiLower(value as string))}`} ESCAPE '\\'`;
        case 'in': return sql`${lv} IN (${list((value as string[]).map(asciiLower))})`;
      }
      break;
    }
    case 'boolean':
      if (op === '=') return sql`${v} = ${value ? 1 : 0}`;
      break;
    case 'tags': {
      const tags = (value as string[]).map(asciiLower);
      const SAFE_TAGS = safeList(field);
      if (op === 'hasAny') {
        return sql`EXISTS (SELECT 1 FROM json_each(${SAFE_TAGS}) AS t WHERE t.type = 'text' AND lower(t.value) IN (${list(tags)}))`;
      }
      if (op === 'hasAll') {
        return sql.join(
          [...new Set(tags)].map((tag) => sql`EXISTS (SELECT 1 FROM json_each(${SAFE_TAGS}) AS t WHERE t.type = 'text' AND lower(t.value) = ${tag})`),
          sql` AND `,
        );
      }
      break;
    }
  }
  throw new Error(`operator ${op} is not supported for ${field.type}`);
}


function compileCondition(rule: Rule, catalog: Catalog, now: number, probe: Probe | 'json'): RawBuilder<SqlBool> {
  const field = fieldByName(catalog, rule.field);
  if (!field) throw new Error(`unknown field ${rule.field}`);
  if (probe !== 'json') {
    const typed = typedCondition(field, rule, probe, (f, op, value, v) => positive(f, op, value, now, v), list);
    if (typed) return typed;
  }
  if (rule.operator === 'null') return sql<SqlBool>`(${valueExpr(field)} IS NULL)`;
  if (rule.operator === 'notNull') return sql<SqlBool>`(${valueExpr(field)} IS NOT NULL)`;
  const neg = NEGATIVES[rule.operator];
  if (neg !== undefined) return sql<SqlBool>`(NOT COALESCE((${positive(field, neg, rule.value, now)}), 0))`;
  return sql<SqlBool>`COALESCE((${positive(field, rule.operator, rule.value, now)}), 0)`;
}

/** A compiled group: a constant (empty groups and what they decide) or an expression. */
type Compiled = boolean | RawBuilder<SqlBool>;

/**
 * Empty groups are folded away, with the same meaning the JS evaluator gives
 * them (explain.ts): an empty group is TRUE, NOT of it FALSE; in an AND a TRUE
 * part drops out and a FALSE part decides, in an OR the reverse. So a rule of
 * a thousand empty groups compiles to one constant, not a thousand-deep
 * expression SQLite refuses.
 */
function compileGroupParts(group: RuleGroup, catalog: Catalog, now: number, probe: Probe | 'json'): Compiled {
  const isOr = group.combinator === 'or';
  const parts: RawBuilder<SqlBool>[] = [];
  let decided: boolean | null = null;
  for (const r of group.rules) {
    const c = isGroup(r) ? compileGroupParts(r, catalog, now, probe) : compileCondition(r, catalog, now, probe);
    if (typeof c === 'boolean') {
      if (c === isOr) {
        decided = isOr; // OR with a TRUE part, AND with a FALSE part
        break;
      }
      continue; // neutral: TRUE in an AND, FALSE in an OR
    }
    parts.push(c);
  }
  let body: Compiled;
  if (decided !== null) body = decided;
  else if (parts.length === 0) body = !isOr || group.rules.length === 0; // all parts neutral; an empty group is TRUE
  else body = parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, isOr ? sql` OR ` : sql` AND `)})`;
  if (!group.not) return body;
  return typeof body === 'boolean' ? !body : sql<SqlBool>`(NOT ${body})`;
}

function compileGroup(group: RuleGroup, catalog: Catalog, now: number, probe: Probe | 'json'): RawBuilder<SqlBool> {
  const c = compileGroupParts(group, catalog, now, probe);
  return typeof c === 'boolean' ? (c ? sql<SqlBool>`1` : sql<SqlBool>`0`) : c;
}

/**
 * Validates (throws RuleValidationError) and compiles a rule into a WHERE
 * expression over `customer_facts AS f`. `now` is unix seconds. `probe` picks how
 * attribute and tag conditions read the side tables (compile-typed.ts; default 'in',
 * for one statement over all customers); 'json' reads the JSON columns as before
 * (the reference the property test compares with).
 */
export function compileRule(rule: unknown, catalog: Catalog, opts: { now: number; probe?: Probe | 'json' }): { where: RawBuilder<SqlBool>; rule: RuleGroup } {
  const valid = assertValidRule(rule, catalog);
  return { where: compileGroup(valid, catalog, opts.now, opts.probe ?? 'in'), rule: valid };
}

/**
 * Proves a rule can run here: validates it, compiles it and has SQLite prepare
 * the query (throws RuleValidationError naming the problem). Run before a rule
 * is saved, so no saved rule can make every later recompute fail.
 */
export function assertCompiles(db: Sqlite, rule: unknown, catalog: Catalog, now: number): void {
  const { where } = compileRule(rule, catalog, { now });
  const c = qb.selectFrom('customer_facts as f').select(sql<number>`count(*)`.as('n')).where(where).compile();
  try {
    db.prepare(c.sql);
  } catch (e) {
    throw new RuleValidationError([{ path: '', message: `rule: too complex for the database to run (${(e as Error).message}); simplify it` }]);
  }
}

function run<T>(db: Sqlite, q: { compile(): { sql: string; parameters: readonly unknown[] } }, mode: 'get'): T;
function run<T>(db: Sqlite, q: { compile(): { sql: string; parameters: readonly unknown[] } }, mode: 'all'): T[];
function run<T>(db: Sqlite, q: { compile(): { sql: string; parameters: readonly unknown[] } }, mode: 'get' | 'all'): T | T[] {
  const c = q.compile();
  const stmt = db.prepare(c.sql);
  return mode === 'get' ? (stmt.get(...c.parameters) as T) : (stmt.all(...c.parameters) as T[]);
}

/** Executes a compiled Kysely query with better-sqlite3 (write statements). */
export function execute(db: Sqlite, q: { compile(): { sql: string; parameters: readonly unknown[] } }): number {
  const c = q.compile();
  return db.prepare(c.sql).run(...c.parameters).changes;
}

export interface MatchSummary {
  count: number;
  mrr: number;
  amountAtRisk: number;
}

export function countMatching(db: Sqlite, rule: unknown, catalog: Catalog, now: number): MatchSummary {
  const { where } = compileRule(rule, catalog, { now });
  const row = run<{ count: number; mrr: number; amountAtRisk: number }>(
    db,
    qb
      .selectFrom('customer_facts as f')
      .select([
        sql<number>`count(*)`.as('count'),
        sql<number>`coalesce(sum(f.mrr), 0)`.as('mrr'),
        sql<number>`coalesce(sum(f.amount_at_risk), 0)`.as('amountAtRisk'),
      ])
      .where(where),
    'get',
  );
  return { count: row.count, mrr: row.mrr, amountAtRisk: row.amountAtRisk };
}

/** Ids of matching customers, ordered by id. */
export function matchingIds(db: Sqlite, rule: unknown, catalog: Catalog, now: number, limit?: number): string[] {
  const { where } = compileRule(rule, catalog, { now });
  let q = qb.selectFrom('customer_facts as f').select('f.customer_id').where(where).orderBy('f.customer_id');
  if (limit !== undefined) q = q.limit(Math.max(0, Math.floor(limit)));
  return run<{ customer_id: string }>(db, q, 'all').map((r) => r.customer_id);
}

export interface SampleRow {
  id: string;
  email: string | null;
  name: string | null;
  mrr: number;
  plan: string | null;
}

/** Up to n matching customers, highest MRR first. */
export function sampleMatching(db: Sqlite, rule: unknown, catalog: Catalog, now: number, n: number): SampleRow[] {
  const { where } = compileRule(rule, catalog, { now });
  return run<SampleRow>(
    db,
    qb
      .selectFrom('customer_facts as f')
      .select(['f.customer_id as id', 'f.email', 'f.name', 'f.mrr', 'f.plan'])
      .where(where)
      // `+` keeps SQLite from walking the mrr index top-down (slow for low-MRR
      // segments at 1M rows); a scan with a bounded top-N sort is steady.
      .orderBy(sql`+f.mrr`, 'desc')
      .orderBy('f.customer_id')
      .limit(Math.max(0, Math.floor(n))),
    'all',
  );
}
