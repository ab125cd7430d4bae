import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceReport } from '../../shared/performance';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The self-contained HTML performance report (#19) opened in Chromium with
 * every network request refused: it must make none, draw its four charts
 * (inline SVG with paths) and carry the report as JSON that validates.
 */
test('the HTML report opens offline: zero network requests, charts drawn, the embedded report validates', async ({ page }, info) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-report-'));
  const file = path.join(dir, 'report.html');
  // The hand-worked dataset of test/performance/fixture.ts, exported through exports.create.
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/exports/seed-workspace.ts'), dir, file], { cwd: ROOT, encoding: 'utf8' });
  expect(seeded.stderr).toBe('');
  expect(fs.existsSync(file)).toBe(true);

  const network: string[] = [];
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url === `file://${file}`) return route.continue();
    network.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    if (r.url() !== `file://${file}`) network.push(r.url());
  });
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });

  await page.goto(`file://${file}`);
  await expect(page.locator('h1')).toContainText('Recovery performance — Acme & <Co>');
  await expect(page.locator('#ws-mode')).toHaveText('test');
  await expect(page.locator('#filters')).toContainText('2026-09-01');

  for (const id of ['chart-curves', 'chart-rate', 'chart-weekly', 'chart-heatmap']) {
    const svg = page.locator(`#${id} svg`);
    await expect(svg).toBeVisible();
    // Drawn marks, not just an empty frame: more paths than the axes alone.
    expect(await svg.locator('path').count(), id).toBeGreaterThan(5);
  }
  // The rate chart's bars and the curves' series carry the segment labels.
  await expect(page.locator('#chart-rate svg')).toContainText('Enterprise');
  await expect(page.locator('#definitions')).toBeVisible();

  const json = await page.locator('script#reclaim-report').textContent();
  const parsed = PerformanceReport.safeParse(JSON.parse(json ?? 'null'));
  expect(parsed.success).toBe(true);
  expect(parsed.data!.workspace.name).toBe('Acme & <Co>');

  const shot = info.outputPath('html-report.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(fs.statSync(shot).size).toBeGreaterThan(20_000);

  expect(network).toEqual([]);
  expect(cspViolations).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});
