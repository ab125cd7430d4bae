import { parse } from 'csv-parse/sync';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';
import { markMembershipPending } from '../reliability/pending';
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
  /** Existing attributes whose type this import would change, with the segments that use them. */
  typeChanges: { key: string; from: string; to: string; segments: string[] }[];
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const BOOLEAN = /^(true|false)$/i;
const ID_HEADERS = ['customer', 'customer_id', 'id', 'email'];

interface Parsed {
  preview: CsvPreview;
  values: { customerId: string; key: string; text: string | null; num: number | null }[];
}

/**
 * Text that is not UTF-8: a UTF-16 byte-order mark (the file was read as
 * UTF-8, so it arrives as U+FFFD pairs or as U+FEFF followed by NULs), NUL
 * characters, or replacement characters from undecodable bytes.
 */
function notUtf8(csv: string): string | null {
  const head = csv.slice(0, 4096);
  if (/^\uFFFD\uFFFD/.test(head) || /^(\uFEFF)?[^\0]\0[^\0]\0/.test(head) || /^(\uFEFF)?\0[^\0]\0[^\0]/.test(head)) {
    return 'The file is not UTF-8 (it looks like UTF-16). Save it as "CSV UTF-8" and import it again.';
  }
  if (head.includes('\0')) return 'The file is not UTF-8 text (it contains NUL bytes). Save it as "CSV UTF-8" and import it again.';
  if (csv.includes('\uFFFD')) return 'The file is not UTF-8 (some bytes are not valid UTF-8). Save it as "CSV UTF-8" and import it again.';
  return null;
}

const empty = (errors: CsvPreview['errors']): Parsed => ({ preview: { columns: [], rows: 0, matched: 0, errors, typeChanges: [] }, values: [] });

/** Segments whose rule mentions the field (attrs.<key>), by name. */
function segmentsUsing(db: Sqlite, key: string): string[] {
  const rows = db.prepare('SELECT name, rule FROM segments WHERE archived = 0 ORDER BY priority').all() as { name: string; rule: string }[];
  const field = `attrs.${key}`;
  const uses = (node: unknown): boolean => {
    if (typeof node !== 'object' || node === null) return false;
    const n = node as { field?: unknown; rules?: unknown };
    if (n.field === field) return true;
    return Array.isArray(n.rules) && n.rules.some(uses);
  };
  return rows.filter((r) => {
    try {
      return uses(JSON.parse(r.rule));
    } catch {
      return false;
    }
  }).map((r) => r.name);
}

function analyse(db: Sqlite, csv: string, match: 'id' | 'email'): Parsed {
  const errors: CsvPreview['errors'] = [];
  const encoding = notUtf8(csv);
  if (encoding) return empty([{ line: 1, message: encoding }]);
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    return empty([{ line, message: `Not readable as CSV: ${(e as Error).message}` }]);
  }
  const header = records[0];
  if (!header || header.length < 2) {
    return empty([{ line: 1, message: 'A header row with an id column and at least one attribute column is required' }]);
  }
  const idCol = Math.max(0, header.findIndex((h) => ID_HEADERS.includes(h.toLowerCase())));
  const keys = header.map((h, i) => (i === idCol ? null : h));
  const firstAt = new Map<string, number>();
  keys.forEach((k, i) => {
    if (k === null) return;
    const before = firstAt.get(k.toLowerCase());
    if (before !== undefined) {
      errors.push({ line: 1, message: `Column ${i + 1} "${k.slice(0, 40)}" repeats column ${before + 1}; each attribute may appear once` });
      return;
    }
    firstAt.set(k.toLowerCase(), i);
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
  const columns = keys.flatMap((k, i) => (k === null ? [] : [{ key: k, type: types[i]! }]));
  const known = db.prepare('SELECT type FROM attribute_catalog WHERE key = ?');
  const typeChanges: CsvPreview['typeChanges'] = [];
  for (const c of columns) {
    const had = known.get(c.key) as { type: string } | undefined;
    // An all-empty column says nothing about the type: it keeps the existing one.
    const hasCells = values.some((v) => v.key === c.key && (v.text !== null || v.num !== null));
    if (had && !hasCells) c.type = had.type as typeof c.type;
    else if (had && had.type !== c.type) typeChanges.push({ key: c.key, from: had.type, to: c.type, segments: segmentsUsing(db, c.key) });
  }
  return { preview: { columns, rows: rows.length, matched, errors, typeChanges }, values };
}

/** The sentence for an import that would change attribute types. */
export function describeTypeChanges(changes: CsvPreview['typeChanges']): string {
  return changes
    .map((c) => {
      const segs = c.segments.length ? `; segments using it would stop matching as before: ${c.segments.map((s) => `"${s}"`).join(', ')}` : '; no segment uses it';
      return `"${c.key}" would change from ${c.from} to ${c.to}${segs}`;
    })
    .join('. ');
}

export function previewCsvImport(db: Sqlite, csv: string, opts: { match: 'id' | 'email' }): CsvPreview {
  return analyse(db, csv, opts.match).preview;
}

export function applyCsvImport(
  db: Sqlite,
  csv: string,
  opts: { match: 'id' | 'email'; allowTypeChange?: boolean },
  now: number,
): { imported: number; columns: string[] } {
  const { preview, values } = analyse(db, csv, opts.match);
  if (preview.errors.length > 0) {
    throw badRequest(
      `The CSV has ${preview.errors.length} problem(s); nothing was imported. First: line ${preview.errors[0]!.line}: ${preview.errors[0]!.message}`,
      preview.errors.slice(0, 100).map((e) => ({ path: `line ${e.line}`, message: e.message })),
    );
  }
  if (preview.typeChanges.length > 0 && !opts.allowTypeChange) {
    throw badRequest(
      `Nothing was imported: this file would change the type of existing attributes. ${describeTypeChanges(preview.typeChanges)}. Fix the cells (e.g. "n/a" in a number column), or confirm the type change (--allow-type-change).`,
      preview.typeChanges.map((c) => ({ path: `column ${c.key}`, message: `${c.from} → ${c.to}` })),
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
    // Facts (dirty_customers) and membership are stale from this commit on; the marks commit with the data.
    markMembershipPending(db);
    for (const c of preview.columns) cat.run(c.key, c.type, c.key);
    for (const v of values) {
      if (v.text === null && v.num === null) drop.run(v.customerId, v.key);
      else put.run(v.customerId, v.key, v.text, v.num, now * 1000);
      dirty.run(v.customerId);
    }
  })();
  return { imported: preview.matched, columns: preview.columns.map((c) => c.key) };
}
