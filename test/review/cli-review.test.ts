import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReclaim } from '../helpers/cli';
import { tempDir } from '../helpers/core';
import { syncedFactsDb } from '../helpers/synced-db';
import crypto from 'node:crypto';
import { htmlReport, sampleReport } from './report-fixture';

describe('reclaim review FILE', () => {
  it('prints the headline figures per segment of an HTML report, read-only, with no Stripe key', async () => {
    const dir = tempDir('reclaim-cli-review-');
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, htmlReport(sampleReport('Acme')));
    const r = await runReclaim(path.join(dir, 'data'), ['review', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Review mode — read-only: report.html (report generated 2026-12-01 09:30Z)');
    expect(r.out).toContain('Workspace "Acme" (test mode) — DEMO: outcomes are simulated');
    expect(r.out).toContain('First failures 2026-09-01 to 2026-11-30; recovered = paid in full within 30 days');
    const line = (label: string) => r.out.split('\n').find((l) => l.startsWith(label))?.split(/\s{2,}/);
    expect(line('All')).toEqual(['All', '40', '22', '55.0%', '$4,300.00', '$3,700.00', '3.0', '$4,300.00']);
    expect(line('Enterprise')).toEqual(['Enterprise', '10', '8', '80.0%', '$4,000.00', '$1,000.00', '3.0', '$4,000.00']);
    expect(line('Starter')?.slice(0, 4)).toEqual(['Starter', '30', '14', '46.7%']);

    const json = await runReclaim(path.join(dir, 'data'), ['review', file, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(sampleReport('Acme'));
  });

  it('recomputes the figures of a workspace database copy and leaves its bytes unchanged', async () => {
    const { sim, db } = await syncedFactsDb({ seed: 21, customers: 30 });
    const dir = tempDir('reclaim-cli-review-');
    const copy = path.join(dir, 'acme-copy.sqlite');
    await db.backup(copy);
    db.close();
    await sim.close();
    const hash = () => crypto.createHash('sha256').update(fs.readFileSync(copy)).digest('hex');
    const before = hash();
    const r = await runReclaim(path.join(dir, 'data'), ['review', copy, '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { workspace: { name: string }; totals: { invoices: number }; filters: { windowDays: number } };
    expect(report.workspace.name).toBe('acme-copy');
    expect(report.filters.windowDays).toBe(30);
    const text = await runReclaim(path.join(dir, 'data'), ['review', copy]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Review mode — read-only: acme-copy.sqlite (workspace database copy)');
    expect(text.out.split('\n').find((l) => l.startsWith('All'))?.split(/\s{2,}/)[1]).toBe(String(report.totals.invoices));
    expect(hash()).toBe(before);
  });

  it('says in one line why a file cannot be reviewed (exit 2)', async () => {
    const dir = tempDir('reclaim-cli-review-');
    const file = path.join(dir, 'performance.json');
    fs.writeFileSync(file, JSON.stringify(sampleReport()).slice(0, 500));
    const r = await runReclaim(path.join(dir, 'data'), ['review', file]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim()).toBe('reclaim: performance.json is not a complete report: its data ends early or is damaged. Export the report again.');
    const bad = await runReclaim(path.join(dir, 'data'), ['review', file, '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('reclaim: --format is text or json, not "xml"');
  });
});
