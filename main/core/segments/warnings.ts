import type { Sqlite } from '../db/sqlite';
import { FACT_COLUMNS, fieldByName, type Catalog, type FactField } from '../facts/catalog';
import { asciiLower } from './compile';
import { validateRule, type RuleGroup, type RuleNode } from './rule';

/**
 * Warnings for a valid rule that is probably not what was meant (#17 item 17): an enum
 * or list value that no customer has (`country = XX`, `region = germany`) matches
 * nobody — a silent 0 before. Shown by the rule builder's live preview, `reclaim
 * evaluate` and `reclaim segments create/update`; the rule is still accepted (the value
 * may appear with the next sync). Only the positive sense is checked: a value no one has
 * under `!=` / `notIn` / `hasNone` is harmless but is named too, since it is a typo all the same.
 */
const VALUE_OPS = new Set(['=', '!=', 'in', 'notIn', 'hasAny', 'hasAll', 'hasNone']);
const MAX_LISTED = 8;

function isGroup(n: RuleNode): n is RuleGroup {
  return Array.isArray((n as RuleGroup).rules);
}

/** Whether any customer has `value` (ASCII case-insensitive, as rules compare) in a fact column. */
function someoneHas(db: Sqlite, field: FactField, value: string): boolean {
  if (!FACT_COLUMNS.has(field.column)) return true;
  const col = `"${field.column}"`;
  if (field.type === 'tags') {
    return Boolean(
      db
        .prepare(`SELECT 1 FROM customer_facts f, json_each(CASE WHEN json_valid(f.${col}) AND json_type(f.${col}) = 'array' THEN f.${col} ELSE '[]' END) t
          WHERE t.type = 'text' AND lower(t.value) = ? LIMIT 1`)
        .get(asciiLower(value)),
    );
  }
  // The exact spelling first (an index on the column serves it), then any case.
  return Boolean(db.prepare(`SELECT 1 FROM customer_facts WHERE ${col} = ? OR lower(${col}) = ? LIMIT 1`).get(value, asciiLower(value)));
}

export function ruleWarnings(db: Sqlite, rule: unknown, catalog: Catalog): string[] {
  const v = validateRule(rule, catalog);
  if (!v.ok) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: RuleNode) => {
    if (n.disabled) return;
    if (isGroup(n)) return n.rules.forEach(visit);
    const field = fieldByName(catalog, n.field);
    if (!field || field.source !== 'fact' || (field.type !== 'enum' && field.type !== 'tags') || !VALUE_OPS.has(n.operator)) return;
    const values = (Array.isArray(n.value) ? n.value : [n.value]).filter((x): x is string => typeof x === 'string');
    for (const value of values) {
      const key = `${field.name}\u0000${asciiLower(value)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (someoneHas(db, field, value)) continue;
      // Data-driven lists (country, region, locales…) hold exactly the values present; static
      // lists (currency, decline codes) hold documented values whether present or not.
      const known = field.openValues || field.type === 'tags' ? (field.values ?? []) : [];
      const hint = known.length ? ` (values in this workspace: ${known.slice(0, MAX_LISTED).join(', ')}${known.length > MAX_LISTED ? ', …' : ''})` : '';
      out.push(`No customer has ${field.label} ${JSON.stringify(value)}: this condition matches nobody${hint}.`);
    }
  };
  visit(v.rule);
  return out;
}
