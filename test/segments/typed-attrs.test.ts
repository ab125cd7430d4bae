import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { catalogFor } from '../../main/core/facts/catalog';
import { BACKFILL_SQL } from '../../main/core/facts/typed-attrs';
import { compileRule, qb } from '../../main/core/segments/compile';
import { validateRule } from '../../main/core/segments/rule';
import { addAttribute, factsRow, NOW, workspaceDb } from './helpers';

/**
 * Attribute and tag rules read the typed side tables (customer_attr, customer_tag). For random
 * customers (any JSON a facts row can hold, valid or not) and random attribute/tag rules, the
 * customers selected must be exactly those the JSON reading (the compiler before #22) selects,
 * in both side-table shapes, after inserts, INSERT OR REPLACE, updates and deletes, and after an
 * attribute's type changes (no rewrite of the side tables).
 */

let db: Sqlite;
let close: () => void;
const KEYS = ['n', 's', 'b', 'k x'] as const;

beforeAll(() => {
  ({ db, close } = workspaceDb());
  addAttribute(db, 'n', 'number');
  addAttribute(db, 's', 'string');
  addAttribute(db, 'b', 'boolean');
  addAttribute(db, 'k x', 'number');
});
afterAll(() => close());

const SCALARS: unknown[] = [
  0, 1, -1, 5, 7.5, -3.25, 1000, 1e16, 9007199254740993n, true, false, null,
  '0', '1', '5', '12', '-3.5', '1.', '.5', '1.2.3', ' 5', '5 ', '-', '--1', '1e3', 'abc', 'True', 'YES', 'no', 'No', 'false', '',
  'Pro', 'pro', 'PRO plan', "o'neil", 'b%b', 'a_b', 'É', 'é', { a: 1 }, [1, 2],
];
/** JSON text with a value; bigint written as a JSON integer beyond 2^53. */
const json = (v: unknown) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v));
const attrsText = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.constantFrom(...KEYS, 'other'), fc.constantFrom(...SCALARS), { maxKeys: 5 }).map((o) => `{${Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`).join(',')}}`) },
  { weight: 1, arbitrary: fc.constantFrom('not json', '[1,2]', '"n"', '5', 'null', '{"n": 1, "n": "x"}', '{"n": {"a": 1}, "n": 5}', '{"s": "a", "s": 2}', '{"n": 3,}') },
);
const TAGS: unknown[] = ['vip', 'VIP', 'Beta', 'beta', 'x y', 'É', 'é', '', 1, null, ['vip'], { t: 'vip' }];
const tagsText = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.constantFrom(...TAGS), { maxLength: 5 }).map((a) => JSON.stringify(a)) },
  { weight: 1, arbitrary: fc.constantFrom('nope', '{"a": "vip"}', '"vip"', '[', '[["vip"]]') },
);
const customer = fc.record({ attrs: attrsText, tags: tagsText });

const NUMS = [-5, -3.25, 0, 1, 5, 7.5, 12, 1000, 1e16, 9007199254740992];
const TEXTS = ['pro', 'Pro', 'PRO', 'o', "o'", '%', '_', 'b%b', 'é', 'É', '', 'plan', '1', 'true', 'x'];
const TAG_VALUES = ['vip', 'VIP', 'beta', 'x y', 'é', 'É', 'none'];
const num = fc.constantFrom(...NUMS);
const text = fc.constantFrom(...TEXTS);

function condition(types: Record<string, string>) {
  const attr = fc.constantFrom(...KEYS).chain((key): fc.Arbitrary<Record<string, unknown>> => {
    const field = `attrs.${key}`;
    switch (types[key]) {
      case 'number':
        return fc.oneof(
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('=', '!=', '<', '<=', '>', '>='), value: num }),
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('between', 'notBetween'), value: fc.tuple(num, num) }),
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('null', 'notNull'), value: fc.constant(null) }),
        );
      case 'boolean':
        return fc.oneof(
          fc.record({ field: fc.constant(field), operator: fc.constant('='), value: fc.boolean() }),
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('null', 'notNull'), value: fc.constant(null) }),
        );
      default:
        return fc.oneof(
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('=', '!=', 'contains', 'beginsWith', 'endsWith', 'doesNotContain'), value: text }),
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('in', 'notIn'), value: fc.uniqueArray(text, { minLength: 1, maxLength: 3 }) }),
          fc.record({ field: fc.constant(field), operator: fc.constantFrom('null', 'notNull'), value: fc.constant(null) }),
        );
    }
  });
  const tags = fc.record({ field: fc.constant('tags'), operator: fc.constantFrom('hasAny', 'hasAll', 'hasNone'), value: fc.array(fc.constantFrom(...TAG_VALUES), { minLength: 1, maxLength: 3 }) });
  return fc.oneof(attr, tags);
}

function rule(types: Record<string, string>) {
  return fc.record({
    combinator: fc.constantFrom('and', 'or'),
    not: fc.boolean(),
    rules: fc.array(fc.oneof({ weight: 3, arbitrary: condition(types) }, { weight: 1, arbitrary: fc.record({ combinator: fc.constantFrom('and', 'or'), not: fc.boolean(), rules: fc.array(condition(types), { minLength: 1, maxLength: 2 }) }) }), { minLength: 1, maxLength: 3 }),
  });
}

const upsert = () =>
  db.prepare(`INSERT OR REPLACE INTO customer_facts (customer_id, tenure_days, created, computed_at, tags, attrs, preferred_locales) VALUES (@customer_id, 0, @created, @computed_at, @tags, @attrs, '[]')`);

function ids(r: unknown, probe: 'json' | 'in' | 'exists'): string[] {
  const catalog = catalogFor(db);
  const { where } = compileRule(r, catalog, { now: NOW, probe });
  const c = qb.selectFrom('customer_facts as f').select('f.customer_id').where(where).orderBy('f.customer_id').compile();
  return (db.prepare(c.sql).all(...c.parameters) as { customer_id: string }[]).map((x) => x.customer_id);
}

const typesArb = fc.record({ n: fc.constantFrom('number', 'string', 'boolean'), s: fc.constantFrom('number', 'string', 'boolean'), b: fc.constantFrom('number', 'string', 'boolean'), 'k x': fc.constantFrom('number', 'string', 'boolean') });

describe('typed side tables select exactly what the JSON reading selects', () => {
  it('random customers, random attribute and tag rules, after writes of every kind', () => {
    fc.assert(
      fc.property(
        typesArb.chain((types) => fc.tuple(fc.constant(types), fc.array(customer, { minLength: 1, maxLength: 25 }), fc.array(rule(types), { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(30), fc.constantFrom('update', 'replace', 'delete'), customer), { maxLength: 8 }))),
        ([types, customers, generated, writes]) => {
          let rules = generated;
          db.transaction(() => {
            db.prepare('DELETE FROM customer_facts').run();
            for (const [key, type] of Object.entries(types)) db.prepare('UPDATE attribute_catalog SET type = ? WHERE key = ?').run(type, key);
            const put = upsert();
            customers.forEach((c, i) => put.run(factsRow({ customer_id: `c${String(i).padStart(2, '0')}`, ...c })));
          })();
          const check = () => {
            for (const r of rules) {
              const expected = ids(r, 'json');
              expect(ids(r, 'in'), JSON.stringify(r)).toEqual(expected);
              expect(ids(r, 'exists'), JSON.stringify(r)).toEqual(expected);
            }
          };
          const catalog = catalogFor(db);
          rules = rules.filter((r) => validateRule(r, catalog).ok);
          check();
          for (const [i, kind, c] of writes) {
            const id = `c${String(i % customers.length).padStart(2, '0')}`;
            if (kind === 'delete') db.prepare('DELETE FROM customer_facts WHERE customer_id = ?').run(id);
            else if (kind === 'update') db.prepare('UPDATE customer_facts SET attrs = ?, tags = ? WHERE customer_id = ?').run(c.attrs, c.tags, id);
            else upsert().run(factsRow({ customer_id: id, ...c }));
          }
          check();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the side tables follow the facts row: a replaced or deleted customer leaves no stale attribute or tag behind', () => {
    const put = upsert();
    db.prepare('DELETE FROM customer_facts').run();
    db.prepare(`UPDATE attribute_catalog SET type = 'number' WHERE key = 'n'`).run();
    put.run(factsRow({ customer_id: 'cus_1', attrs: { n: 12, s: 'Pro' }, tags: ['VIP', 'beta'] }));
    const seen = () => ({
      attrs: db.prepare(`SELECT key, num, bool, text FROM customer_attr WHERE customer_id = 'cus_1' ORDER BY key`).all(),
      tags: db.prepare(`SELECT tag FROM customer_tag WHERE customer_id = 'cus_1' ORDER BY tag`).pluck().all(),
    });
    expect(seen()).toEqual({ attrs: [{ key: 'n', num: 12, bool: null, text: null }, { key: 's', num: null, bool: null, text: 'Pro' }], tags: ['beta', 'vip'] });
    put.run(factsRow({ customer_id: 'cus_1', attrs: { s: 'yes' }, tags: ['x y'] }));
    expect(seen()).toEqual({ attrs: [{ key: 's', num: null, bool: 1, text: 'yes' }], tags: ['x y'] });
    db.prepare(`UPDATE customer_facts SET tags = '[]' WHERE customer_id = 'cus_1'`).run();
    expect(seen().tags).toEqual([]);
    db.prepare(`DELETE FROM customer_facts WHERE customer_id = 'cus_1'`).run();
    expect(seen()).toEqual({ attrs: [], tags: [] });
    // the rule reads the side table: a customer whose seats changed moves in and out of the segment
    put.run(factsRow({ customer_id: 'cus_2', attrs: { n: '3' } }));
    const many = { combinator: 'and', rules: [{ field: 'attrs.n', operator: '>=', value: 5 }] };
    expect(ids(many, 'in')).toEqual([]);
    put.run(factsRow({ customer_id: 'cus_2', attrs: { n: '8' } }));
    expect(ids(many, 'in')).toEqual(['cus_2']);
  });
});

describe('migration 20 backfills the side tables of an existing workspace', () => {
  it('reads the same as the triggers would have written', () => {
    // Rebuild the side tables the way the migration does, from the facts as they are now.
    db.prepare('DELETE FROM customer_facts').run();
    const put = upsert();
    put.run(factsRow({ customer_id: 'a', attrs: '{"n": {"x": 1}, "n": 5, "s": "Pro"}', tags: '["VIP", "vip", 3]' }));
    put.run(factsRow({ customer_id: 'b', attrs: 'not json', tags: 'nope' }));
    put.run(factsRow({ customer_id: 'c', attrs: { n: '1.5', b: 'No', s: '' }, tags: ['É'] }));
    const dump = () => ({
      attrs: db.prepare('SELECT customer_id, key, num, bool, text FROM customer_attr ORDER BY customer_id, key').all(),
      tags: db.prepare('SELECT customer_id, tag FROM customer_tag ORDER BY customer_id, tag').all(),
    });
    const fromTriggers = dump();
    db.exec('DELETE FROM customer_attr; DELETE FROM customer_tag;');
    db.exec(BACKFILL_SQL);
    expect(dump()).toEqual(fromTriggers);
    // a repeated key reads as its first occurrence (an object: no value), as json_extract reads it
    expect(fromTriggers.attrs.filter((r) => (r as { customer_id: string }).customer_id === 'a')).toEqual([{ customer_id: 'a', key: 's', num: null, bool: null, text: 'Pro' }]);
    expect(fromTriggers.tags.filter((r) => (r as { customer_id: string }).customer_id === 'a')).toEqual([{ customer_id: 'a', tag: 'vip' }]);
  });

  it('an existing workspace (version 19) with facts selects the same customers after the upgrade', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-m20-'));
    const old = openSqlite(path.join(dir, 'ws.sqlite'));
    try {
      migrate(old, workspaceMigrations.slice(0, 19));
      old.prepare(`INSERT INTO attribute_catalog (key, type, source, label) VALUES ('seats', 'number', 'csv', 'seats')`).run();
      const put = old.prepare(`INSERT INTO customer_facts (customer_id, tenure_days, created, computed_at, tags, attrs) VALUES (?, 0, 0, 0, ?, ?)`);
      put.run('small', '["beta"]', '{"seats": "2"}');
      put.run('large', '["VIP"]', '{"seats": 12}');
      put.run('broken', 'nope', 'not json');
      migrate(old, workspaceMigrations);
      expect(old.pragma('user_version', { simple: true })).toBe(workspaceMigrations.length);
      const catalog = catalogFor(old);
      const match = (r: unknown) => {
        const c = qb.selectFrom('customer_facts as f').select('f.customer_id').where(compileRule(r, catalog, { now: NOW }).where).orderBy('f.customer_id').compile();
        return (old.prepare(c.sql).all(...c.parameters) as { customer_id: string }[]).map((x) => x.customer_id);
      };
      expect(match({ combinator: 'and', rules: [{ field: 'attrs.seats', operator: '>=', value: 5 }] })).toEqual(['large']);
      expect(match({ combinator: 'and', rules: [{ field: 'attrs.seats', operator: 'null', value: null }] })).toEqual(['broken']);
      expect(match({ combinator: 'and', rules: [{ field: 'tags', operator: 'hasAny', value: ['vip', 'beta'] }] })).toEqual(['large', 'small']);
      expect(match({ combinator: 'and', rules: [{ field: 'tags', operator: 'hasNone', value: ['vip'] }] })).toEqual(['broken', 'small']);
    } finally {
      old.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
