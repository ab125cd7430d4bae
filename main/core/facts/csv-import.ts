import { parse } from 'csv-parse/sync';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';
import { FACT_COLUMNS, isValidAttrKey } from './catalog';

/**
 * CSV import of custom attributes (usage, engagement, …). Preview first; apply
 * refuses while any row has a problem, and writes everything in one
 * transaction. Cells are data, never formulas: a cell starting with = + - @ is
 * kept as the literal text (a column is numeric only when every non-empty cell
 * is a plain number such as 12, -5 or 3.25).
 */
export interface CsvPreview {
  columns: { key: string; type: 'number' | 'string' | 'boolean' }[];
  rows: number;
  matched: number;
  errors: { line: number; message: string }[];
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const BOOLEAN = /^(true|false)$/i;
const ID_HEADERS = ['customer', 'customer_id', 'id', 'email'];

interface Parsed {
  preview: CsvPreview;
  values: { customerId: string; key: string; text: string | null; num: number | null }[];
}

function analyse(db: Sqlite, csv: string, match: 'id' | 'email'): Parsed {
  const errors: CsvPreview['errors'] = [];
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    return { preview: { columns: [], rows: 0, matched: 0, errors: [{ line, message: `Not readable as CSV: ${(e as Error).message}` }] }, values: [] };
  }
  const header = records[0];
  if (!header || header.length < 2) {
    return { preview: { columns: [], rows: 0, matched: 0, errors: [{ line: 1, message: 'A header row with an id column and at least one attribute column is required' }] }, values: [] };
  }
  const idCol = Math.max(0, header.findIndex((h) => ID_HEADERS.includes(h.toLowerCase())));
  const keys = header.map((h, i) => (i === idCol ? null : h));
  keys.forEach((k, i) => {
    if (k === null) return;
    if (!isValidAttrKey(k)) errors.push({ line: 1, message: `Column ${i + 1} "${k.slice(0, 40)}": names use letters, digits, space, _ . - (at most 64)` });
    else if (FACT_COLUMNS.has(k)) errors.push({ line: 1, message: `Column "${k}" is a built-in fact; rename the column` });
  });
  const rows = records.slice(1);
  const types = keys.map((k, i) => {
    if (k === null) return 'string' as const;
    const cells = rows.map((r) => r[i] ?? '').filter((v) => v !== '');
    if (cells.length && cells.every((v) => NUMBER.test(v))) return 'number' as const;
    if (cells.length && cells.every((v) => BOOLEAN.test(v))) return 'boolean' as const;
    return 'string' as const;
  });
  const lookup =
    match === 'id'
      ? db.prepare('SELECT id FROM customers WHERE id = ? AND deleted = 0')
      : db.prepare('SELECT id FROM customers WHERE lower(email) = lower(?) AND deleted = 0 ORDER BY created DESC LIMIT 1');
  const seen = new Map<string, number>();
  const values: Parsed['values'] = [];
  let matched = 0;
  rows.forEach((r, idx) => {
    const line = idx + 2;
    if (r.length !== header.length) {
      errors.push({ line, message: `Expected ${header.length} columns, found ${r.length}` });
      return;
    }
    const ref = r[idCol] ?? '';
    const hit = lookup.get(ref) as { id: string } | undefined;
    if (!hit) {
      errors.push({ line, message: `Unknown customer ${match === 'id' ? 'id' : 'email'} "${ref.slice(0, 80)}"` });
      return;
    }
    const dup = seen.get(hit.id);
    if (dup !== undefined) {
      errors.push({ line, message: `Customer ${hit.id} already appears on line ${dup}` });
      return;
    }
    seen.set(hit.id, line);
    matched++;
    keys.forEach((k, i) => {
      if (k === null) return;
      const cell = r[i] ?? '';
      if (cell === '') {
        values.push({ customerId: hit.id, key: k, text: null, num: null });
        return;
      }
      if (types[i] === 'number') values.push({ customerId: hit.id, key: k, text: null, num: Number(cell) });
      else values.push({ customerId: hit.id, key: k, text: cell, num: null });
    });
  });
  return {
    preview: {
      columns: keys.flatMap((k, i) => (k === null ? [] : [{ key: k, type: types[i]! }])),
      rows: rows.length,
      matched,
      errors,
    },
    values,
  };
}

export function previewCsvImport(db: Sqlite, csv: string, opts: { match: 'id' | 'email' }): CsvPreview {
  return analyse(db, csv, opts.match).preview;
}

export function applyCsvImport(db: Sqlite, csv: string, opts: { match: 'id' | 'email' }, now: number): { imported: number; columns: string[] } {
  const { preview, values } = analyse(db, csv, opts.match);
  if (preview.errors.length > 0) {
    throw badRequest(
      `The CSV has ${preview.errors.length} problem(s); nothing was imported. First: line ${preview.errors[0]!.line}: ${preview.errors[0]!.message}`,
      preview.errors.slice(0, 100).map((e) => ({ path: `line ${e.line}`, message: e.message })),
    );
  }
  const put = db.prepare(
    `INSERT INTO custom_attributes (customer_id, key, value_text, value_num, source, imported_at_ms) VALUES (?, ?, ?, ?, 'csv', ?)
     ON CONFLICT (customer_id, key) DO UPDATE SET value_text = excluded.value_text, value_num = excluded.value_num, imported_at_ms = excluded.imported_at_ms`,
  );
  const drop = db.prepare('DELETE FROM custom_attributes WHERE customer_id = ? AND key = ?');
  const cat = db.prepare(
    `INSERT INTO attribute_catalog (key, type, source, label) VALUES (?, ?, 'csv', ?) ON CONFLICT (key) DO UPDATE SET type = excluded.type, source = 'csv'`,
  );
  const dirty = db.prepare('INSERT OR IGNORE INTO dirty_customers (customer_id) VALUES (?)');
  db.transaction(() => {
    for (const c of preview.columns) cat.run(c.key, c.type, c.key);
    for (const v of values) {
      if (v.text === null && v.num === null) drop.run(v.customerId, v.key);
      else put.run(v.customerId, v.key, v.text, v.num, now * 1000);
      dirty.run(v.customerId);
    }
  })();
  return { imported: preview.matched, columns: preview.columns.map((c) => c.key) };
}
