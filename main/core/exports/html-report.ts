import type { Writable } from 'node:stream';
import { formatMoney } from '../../../shared/money';
import type { PerformanceReport } from '../../../shared/performance';
import { reportCharts } from './charts';
import { put } from './sink';
import { currencyIndexes, type Cell, type Column, type ExportDoc, type Table } from './table';

/**
 * The self-contained HTML report: one file that opens in any browser with no
 * network at all. No script runs (the CSP allows none), nothing is fetched
 * (default-src 'none'; styles inline; images only data:), charts are inline
 * SVG drawn by echarts' server-side renderer, fonts are the system's.
 *
 * A performance report embeds the whole PerformanceReport as
 * `<script type="application/json" id="reclaim-report">` (JSON, `<` written as
 * \u003c so no text can close the element): review mode reads a report back
 * from exactly that element.
 */

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
export const REPORT_JSON_ID = 'reclaim-report';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe inside a <script> element: no `<` (so no `</script>` or `<!--`), and no U+2028/2029. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function cellText(c: Column, v: Cell, row: Cell[], curIndex: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'number') return String(v);
  switch (c.type) {
    case 'money':
      return formatMoney(v, curIndex >= 0 ? String(row[curIndex] ?? 'usd') : (c.currency ?? 'usd'));
    case 'percent':
      return `${(v * 100).toFixed(1)}%`;
    case 'date':
      return new Date(v).toISOString().slice(0, 10);
    case 'datetime':
      return new Date(v).toISOString().replace('T', ' ').slice(0, 19);
    case 'integer':
      return v.toLocaleString('en');
    default:
      return String(Math.round(v * 100) / 100);
  }
}

const NUMERIC = new Set<Column['type']>(['integer', 'number', 'money', 'percent']);

/** Tables long enough to bury the next chart (a row per curve day, per heatmap cell) start folded. */
const FOLDED = new Set(['Curves', 'Cohort heatmap']);

async function writeTable(t: Table, out: Writable, id: string): Promise<number> {
  const cur = currencyIndexes(t.columns);
  const fold = FOLDED.has(t.name);
  await put(out, `<section class="table" id="${esc(id)}">${fold ? `<details><summary>${esc(t.title)} (table)</summary>` : `<h3>${esc(t.title)}</h3>`}<table><thead><tr>${t.columns.map((c) => `<th${NUMERIC.has(c.type) ? ' class="n"' : ''}>${esc(c.title)}</th>`).join('')}</tr></thead><tbody>\n`);
  let n = 0;
  let buf = '';
  for (const row of t.rows) {
    buf += `<tr>${t.columns.map((c, i) => `<td${NUMERIC.has(c.type) ? ' class="n"' : ''}>${esc(cellText(c, row[i] ?? null, row, cur[i]!))}</td>`).join('')}</tr>\n`;
    n++;
    if (buf.length > 64 * 1024) {
      await put(out, buf);
      buf = '';
    }
  }
  if (n === 0) buf += `<tr><td colspan="${t.columns.length}" class="empty">Nothing in this table for these filters.</td></tr>`;
  await put(out, `${buf}</tbody></table>${fold ? '</details>' : ''}</section>\n`);
  return n;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#212529}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.meta{color:#495057;font-size:13px}.meta dt{font-weight:600;display:inline}.meta dd{display:inline;margin:0 16px 0 4px}
.demo{background:#fff3bf;border:1px solid #fab005;padding:8px 12px;border-radius:4px;margin:12px 0}
table{border-collapse:collapse;font-size:12px;width:100%;margin-bottom:8px}th,td{border-bottom:1px solid #e9ecef;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f8f9fa}.n{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#868e96;text-align:center}
figure{margin:8px 0 4px}figcaption{font-weight:600;font-size:14px;margin-bottom:4px}figure svg{max-width:100%;height:auto}summary{font-weight:600;font-size:14px;cursor:pointer;margin:8px 0}
dl.defs dt{font-weight:600;margin-top:6px}dl.defs dd{margin:0 0 0 12px}
@media print{h2{page-break-after:avoid}figure,section.table{page-break-inside:avoid}}
`;

/** Writes the report; returns the data rows of its tables. */
export async function writeHtmlReport(doc: ExportDoc, report: PerformanceReport | null, out: Writable): Promise<number> {
  const ws = doc.workspace;
  const title = report ? `Recovery performance — ${ws.name}` : `${doc.tables.map((t) => t.title).join(', ')} — ${ws.name}`;
  const generated = new Date(doc.generatedAtMs).toISOString().replace('T', ' ').slice(0, 16);
  const filters = Object.entries(doc.filters);
  await put(
    out,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="generator" content="Reclaim">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<header><h1>${esc(title)}</h1>
<dl class="meta"><dt>Workspace</dt><dd id="ws-name">${esc(ws.name)}</dd><dt>Mode</dt><dd id="ws-mode">${esc(ws.kind === 'demo' ? `demo (${ws.mode})` : ws.mode)}</dd><dt>Currency</dt><dd>${esc(ws.currency.toUpperCase())}</dd><dt>Generated</dt><dd id="generated">${esc(generated)} UTC</dd></dl>
<dl class="meta" id="filters">${filters.length ? filters.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('') : '<dt>Filters</dt><dd>none</dd>'}</dl>
${report?.simulated || ws.kind === 'demo' ? `<p class="demo" id="simulated">Simulated outcomes: this is a demo workspace. Payments and recoveries come from the local Stripe server's customer-response model, not from real customers.</p>` : ''}
</header>
`,
  );
  let n = 0;
  if (report) {
    const charts = reportCharts(report);
    const under: Record<string, string[]> = { 'chart-curves': ['Curves'], 'chart-rate': ['By segment', 'Baseline'], 'chart-weekly': ['Weekly'], 'chart-heatmap': ['Cohort heatmap'] };
    const byName = new Map(doc.tables.map((t) => [t.name, t]));
    const shown = new Set<string>();
    await put(out, '<h2>Charts</h2>\n');
    for (const c of charts) {
      await put(out, `<figure id="${c.id}"><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>\n`);
      for (const name of under[c.id] ?? []) {
        const t = byName.get(name);
        if (!t) continue;
        n += await writeTable(t, out, `table-${name.toLowerCase().replace(/\s+/g, '-')}`);
        shown.add(name);
      }
    }
    await put(out, '<h2>Tables</h2>\n');
    for (const t of doc.tables) if (!shown.has(t.name) && t.name !== 'Definitions') n += await writeTable(t, out, `table-${t.name.toLowerCase().replace(/\s+/g, '-')}`);
    await put(out, `<h2 id="definitions">What each figure counts</h2>\n<dl class="defs">${report.definitions.map((d) => `<dt>${esc(d.term)}</dt><dd>${esc(d.text)}</dd>`).join('\n')}</dl>\n`);
    await put(out, `<script type="application/json" id="${REPORT_JSON_ID}">${scriptJson(report)}</script>\n`);
  } else {
    for (const t of doc.tables) n += await writeTable(t, out, `table-${t.name.toLowerCase().replace(/\s+/g, '-')}`);
  }
  await put(out, '</body></html>\n');
  return n;
}
