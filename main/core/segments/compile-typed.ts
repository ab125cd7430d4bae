import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { isValidAttrKey, type FactField } from '../facts/catalog';
import { NEGATIVES, type Rule } from './rule';

/**
 * Conditions on custom attributes (attrs.<key>) and tags, read from the typed side
 * tables customer_attr / customer_tag (facts/typed-attrs.ts) instead of parsing
 * customer_facts.attrs / tags for every row (issue #22). Same semantics as the JSON
 * reading: the side tables hold exactly what that reading yields.
 *
 * Two shapes, same result:
 * - 'in': `f.customer_id IN (SELECT customer_id FROM side WHERE …)`. The subquery runs once
 *   per statement from the (key, num) / (tag, customer_id) index, then each facts row is
 *   one probe; a filter (preview, counts) can even be driven from the subquery. Best for
 *   one statement over every customer.
 * - 'exists': a correlated `EXISTS (… WHERE customer_id = f.customer_id …)`: one primary
 *   key seek per row, nothing built up front. Best when few rows are read (the changed
 *   customers, the background recompute's slices, each its own statement).
 */
export type Probe = 'in' | 'exists';

type Sql = RawBuilder<unknown>;

/** The side-table column holding the attribute read as its catalog type. */
export function attrColumn(field: FactField): Sql {
  switch (field.type) {
    case 'number': return sql.ref('a.num');
    case 'boolean': return sql.ref('a.bool');
    case 'string': return sql.ref('a.text');
    default: throw new Error(`attribute ${field.name} has unsupported type ${field.type}`);
  }
}

/** 1 when the customer has a value of the attribute satisfying `pred` (over attrColumn), else 0; never NULL. */
export function attrHas(field: FactField, pred: Sql, probe: Probe): Sql {
  if (field.attrKey === undefined) throw new Error(`attribute field ${field.name} has no key`);
  // The key is a bound value here; a hand-made catalog with a hostile key is still refused.
  if (!isValidAttrKey(field.attrKey)) throw new Error(`invalid attribute key ${JSON.stringify(field.attrKey)}`);
  return probe === 'in'
    ? sql`(f.customer_id IN (SELECT a.customer_id FROM customer_attr AS a WHERE a.key = ${field.attrKey} AND (${pred})))`
    : sql`EXISTS (SELECT 1 FROM customer_attr AS a WHERE a.customer_id = f.customer_id AND a.key = ${field.attrKey} AND (${pred}))`;
}

/** 1 when the customer has any of the (lower-cased) tags, else 0; never NULL. `tags` is an IN list. */
export function tagHas(tags: Sql, probe: Probe): Sql {
  return probe === 'in'
    ? sql`(f.customer_id IN (SELECT t.customer_id FROM customer_tag AS t WHERE t.tag IN (${tags})))`
    : sql`EXISTS (SELECT 1 FROM customer_tag AS t WHERE t.customer_id = f.customer_id AND t.tag IN (${tags}))`;
}

/** ASCII-only lower-casing, identical to SQLite's built-in lower() (as compile.ts's asciiLower). */
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * A condition on a custom attribute or on tags, from the typed side tables (null for
 * other facts). The side-table shapes are 0/1, never NULL, so a negative operator is a
 * plain NOT: the same two-valued result as NOT COALESCE(positive, 0). `positive` is the
 * compiler's comparison over a given value; `list` its IN-list of values.
 */
export function typedCondition(
  field: FactField,
  rule: Rule,
  probe: Probe,
  positive: (field: FactField, op: string, value: unknown, v: Sql) => Sql,
  list: (values: readonly string[]) => Sql,
): RawBuilder<SqlBool> | null {
  const op = rule.operator;
  if (field.source !== 'fact' && field.column === 'attrs') {
    const col = attrColumn(field);
    if (op === 'null') return sql<SqlBool>`(NOT ${attrHas(field, sql`${col} IS NOT NULL`, probe)})`;
    if (op === 'notNull') return sql<SqlBool>`${attrHas(field, sql`${col} IS NOT NULL`, probe)}`;
    const neg = NEGATIVES[op];
    if (neg !== undefined) return sql<SqlBool>`(NOT ${attrHas(field, positive(field, neg, rule.value, col), probe)})`;
    return sql<SqlBool>`${attrHas(field, positive(field, op, rule.value, col), probe)}`;
  }
  if (field.source === 'fact' && field.column === 'tags') {
    const tags = (rule.value as string[]).map(asciiLower);
    if (op === 'hasAny') return sql<SqlBool>`${tagHas(list(tags), probe)}`;
    if (op === 'hasNone') return sql<SqlBool>`(NOT ${tagHas(list(tags), probe)})`;
    if (op === 'hasAll') {
      return sql<SqlBool>`(${sql.join([...new Set(tags)].map((tag) => tagHas(sql.join([sql.val(tag)]), probe)), sql` AND `)})`;
    }
  }
  return null;
}
