import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer for every export (customers --all --format csv, run plan
 * --out, audit --out, the console's Export CSV): csv-stringify underneath,
 * guarded against CSV ("formula") injection.
 *
 * Exported cells hold text from outside Reclaim (customer names and metadata
 * synced from Stripe, imported attributes, email addresses). A spreadsheet
 * runs a cell that begins with = + - @ (or their full-width forms, tab or
 * carriage return) as a formula, e.g. `=HYPERLINK("http://evil", "Click")`.
 * Following OWASP's CSV Injection guidance
 * (https://owasp.org/www-community/attacks/CSV_Injection) such a cell is
 * prefixed with a single quote so it is read as text, and any cell holding a
 * quote, comma or line break is quoted with inner quotes doubled (RFC 4180).
 * csv-stringify's `escape_formulas` does the prefixing. OWASP adds that a
 * separator inside a cell could start a new cell with the dangerous character:
 * so a cell holding `;` (the separator where the decimal mark is a comma) is
 * quoted too, and so is any cell holding a bare CR (csv-stringify stops
 * quoting CR once record_delimiter is set, and a spreadsheet reads CR as a new
 * row, which would put `=…` at the start of a cell).
 *
 * Numbers stay numbers: a finite JavaScript number is written as its numeric
 * literal (`-12.5`, a negative attribute value) without the quote, since a
 * numeric literal cannot be a formula and the column must stay numeric in the
 * spreadsheet. Text that merely looks like a number ("-2" in a name) is text
 * and gets the quote. Booleans are written true/false, objects as JSON.
 */
const OPTIONS = { escape_formulas: true, record_delimiter: '\n', quote_record_delimiter: true, quoted_match: [';', '\r'], eof: false };

type Cell = string | number | bigint | null;

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

/** One CSV record (no line terminator), every cell guarded. */
export function csvLine(cells: readonly unknown[]): string {
  return stringify([cells.map(cell)], OPTIONS);
}

/**
 * A whole CSV document: a header and one record per row, each line ended by
 * `eol` (CRLF by default, as RFC 4180 has it). The header is guarded too.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>, eol = '\r\n'): string {
  let out = `${csvLine(header)}${eol}`;
  for (const r of rows) out += `${csvLine(r)}${eol}`;
  return out;
}

/** A cell csv-stringify (with OPTIONS) writes unchanged: no formula start, nothing to quote. */
const PLAIN = /^(?![=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])[^,"\r\n;]*$/;

/**
 * The same record as csvLine, faster for big exports: cells that need neither
 * a guard nor quoting (most: ids, emails, numbers) are written as they are;
 * every other cell goes through csv-stringify as in csvLine. The output is
 * identical to csvLine's (test/exports/csv-fast.test.ts compares them).
 */
export function csvRecord(cells: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (i) out += ',';
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' && Number.isFinite(v)) out += String(v);
    else if (typeof v === 'string' && PLAIN.test(v)) out += v;
    else out += stringify([[cell(v)]], OPTIONS);
  }
  return out;
}
