import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * Offline review (#19) in the console shell: a report exported from the Exports page, or a copy of
 * the workspace database, opened for review shows the same figures as the live Performance page,
 * under the read-only banner, with nothing on screen that runs, syncs or sends.
 * Every wait is on visible state.
 */

const CARDS = ['card-rate', 'card-rate-amount', 'card-recovered', 'card-at-risk', 'card-net'] as const;

async function headline(page: Page): Promise<Record<string, string>> {
  await expect(page.getByTestId('card-rate-value')).toBeVisible({ timeout: 60_000 });
  const out: Record<string, string> = {};
  for (const c of CARDS) out[c] = (await page.getByTestId(`${c}-value`).innerText()).trim();
  out.segments = (await page.getByTestId('table-segment').locator('tbody').innerText()).trim();
  return out;
}

async function livePerformance(page: Page, url: string): Promise<Record<string, string>> {
  await page.goto(url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.getByRole('menuitem', { name: /Performance/ }).click();
  await expect(page.getByTestId('section-title')).toHaveText('Performance');
  return headline(page);
}

async function expectNothingRunnable(page: Page) {
  await expect(page.getByTestId('review-banner')).toBeVisible();
  await expect(page.getByTestId('section-title')).toHaveText('Review (read-only)');
  // No run, sync or send control anywhere while reviewing; the navigation is disabled.
  await expect(page.getByRole('button', { name: /run|sync|send/i })).toHaveCount(0);
  await expect(page.getByText(/Demo data · generated/)).toHaveCount(0);
  await expect(page.getByRole('menuitem', { name: /Runs/ })).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Alt+5');
  await expect(page.getByTestId('review')).toBeVisible();
}

test('review: an HTML report downloaded from the Exports page opens for review with the same figures and the read-only banner', async ({ page, demo }) => {
  test.setTimeout(240_000);
  const live = await livePerformance(page, demo.url);

  // Exports: a performance report as an HTML file (the defaults), downloaded through the browser.
  await page.getByRole('menuitem', { name: /Exports/ }).click();
  await expect(page.getByTestId('export-command')).toContainText("reclaim -w Demo export --what performance --format html --out demo-performance.html");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-review-e2e-'));
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  const download = await downloading;
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  expect(file).toMatch(/\.html$/);
  expect(fs.readFileSync(file, 'utf8')).toContain('id="reclaim-report"');
  await expect(page.getByTestId('export-done')).toContainText(download.suggestedFilename());

  // Open it for review: the same figures, under the banner naming the file and its generation time.
  await page.getByTestId('review-file').setInputFiles(file);
  await expect(page.getByTestId('review-banner')).toContainText(
    new RegExp(`Review mode — read-only: ${download.suggestedFilename().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, generated \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC`),
  );
  expect(await headline(page)).toEqual(live);
  await expectNothingRunnable(page);

  await page.getByTestId('review-close').click();
  await expect(page.getByTestId('review-banner')).toHaveCount(0);
  await expect(page.getByTestId('exports')).toBeVisible();
});

test('review: a copy of the workspace database opened by path shows the same figures, read-only, and the copy is unchanged', async ({ page, demo }) => {
  test.setTimeout(240_000);
  const live = await livePerformance(page, demo.url);

  // A consistent copy of the workspace file (SQLite's backup), as a user would keep one.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-review-e2e-'));
  const wsDir = path.join(demo.dataDir, 'workspaces');
  const file = fs.readdirSync(wsDir).find((f) => f.endsWith('.sqlite'))!;
  const copy = path.join(dir, 'demo-copy.sqlite');
  const src = new Database(path.join(wsDir, file), { readonly: true });
  await src.backup(copy);
  src.close();
  const hash = () => crypto.createHash('sha256').update(fs.readFileSync(copy)).digest('hex');
  const before = hash();

  await page.getByRole('menuitem', { name: /Exports/ }).click();
  // Outside review the header has the workspace's sync state and switcher.
  await expect(page.getByText(/Demo data · generated/)).toBeVisible();
  await page.getByTestId('review-path').fill(copy);
  await page.getByTestId('review-open-path').click();
  await expect(page.getByTestId('review-banner')).toContainText('Review mode — read-only: demo-copy.sqlite');
  await expect(page.getByTestId('simulated-banner')).toHaveCount(1);
  expect(await headline(page)).toEqual(live);
  await expectNothingRunnable(page);

  await page.getByTestId('review-close').click();
  await expect(page.getByTestId('review-banner')).toHaveCount(0);
  await expect(page.getByTestId('section-title')).not.toHaveText('Review (read-only)');
  expect(hash()).toBe(before);
});

test('review: a truncated report says so in one line and nothing opens', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.getByRole('menuitem', { name: /Exports/ }).click();
  await page.getByTestId('review-file').setInputFiles({ name: 'performance.json', mimeType: 'application/json', buffer: Buffer.from('{"workspace":{"name":"Demo"') });
  await expect(page.getByTestId('review-open-error')).toHaveText('performance.json is not a complete report: its data ends early or is damaged. Export the report again.');
  await expect(page.getByTestId('review-banner')).toHaveCount(0);
  // A database picked as a file is pointed to the path field (the browser cannot pass its path).
  await page.getByTestId('review-file').setInputFiles({ name: 'demo.sqlite', mimeType: 'application/octet-stream', buffer: Buffer.from('SQLite format 3\u0000') });
  await expect(page.getByTestId('review-open-error')).toHaveText('demo.sqlite is a workspace database: type its path below instead (a copy is opened in place, read-only).');
  await expect(page.getByTestId('review-banner')).toHaveCount(0);
});
