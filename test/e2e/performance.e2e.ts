import type { Locator, Page } from '@playwright/test';
import type { PerformanceGroup, PerformanceReport } from '../../shared/performance';
import { formatMoney } from '../../shared/money';
import { expect, test } from './fixtures';

/**
 * The Performance page (#19) on the demo workspace after a recovery run (real CLI, same data
 * folder), in the console shell: charts drawn, tables that show what `performance.report` answers
 * (asked in the same test over the console's HTTP API), filters in the address that survive a
 * reload, and reachable by Tab. Every wait is on visible state.
 */

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** `performance.report` asked as the page asks it: the console's API with this tab's token. */
async function askReport(page: Page, filters: { windowDays?: number; segments?: string[]; variants?: string[] }): Promise<PerformanceReport> {
  return page.evaluate(async (f) => {
    const token = sessionStorage.getItem('reclaim.console.token') ?? '';
    const call = async (method: string, input: unknown) => {
      const res = await fetch(`/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
      const env = (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
      if (!env.ok) throw new Error(env.error?.message);
      return env.value;
    };
    const [ws] = (await call('workspaces.list', {})) as { id: string }[];
    return (await call('performance.report', { workspaceId: ws!.id, ...f })) as PerformanceReport;
  }, filters);
}

/** Pixels a chart's canvas has painted in colour (series are coloured; axes and labels are grey). */
async function colouredPixels(chart: Locator): Promise<number> {
  // echarts may paint a series on a layer of its own (a second canvas): count them all.
  return chart.evaluate((div) => {
    let n = 0;
    for (const c of Array.from(div.querySelectorAll('canvas'))) {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 200 && Math.max(d[i]!, d[i + 1]!, d[i + 2]!) - Math.min(d[i]!, d[i + 1]!, d[i + 2]!) > 60) n++;
    }
    return n;
  });
}

/** The segment table agrees with the report: one row per group with its count, recovered and rate. */
async function expectGroupRows(page: Page, testId: string, groups: PerformanceGroup[]) {
  const table = page.getByTestId(testId);
  await expect(table.locator('tbody tr.ant-table-row')).toHaveCount(groups.length);
  for (const g of groups) {
    const cells = table.getByTestId(`${testId}-row-${g.key}`).locator('td');
    await expect(cells.nth(0)).toHaveText(g.label);
    await expect(cells.nth(1)).toHaveText(g.invoices.toLocaleString('en'));
    await expect(cells.nth(2)).toHaveText(g.recovered.toLocaleString('en'));
    await expect(cells.nth(3)).toHaveText(pct(g.rate));
  }
}

async function expectCards(page: Page, r: PerformanceReport) {
  const t = r.totals;
  const money = (v: number) => formatMoney(v, r.workspace.currency);
  await expect(page.getByTestId('card-rate-value')).toHaveText(pct(t.rate));
  await expect(page.getByTestId('card-rate-note')).toContainText(`${t.recovered} of ${t.invoices}`);
  await expect(page.getByTestId('card-rate-amount-value')).toHaveText(pct(t.rateByAmount));
  await expect(page.getByTestId('card-recovered-value')).toHaveText(money(t.amountRecovered));
  await expect(page.getByTestId('card-at-risk-value')).toHaveText(money(t.amountAtRisk));
  await expect(page.getByTestId('card-cost-value')).toHaveText(money(t.costVoice + t.costOffers));
  await expect(page.getByTestId('card-net-value')).toHaveText(money(t.net));
  await expect(page.getByTestId('card-without-action-value')).toHaveText(String(t.recoveredWithoutAction));
}

test('performance: after a run, charts are drawn and every table shows the report; filters live in the address, survive a reload and are reached by Tab', async ({ page, demo }) => {
  test.setTimeout(300_000);
  // A recovery run on every segment of the demo: the local Stripe server's customers answer some of its emails by paying.
  const started = await demo.cli(['--json', 'run', 'start', '--yes']);
  expect(started.code).toBe(0);
  expect((JSON.parse(started.out) as { recovered: { invoices: number } }).recovered.invoices).toBeGreaterThan(0);

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.keyboard.press('Alt+6');
  await expect(page.getByTestId('section-title')).toHaveText('Performance');
  await expect(page.getByTestId('simulated-banner')).toHaveText('Demo workspace: outcomes are simulated by the local Stripe server’s customer-response model.');
  await expect(page).toHaveURL(/#performance$/);

  // ── Default filters (30-day window): cards, charts and tables show the report ──
  const r30 = await askReport(page, {});
  expect(r30.totals.invoices).toBeGreaterThan(0);
  await expectCards(page, r30);
  await expectGroupRows(page, 'table-segment', r30.bySegment);
  await expectGroupRows(page, 'table-channel', r30.byChannel);
  await expectGroupRows(page, 'table-decline', r30.byDecline);
  await expectGroupRows(page, 'table-variant', r30.byVariant);
  await expectGroupRows(page, 'table-cohort', r30.byCohort);
  // The run's segments are in the report (not only the invoices no run worked on).
  expect(r30.bySegment.some((g) => g.key !== 'No run')).toBe(true);

  for (const [id, series] of [
    ['chart-curves', r30.curves.map((c) => c.label).join(',')],
    ['chart-rate', 'Recovery rate,95% interval'],
    ['chart-heatmap', 'Recovered by day'],
    ['chart-revenue', 'Recovered,Cost'],
    ['chart-cost', 'Recovered,Cost,Net'],
  ] as const) {
    const chart = page.getByTestId(id);
    await expect(chart).toHaveAttribute('data-series', series);
    await expect(chart).not.toHaveAttribute('data-points', '0');
    await expect.poll(() => colouredPixels(chart), { message: `${id} draws its series` }).toBeGreaterThan(300);
  }
  // Under each chart, its numbers: the curve per segment at the window's end, the heatmap per month, the weeks.
  for (const c of r30.curves) {
    const last = c.points.filter((p) => p.day <= 29).at(-1)?.recovered ?? null;
    await expect(page.getByTestId(`curve-row-${c.key}`).locator('td').last()).toHaveText(pct(last));
  }
  await expect(page.getByTestId('table-heatmap').locator('tbody tr.ant-table-row')).toHaveCount(new Set(r30.cohortHeatmap.map((c) => c.cohort)).size);
  const week = r30.overTime.find((p) => p.recovered > 0)!;
  await expect(page.getByTestId(`week-row-${week.start}`).locator('td').nth(2)).toHaveText(formatMoney(week.amountRecovered, r30.workspace.currency));
  for (const g of r30.bySegment) await expect(page.getByTestId(`cost-row-${g.key}`).locator('td').last()).toHaveText(formatMoney(g.net, r30.workspace.currency));
  if (r30.baseline) {
    await expect(page.getByTestId('baseline-label')).toContainText(r30.baseline.label);
    await expect(page.getByTestId('table-baseline').locator('tbody tr.ant-table-row')).toHaveCount(r30.baseline.comparisons.length);
  }

  // Every figure says what it counts: a card's popover and the definitions list, from the report.
  await page.getByRole('button', { name: 'What “Recovery rate” counts' }).click();
  await expect(page.getByTestId('card-rate-definition')).toContainText(r30.definitions.find((d) => d.term === 'Recovery rate')!.text);
  await page.keyboard.press('Escape');
  await page.getByText('What these numbers count').click();
  for (const d of r30.definitions) await expect(page.getByTestId('definitions').getByText(d.text, { exact: true })).toBeVisible();
  await page.screenshot({ path: 'test-results/performance-1440.png' });

  // ── A 90-day window: the address and the figures follow (payments made now count for October's failures) ──
  await page.getByTestId('filter-window').getByText('90 days').click();
  await expect(page).toHaveURL(/#performance\?window=90$/);
  const r90 = await askReport(page, { windowDays: 90 });
  expect(r90.totals.recovered).not.toBe(r30.totals.recovered);
  await expectCards(page, r90);
  await expectGroupRows(page, 'table-segment', r90.bySegment);

  // ── One segment: the run's segment with the most invoices ──
  const segment = r90.bySegment.filter((g) => g.key !== 'No run').sort((a, b) => b.invoices - a.invoices)[0]!;
  await page.getByLabel('Segments').click();
  await page.locator('.ant-select-dropdown:visible').getByTitle(segment.key, { exact: true }).click();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(new RegExp(`#performance\\?window=90&segment=${encodeURIComponent(segment.key).replace(/%20/g, '\\+')}$`));
  const rSeg = await askReport(page, { windowDays: 90, segments: [segment.key] });
  expect(rSeg.totals.invoices).toBe(segment.invoices);
  await expectCards(page, rSeg);
  await expectGroupRows(page, 'table-segment', rSeg.bySegment);

  // ── A reload (or the link shared) opens the same page with the same filters ──
  await page.reload();
  await expect(page.getByTestId('section-title')).toHaveText('Performance');
  await expect(page.getByTestId('filter-window').getByRole('radio', { name: '90 days' })).toBeChecked();
  await expect(page.getByTestId('filter-segments')).toContainText(segment.key);
  await expectCards(page, rSeg);
  await expectGroupRows(page, 'table-segment', rSeg.bySegment);

  // ── Keyboard: from the first filter, Tab reaches the to-date, the window, segments and variants in order ──
  await page.getByTestId('filter-from').focus();
  const reached: string[] = [];
  for (let i = 0; i < 20 && !reached.includes('Variants'); i++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      if (el.closest('[data-testid="filter-window"]')) return 'window';
      return el.getAttribute('aria-label') ?? el.closest('[aria-label]')?.getAttribute('aria-label') ?? el.tagName;
    });
    if (reached.at(-1) !== label) reached.push(label);
  }
  expect(reached.filter((l) => ['To date', 'window', 'Segments', 'Variants'].includes(l))).toEqual(['To date', 'window', 'Segments', 'Variants']);

  // ── The page at 1024 px: the pane does not scroll sideways ──
  await page.getByRole('button', { name: 'Reset filters' }).click();
  await expect(page).toHaveURL(/#performance$/);
  await expectCards(page, r30);
  await page.setViewportSize({ width: 1024, height: 800 });
  const pane = page.locator('.ant-layout-content');
  await expect.poll(() => pane.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  // The charts follow their card from two columns to one (no window-sized leftovers at the old width).
  for (const id of ['chart-curves', 'chart-rate', 'chart-heatmap', 'chart-revenue', 'chart-cost']) {
    const chart = page.getByTestId(id);
    await expect
      .poll(() => chart.evaluate((div) => Math.abs(div.querySelector('canvas')!.getBoundingClientRect().width - div.getBoundingClientRect().width)), { message: `${id} fills its card at 1024 px` })
      .toBeLessThanOrEqual(1);
  }
  await page.screenshot({ path: 'test-results/performance-1024.png' });
  await pane.evaluate((el) => el.scrollTo(0, 1200));
  await page.screenshot({ path: 'test-results/performance-1024-charts.png' });
});

test('performance: a date range with no failed payments says what to do', async ({ page, demo }) => {
  await page.goto(`${demo.url}#performance?from=2001-01-01&to=2001-01-31`);
  await expect(page.getByTestId('section-title')).toHaveText('Performance');
  await expect(page.getByTestId('performance-empty')).toContainText('No failed payments in this range');
  await expect(page.getByTestId('performance-empty')).toContainText('Widen the dates');
  await expect(page.getByTestId('filter-from')).toHaveValue('2001-01-01');
  // A start after the end is refused in words, and the page keeps what it showed.
  await page.getByTestId('filter-from').fill('2001-02-15');
  await expect(page.getByTestId('performance-error')).toContainText('after the end date');
  await expect(page.getByTestId('performance-empty')).toBeVisible();
});
