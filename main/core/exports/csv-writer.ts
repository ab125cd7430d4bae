import type { Writable } from 'node:stream';
import { csvLine, csvRecord } from '../export/csv';
import { put } from './sink';
import { currencyIndexes, plainValue, type Table } from './table';

const CHUNK = 64 * 1024;

/**
 * One table as CSV (RFC 4180: CRLF line ends, quoted where needed), every cell
 * through the guarded writer (export/csv.ts), so customer text that begins
 * with = + - @, a tab or CR (or their full-width forms) is read as text.
 * Header: the column keys. Money in major units; dates as ISO text.
 * Streams in ~64 KB chunks. Returns the number of data rows.
 */
export async function writeCsvTable(table: Table, out: Writable): Promise<number> {
  const { columns } = table;
  const cur = currencyIndexes(columns);
  // Only typed columns (money, dates, percents) are converted; text and numbers pass as they are.
  const typed = columns.map((c, i) => (c.type === 'text' || c.type === 'integer' || c.type === 'number' ? -1 : i)).filter((i) => i >= 0);
  let buf = `${csvLine(columns.map((c) => c.key))}\r\n`;
  let n = 0;
  for (const row of table.rows) {
    let cells = row;
    if (typed.length) {
      cells = row.slice();
      for (const i of typed) cells[i] = plainValue(columns[i]!, row[i] ?? null, row, cur[i]!);
    }
    buf += `${csvRecord(cells)}\r\n`;
    n++;
    if (buf.length >= CHUNK) {
      await put(out, buf);
      buf = '';
    }
  }
  if (buf) await put(out, buf);
  return n;
}

/** A small table as one CSV string (the same cells as writeCsvTable). */
export function tableCsvText(table: Table): string {
  const { columns } = table;
  const cur = currencyIndexes(columns);
  let out = `${csvLine(columns.map((c) => c.key))}\r\n`;
  for (const row of table.rows) out += `${csvLine(row.map((v, i) => plainValue(columns[i]!, v, row, cur[i]!)))}\r\n`;
  return out;
}
