import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerformanceReport } from '../../shared/performance';
import { runReclaim } from '../helpers/cli';
import { tempDir } from '../helpers/core';
import { NOW_SEC } from '../performance/fixture';
import { call, clockedCore } from '../whiteglove/engine-helpers';
import { seedReportWorkspace } from './seed-workspace';

// The performance report exported (#19) from the hand-worked dataset of
// test/performance/fixture.ts, through exports.create and the real `reclaim export`.
let dataDir: string;
let workspaceId: string;
const range = { from: '2026-09-01', to: '2026-11-30' };

beforeAll(async () => {
  dataDir = tempDir();
  workspaceId = await seedReportWorkspace(dataDir);
});

describe('performance export through exports.create', () => {
  let c: ReturnType<typeof clockedCore>['core'];
  beforeAll(() => {
    c = clockedCore(NOW_SEC, dataDir).core;
  });
  afterAll(async () => c?.close());
  const exp = (format: 'csv' | 'xlsx' | 'html' | 'json', extra: { segment?: string; windowDays?: number } = {}) => call(c, 'exports.create', { workspaceId, what: 'performance', format, ...range, ...extra });

  it('XLSX: one sheet per cut plus baseline, curves, weeks, heatmap and definitions; typed rate and money cells', async () => {
    const x = await exp('xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.content, 'base64') as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Totals', 'By segment', 'By variant', 'By failure month', 'By decline', 'By last channel', 'Baseline', 'Curves', 'Weekly', 'Cohort heatmap', 'Definitions']);
    const seg = wb.getWorksheet('By segment')!;
    const header = (seg.getRow(1).values as unknown[]).slice(1);
    const rows = Array.from({ length: seg.rowCount - 1 }, (_, i) => seg.getRow(i + 2));
    const ent = rows.find((r) => r.getCell(header.indexOf('Segment') + 1).value === 'Enterprise')!;
    const rate = ent.getCell(header.indexOf('Recovery rate') + 1);
    expect(typeof rate.value).toBe('number');
    expect(rate.numFmt).toBe('0.0%');
    const amount = ent.getCell(header.indexOf('Amount recovered') + 1);
    expect(typeof amount.value).toBe('number');
    expect(amount.numFmt).toBe('"$"#,##0.00');
    const report = JSON.parse((await exp('json')).content) as PerformanceReport;
    const g = report.bySegment.find((s) => s.key === 'Enterprise')!;
    expect(rate.value).toBeCloseTo(g.rate!, 6);
    expect(amount.value).toBeCloseTo(g.amountRecovered / 100, 6);
    const weekly = wb.getWorksheet('Weekly')!;
    expect(weekly.getRow(2).getCell(1).value).toBeInstanceOf(Date);
  });

  it('CSV: every cut in one RFC 4180 table with a cut column; money in major units with its currency', async () => {
    const x = await exp('csv');
    const recs = parseCsv(x.content, { columns: true }) as Record<string, string>[];
    expect(new Set(recs.map((r) => r.cut))).toEqual(new Set(['total', 'segment', 'variant', 'failure month', 'decline', 'last channel before recovery', 'baseline']));
    const report = JSON.parse((await exp('json')).content) as PerformanceReport;
    const total = recs.find((r) => r.cut === 'total')!;
    expect(Number(total.invoices)).toBe(report.totals.invoices);
    expect(Number(total.amount_recovered)).toBeCloseTo(report.totals.amountRecovered / 100, 6);
    expect(total.currency).toBe('USD');
  });

  it('HTML: a strict CSP, no external reference, charts as SVG, the report embedded as JSON that validates', async () => {
    const x = await exp('html');
    const html = x.content;
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;`);
    expect(html).not.toMatch(/\s(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html.match(/<svg /g)?.length).toBe(4);
    expect(html).toContain('Acme &#38; &#60;Co&#62;');
    const json = /<script type="application\/json" id="reclaim-report">([^<]*)<\/script>/.exec(html)![1]!;
    const report = PerformanceReport.parse(JSON.parse(json));
    expect(report.workspace.name).toBe('Acme & <Co>');
    expect(report.filters).toMatchObject({ ...range, windowDays: 30 });
    for (const d of report.definitions) expect(html).toContain(d.term.replace(/&/g, '&#38;').replace(/</g, '&#60;'));
  });

  it('one segment, and a segment the data does not have names the ones it has', async () => {
    const x = await exp('json', { segment: 'Starter', windowDays: 60 });
    const r = JSON.parse(x.content) as PerformanceReport;
    expect(r.filters.segments).toEqual(['Starter']);
    expect(r.filters.windowDays).toBe(60);
    expect(x.fileName).toMatch(/^reclaim-performance-starter-/);
    await expect(exp('csv', { segment: 'Gold' })).rejects.toThrow(/There is no segment "Gold" in the performance data\. Segments: .*Enterprise.*Starter/);
  });
});

describe('reclaim export (the real command on the same data folder)', () => {
  it('writes an HTML report and an XLSX atomically, 0600, and says how many rows', async () => {
    for (const format of ['html', 'xlsx']) {
      const out = path.join(dataDir, `perf.${format}`);
      const r = await runReclaim(dataDir, ['export', '--what', 'performance', '--out', out, '--from', range.from, '--to', range.to, '--window', '30']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Wrote .*perf\\.${format}: \\d+ rows \\(performance, ${format}\\)`));
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
    const html = fs.readFileSync(path.join(dataDir, 'perf.html'), 'utf8');
    expect(PerformanceReport.safeParse(JSON.parse(/id="reclaim-report">([^<]*)</.exec(html)![1]!)).success).toBe(true);
    const audit = await runReclaim(dataDir, ['export', '--what', 'audit', '--format', 'csv', '--out', path.join(dataDir, 'audit.csv')]);
    expect(audit.code).toBe(0);
    expect(fs.readFileSync(path.join(dataDir, 'audit.csv'), 'utf8').split('\r\n')[0]).toBe('id,at,actor,kind,run_id,customer_id,invoice_id,message,data');
  });

  it('refuses bad input in one line, and leaves an existing file untouched when the export fails', async () => {
    const keep = path.join(dataDir, 'keep.csv');
    fs.writeFileSync(keep, 'old\n');
    const cases: [string[], RegExp][] = [
      [['export', '--what', 'members', '--format', 'csv'], /^reclaim: --out is missing: the file to write/],
      [['export', '--what', 'people', '--out', keep], /^reclaim: --what must be one of performance, segments, members, plans, runs, audit, got "people"/],
      [['export', '--what', 'audit', '--out', keep, '--from', '2026-13-01'], /^reclaim: --from must be a date as YYYY-MM-DD, got "2026-13-01"/],
      [['export', '--what', 'members', '--out', keep, '--segment', 'Gold'], /^reclaim: There is no segment "Gold"\. Segments: /],
      [['export', '--what', 'audit', '--out', path.join(dataDir, 'no-such-dir', 'a.csv')], /^reclaim: Cannot write ".*a\.csv": its folder does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await runReclaim(dataDir, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
    expect(fs.readFileSync(keep, 'utf8')).toBe('old\n');
  });
});
