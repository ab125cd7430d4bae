import { parse as parseCsv } from 'csv-parse/sync';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../main/bridge/server';
import type { Core } from '../../main/core/api';
import { CUSTOMER_ROW_NON_FACTS } from '../../shared/contract';
import { tempDir, testCore } from '../helpers/core';

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
let dir: string;

function reclaim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function ok(args: string[]): string {
  const r = reclaim(args);
  if (r.code !== 0) throw new Error(`reclaim ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}
const ndjson = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { customer_id: string; attrs: Record<string, unknown> });

/** Keys of a customer row that are neither a catalog field nor a listed non-fact; attrs keys must be `attrs.<key>` fields. */
function unknownKeys(row: Record<string, unknown>, fieldNames: Set<string>): string[] {
  const bad = Object.keys(row).filter((k) => !fieldNames.has(k) && !(CUSTOMER_ROW_NON_FACTS as readonly string[]).includes(k));
  const attrs = (row.attrs ?? {}) as Record<string, unknown>;
  return [...bad, ...Object.keys(attrs).filter((k) => !fieldNames.has(`attrs.${k}`)).map((k) => `attrs.${k}`)];
}

beforeAll(() => {
  dir = tempDir();
  const r = reclaim(['demo', '--customers', '300', '--seed', '11']);
  expect(r.code, r.err).toBe(0);
});

describe('one name per fact: machine output uses the rule builder’s field names', () => {
  let fields: Set<string>;
  let core: Core;
  let bridge: Bridge;
  let workspaceId: string;
  const api = async (method: string, input: unknown) => {
    const res = await fetch(`${bridge.origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bridge.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { ok: boolean; value: never };
    expect(body.ok, method).toBe(true);
    return body.value;
  };

  beforeAll(async () => {
    fields = new Set((JSON.parse(ok(['--json', 'fields'])) as { name: string }[]).map((f) => f.name));
    core = testCore({ dataDir: dir });
    bridge = await startBridge({ core, staticDir: tempDir() });
    workspaceId = core.registry.list()[0]!.id;
  });
  afterAll(async () => {
    await bridge?.close();
    await core?.close();
  });

  it('reclaim customers --json: every row key is a field `reclaim fields` lists (or attrs/segment)', () => {
    const { rows } = JSON.parse(ok(['--json', 'customers', '--limit', '500'])) as { rows: Record<string, unknown>[] };
    expect(rows).toHaveLength(300);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['customer_id', 'tenure_days', 'failures_12m', 'amount_at_risk', 'last_decline_code']));
    for (const row of rows) expect(unknownKeys(row, fields)).toEqual([]);
    // The demo's metadata attributes are present, under the name rules use.
    expect(rows.some((r) => Object.keys(r.attrs as object).length > 0)).toBe(true);
  });

  it('a rule written from what customers --json shows is accepted and matches that customer', () => {
    const { rows } = JSON.parse(ok(['--json', 'customers', '--limit', '1'])) as { rows: Record<string, number | string>[] };
    const row = rows[0]!;
    const rule = {
      combinator: 'and',
      rules: ['tenure_days', 'failures_12m', 'amount_at_risk'].map((field) => ({ field, operator: '=', value: row[field] })),
    };
    const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, '--json', 'evaluate', '--rule', '-'], { encoding: 'utf8', input: JSON.stringify(rule) });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { ids: string[] }).ids).toContain(row.customer_id);
  });

  it('the bridge (browser console and contract): customers.list, customers.get, preview samples and membership', async () => {
    const list = (await api('customers.list', { workspaceId, limit: 50 })) as { rows: Record<string, unknown>[] };
    for (const row of list.rows) expect(unknownKeys(row, fields)).toEqual([]);
    const id = list.rows[0]!.customer_id as string;
    const detail = (await api('customers.get', { workspaceId, customerId: id })) as { facts: Record<string, unknown> };
    expect(unknownKeys(detail.facts, fields)).toEqual([]);
    const preview = (await api('segments.preview', { workspaceId, rule: { combinator: 'and', rules: [] } })) as { sample: Record<string, unknown>[] };
    expect(preview.sample.length).toBeGreaterThan(0);
    for (const row of preview.sample) expect(unknownKeys(row, fields)).toEqual([]);
    const membership = (await api('segments.membership', { workspaceId, customerId: id })) as Record<string, unknown>;
    expect(membership.customer_id).toBe(id);
  });

  it('reclaim customers --all (NDJSON and the CSV header) use the same names', () => {
    for (const row of ndjson(ok(['customers', '--all']))) expect(unknownKeys(row, fields)).toEqual([]);
    const header = ok(['customers', '--all', '--format', 'csv']).split('\n')[0]!.split(',');
    expect(header.filter((h) => !fields.has(h) && h !== 'segment')).toEqual([]);
  });
});

describe('reclaim customers --all: every row, streamed, for scripts', () => {
  it('NDJSON: one customer per line, each exactly once, in the requested order, same rows as paging', () => {
    const rows = ndjson(ok(['customers', '--all', '--sort', 'mrr', '--asc']));
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.customer_id)).size).toBe(300);
    const mrr = rows.map((r) => r.mrr as number);
    expect(mrr).toEqual([...mrr].sort((a, b) => a - b));
    const paged = [0, 100, 200].flatMap(
      (offset) => (JSON.parse(ok(['--json', 'customers', '--limit', '100', '--offset', String(offset), '--sort', 'mrr', '--asc'])) as { rows: unknown[] }).rows,
    );
    expect(rows).toEqual(paged);
  });

  it('CSV: a header of field names and one parsable record per customer, with the winning segment and attributes', () => {
    const records = parseCsv(ok(['customers', '--all', '--format', 'csv']), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(300);
    const all = ndjson(ok(['customers', '--all']));
    const byId = new Map(all.map((r) => [r.customer_id, r]));
    for (const rec of records.slice(0, 50)) {
      const row = byId.get(rec.customer_id!)!;
      expect(Number(rec.mrr)).toBe(row.mrr);
      expect(rec.email).toBe(row.email ?? '');
      expect(rec.segment).toBe((row.segment as { name: string } | null)?.name ?? '');
      for (const [k, v] of Object.entries(row.attrs)) expect(rec[`attrs.${k}`]).toBe(String(v));
    }
  });

  it('honours --search, and refuses a bad --format or --sort with exit 2', () => {
    const one = ndjson(ok(['customers', '--all']))[7]!;
    const hits = ndjson(ok(['customers', '--all', '--search', one.customer_id]));
    expect(hits.map((r) => r.customer_id)).toEqual([one.customer_id]);
    expect(reclaim(['customers', '--all', '--format', 'xml']).code).toBe(2);
    expect(reclaim(['customers', '--all', '--sort', 'amountAtRisk']).code).toBe(2);
  });

  it('a page larger than 500 rows says the limit and how to get more, in words', () => {
    const r = reclaim(['customers', '--limit', '5000']);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('reclaim: --limit is 1 to 500 rows a page: use --offset N for the next page, or --all for every customer');
  });

  it('stops quietly when the reader goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dir, 'customers', '--all'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(JSON.parse(first.split('\n')[0]!)).toHaveProperty('customer_id');
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
