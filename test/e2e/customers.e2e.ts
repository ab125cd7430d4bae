import { expect, test } from './fixtures';

// Each test builds a demo workspace through the real sync; on a loaded machine that alone can take a minute.
test.describe.configure({ timeout: 180_000 });

/** #22: the Customers table reads the page after a loaded one by its cursor, and still reaches the last customer. */
test('scrolling the Customers table to the end reads the second page by cursor and shows the last customer', async ({ page, demo }) => {
  const lists: Record<string, unknown>[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/customers.list')) lists.push(JSON.parse(r.postData() ?? '{}') as Record<string, unknown>);
  });
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  const table = page.getByRole('grid', { name: 'Customers' });
  // The row count arrives with the first page: wait for it rather than read it once.
  await expect.poll(async () => Number(await table.getAttribute('aria-rowcount')), { timeout: 30_000 }).toBeGreaterThan(200);
  const count = Number(await table.getAttribute('aria-rowcount'));
  // The last customer by amount at risk, as the CLI's --offset reads it.
  const cli = await demo.cli(['--json', 'customers', '--offset', String(count - 1), '--limit', '1']);
  const last = (JSON.parse(cli.out) as { rows: { customer_id: string }[] }).rows[0]!.customer_id;

  await page.locator(`[aria-rowindex="1"][data-testid^="customer-row-"]`).waitFor();
  await table.locator('div[style*="overflow: auto"]').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.locator(`[aria-rowindex="${count}"]`)).toHaveAttribute('data-testid', `customer-row-${last}`);
  expect(lists.some((l) => typeof l.after === 'string' && l.offset === undefined)).toBe(true);
});
