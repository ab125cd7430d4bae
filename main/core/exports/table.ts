import { minorExponent } from '../../../shared/money';

/**
 * The one table model every export writer reads (CSV, XLSX, JSON, the HTML
 * report's tables). A writer never guesses a cell's meaning: each column says
 * what it holds.
 *
 * Cell values by column type:
 * - text: string (customer text is guarded by the CSV writer)
 * - integer / number: number
 * - money: integer MINOR units; the column names its currency (`currency`) or
 *   the column holding each row's currency code (`currencyFrom`). Writers put
 *   major units out, so one column never mixes minor units of several currencies.
 * - date / datetime: epoch milliseconds (UTC)
 * - percent: a share (0.25 = 25%)
 * Any cell may be null (empty).
 */
export type ColumnType = 'text' | 'integer' | 'number' | 'money' | 'date' | 'datetime' | 'percent';

export interface Column {
  /** Machine name: the CSV header and the JSON key (snake_case). */
  key: string;
  /** What a person reads: the XLSX and HTML header. */
  title: string;
  type: ColumnType;
  /** money: the currency of every cell (lower-case ISO code). */
  currency?: string;
  /** money: the key of the text column holding each row's currency. */
  currencyFrom?: string;
}

export type Cell = string | number | boolean | null;

export interface Table {
  /** Sheet name (≤ 31 characters, no []:*?/\). */
  name: string;
  title: string;
  columns: Column[];
  /** One array per row, values in column order. May be a generator (streamed once). */
  rows: Iterable<Cell[]>;
}

/** A set of tables and what they are about (the file's header, the JSON envelope). */
export interface ExportDoc {
  /** Base of the file name, e.g. `reclaim-members-enterprise`. */
  baseName: string;
  workspace: { id: string; name: string; kind: string; mode: string; currency: string };
  generatedAtMs: number;
  /** The filters as applied, in words (`segment: Enterprise`). */
  filters: Record<string, string>;
  tables: Table[];
}

export const money = (key: string, title: string, currency: string): Column => ({ key, title, type: 'money', currency: currency.toLowerCase() });
export const moneyIn = (key: string, title: string, currencyFrom: string): Column => ({ key, title, type: 'money', currencyFrom });
export const col = (key: string, title: string, type: ColumnType = 'text'): Column => ({ key, title, type });

/** Minor units → major units, rounded to the currency's decimals (12345 usd → 123.45). */
export function toMajorUnits(minor: number, currency: string): number {
  const exp = minorExponent(currency);
  // An integer divided by a power of ten is already the nearest double to the decimal (12345 / 100 → 123.45).
  return Number.isInteger(minor) ? minor / 10 ** exp : Number((minor / 10 ** exp).toFixed(exp));
}

/** For each column, the index of the column holding its currency (money columns with currencyFrom), else -1. */
export function currencyIndexes(columns: Column[]): number[] {
  return columns.map((c) => {
    if (c.type !== 'money' || !c.currencyFrom) return -1;
    const i = columns.findIndex((x) => x.key === c.currencyFrom);
    if (i < 0) throw new Error(`money column ${c.key}: no column ${c.currencyFrom}`);
    return i;
  });
}

/** A cell's value for a text format (CSV, JSON): money in major units, dates as ISO text. */
export function plainValue(column: Column, value: Cell, row: Cell[], currencyIndex: number): Cell {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'money': {
      const currency = currencyIndex >= 0 ? String(row[currencyIndex] ?? '') : (column.currency ?? '');
      return typeof value === 'number' ? toMajorUnits(value, currency || 'usd') : value;
    }
    case 'date':
      return typeof value === 'number' ? new Date(value).toISOString().slice(0, 10) : value;
    case 'datetime':
      return typeof value === 'number' ? new Date(value).toISOString() : value;
    case 'percent':
      return typeof value === 'number' ? Number(value.toFixed(6)) : value;
    default:
      return value;
  }
}

/** Counts rows as they pass; throws `tooMany()` past `max`. */
export function* capped<T>(rows: Iterable<T>, counter: { rows: number }, max: number, tooMany: () => Error): Generator<T> {
  for (const r of rows) {
    if (++counter.rows > max) throw tooMany();
    yield r;
  }
}

/**
 * A statement's rows, read only when the export starts writing them (a
 * prepared-but-unread export leaves the connection free), and the statement
 * released however the export ends.
 */
export function* statementRows(stmt: { iterate: (...args: unknown[]) => IterableIterator<unknown> }, args: unknown[]): Generator<Cell[]> {
  const it = stmt.iterate(...args) as IterableIterator<Cell[]>;
  try {
    yield* it;
  } finally {
    it.return?.();
  }
}
