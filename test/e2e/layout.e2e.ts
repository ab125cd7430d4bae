import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Every section fits a 1024 px window (and a 1440 px one) with no pane scrolling sideways: a wide
// table may scroll inside itself, but nothing is cut at the right edge of the content pane (#21).
test.describe.configure({ timeout: 300_000 });

const SECTIONS = ['Customers', 'Segments', 'Strategies', 'Experiments', 'Runs', 'Performance', 'Exports', 'Workspaces', 'White-glove queue'];

/** Elements that stick out of the content pane or the header, ignoring those inside their own horizontal scroller. */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const describe = (el: Element) => {
      const id = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''}${id ? `[${id}]` : ''} "${text}"`;
    };
    for (const pane of [document.querySelector('.ant-layout-content'), document.querySelector('.ant-layout-header')]) {
      if (!pane) continue;
      if (pane.scrollWidth > pane.clientWidth + 1) found.push(`${pane.className.split(' ')[0]} scrolls sideways (${pane.scrollWidth} > ${pane.clientWidth})`);
      const right = pane.getBoundingClientRect().right;
      for (const el of Array.from(pane.querySelectorAll('*'))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= right + 1) continue;
        // Inside a container that scrolls (or clips) horizontally on its own: fine as long as that container fits.
        let inner = false;
        for (let a = el.parentElement; a && a !== pane; a = a.parentElement) {
          const ox = getComputedStyle(a).overflowX;
          if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') {
            inner = true;
            break;
          }
        }
        if (!inner) found.push(describe(el));
      }
    }
    return found.slice(0, 8);
  });
}

for (const width of [1024, 1440]) {
  test(`every section fits a ${width} px window`, async ({ page, demo }) => {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(demo.url);
    await expect(page.getByTestId('customer-count')).toHaveText(/^[\d,]+ customers$/);
    for (const [i, label] of SECTIONS.entries()) {
      await page.keyboard.press(`Alt+${i + 1}`);
      await expect(page.getByTestId('section-title')).toHaveText(label);
      // Wait for the section's data: no spinner left in the pane.
      await expect(page.locator('.ant-layout-content .ant-spin-spinning')).toHaveCount(0, { timeout: 30_000 });
      await page.screenshot({ path: `test-results/layout-${width}-${label.replace(/\W+/g, '-').toLowerCase()}.png` });
      expect.soft(await overflow(page), `${label} at ${width} px`).toEqual([]);
    }
    // The dry-run plan: totals by segment and channel, skip reasons and the plan's rows and filters.
    await page.keyboard.press('Alt+5');
    await page.getByRole('button', { name: 'Dry-run plan' }).click();
    await expect(page.getByTestId('plan-invoices')).toHaveText(/^Invoices[1-9]\d*$/, { timeout: 60_000 });
    await page.screenshot({ path: `test-results/layout-${width}-plan.png` });
    expect.soft(await overflow(page), `the plan at ${width} px`).toEqual([]);
    // Totals by segment show every column, Cost included, without scrolling.
    const bySegment = page.getByTestId('plan-by-segment').locator('.ant-table-content');
    expect.soft(await bySegment.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), `plan totals by segment clipped at ${width} px`).toBe(true);
  });
}

test('the key-storage note is shown once, where keys are entered, not on every page', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toHaveText(/^[\d,]+ customers$/);
  await expect(page.getByTestId('secrets-note')).toHaveCount(0);
  await page.keyboard.press('Alt+8');
  await expect(page.getByTestId('section-title')).toHaveText('Workspaces');
  await expect(page.getByTestId('secrets-note')).toHaveCount(1);
  await expect(page.getByTestId('secrets-note')).toContainText('master.key');
});
