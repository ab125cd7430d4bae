import type { Writable } from 'node:stream';
import { minorExponent } from '../../../shared/money';
import { currencyIndexes, toMajorUnits, type Column, type ExportDoc } from './table';

/**
 * The tables as an XLSX workbook, one sheet per table, streamed with exceljs's
 * WorkbookWriter (rows are committed as they are written, so a million
 * members do not sit in memory). Cells are typed: numbers are numbers, dates
 * are dates (yyyy-mm-dd), money is a number in major units with its
 * currency's format (`"$"#,##0.00`, `"¥"#,##0`), percents are shares shown as 0.0%.
 * Text is written as text (a string cell is never a formula in XLSX).
 */

/** `"$"#,##0.00` for usd, `"¥"#,##0` for jpy, `"€"#,##0.00` for eur… */
export function currencyFormat(currency: string): string {
  const code = currency.toUpperCase();
  let symbol = code;
  try {
    symbol = new Intl.NumberFormat('en', { style: 'currency', currency: code }).formatToParts(0).find((p) => p.type === 'currency')?.value ?? code;
  } catch {
    // An unknown code: the code itself.
  }
  const exp = minorExponent(code);
  return `"${symbol.replace(/"/g, '')}"#,##0${exp ? `.${'0'.repeat(exp)}` : ''}`;
}

const FORMATS: Partial<Record<Column['type'], string>> = {
  integer: '#,##0',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
  percent: '0.0%',
};

/** A sheet name Excel accepts: ≤ 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(name: string, used: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || 'Sheet';
  let out = base;
  for (let i = 2; used.has(out.toLowerCase()); i++) out = `${base.slice(0, 28)} ${i}`;
  used.add(out.toLowerCase());
  return out;
}

export async function writeXlsxDoc(doc: ExportDoc, out: Writable): Promise<number> {
  // Loaded on first use from node_modules (the CLI bundle leaves it out, scripts/build.mjs): its
  // zip dependencies call the deprecated Buffer(), which Node reports on stderr outside node_modules.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Reclaim';
  wb.created = new Date(doc.generatedAtMs);
  let n = 0;
  const used = new Set<string>();
  for (const table of doc.tables) {
    const ws = wb.addWorksheet(sheetName(table.name, used), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = table.columns.map((c) => ({
      header: c.title,
      key: c.key,
      width: Math.min(60, Math.max(10, c.title.length + 2, c.type === 'datetime' ? 20 : 0)),
      style: { numFmt: c.type === 'money' && c.currency ? currencyFormat(c.currency) : (FORMATS[c.type] ?? '') },
    }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    const cur = currencyIndexes(table.columns);
    const formats = new Map<string, string>();
    const formatOf = (code: string) => {
      let f = formats.get(code);
      if (!f) formats.set(code, (f = currencyFormat(code)));
      return f;
    };
    for (const row of table.rows) {
      const values = table.columns.map((c, i) => {
        const v = row[i] ?? null;
        if (v === null) return null;
        switch (c.type) {
          case 'money': {
            const code = cur[i]! >= 0 ? String(row[cur[i]!] ?? '') : (c.currency ?? '');
            return typeof v === 'number' ? toMajorUnits(v, code || 'usd') : v;
          }
          case 'date':
          case 'datetime':
            return typeof v === 'number' ? new Date(v) : v;
          default:
            return v;
        }
      });
      const r = ws.addRow(values);
      // A money column whose currency is per row: that row's currency format.
      table.columns.forEach((c, i) => {
        if (cur[i]! >= 0 && typeof values[i] === 'number') r.getCell(i + 1).numFmt = formatOf(String(row[cur[i]!] ?? 'usd'));
      });
      r.commit();
      n++;
    }
    ws.commit();
  }
  await wb.commit();
  return n;
}
