import type { Writable } from 'node:stream';
import { put } from './sink';
import { currencyIndexes, plainValue, type ExportDoc } from './table';

const CHUNK = 64 * 1024;

/**
 * The tables as one JSON document, streamed:
 * `{ workspace, generatedAt, filters, tables: [{ name, title, columns, rows: [{key: value}] }] }`.
 * Money in major units with the currency in the column (`currency`) or in the row (`currencyFrom`).
 */
export async function writeJsonDoc(doc: ExportDoc, out: Writable): Promise<number> {
  let n = 0;
  const head = { workspace: doc.workspace, generatedAt: new Date(doc.generatedAtMs).toISOString(), filters: doc.filters };
  await put(out, `${JSON.stringify(head).slice(0, -1)},"tables":[`);
  for (const [t, table] of doc.tables.entries()) {
    const columns = table.columns.map((c) => ({ key: c.key, title: c.title, type: c.type, ...(c.currency ? { currency: c.currency.toUpperCase() } : {}), ...(c.currencyFrom ? { currencyFrom: c.currencyFrom } : {}) }));
    await put(out, `${t ? ',' : ''}{"name":${JSON.stringify(table.name)},"title":${JSON.stringify(table.title)},"columns":${JSON.stringify(columns)},"rows":[`);
    const cur = currencyIndexes(table.columns);
    let buf = '';
    let first = true;
    for (const row of table.rows) {
      const o: Record<string, unknown> = {};
      table.columns.forEach((c, i) => (o[c.key] = plainValue(c, row[i] ?? null, row, cur[i]!)));
      buf += `${first ? '' : ','}\n${JSON.stringify(o)}`;
      first = false;
      n++;
      if (buf.length >= CHUNK) {
        await put(out, buf);
        buf = '';
      }
    }
    await put(out, `${buf}]}`);
  }
  await put(out, ']}\n');
  return n;
}
