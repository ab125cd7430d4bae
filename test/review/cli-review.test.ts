import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReclaim } from '../helpers/cli';
import { tempDir } from '../helpers/core';
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
