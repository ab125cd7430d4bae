import { REQUIRED_PERMISSIONS } from '../../main/core/stripe/permissions';
import { randomTestKey, startStripeSim } from '../../main/stripe-sim';
import { expect, test } from './fixtures';

test('connect a restricted key: missing permissions are named, then a good key syncs with progress', async ({ page, server }) => {
  const sim = await startStripeSim({ seed: 17, customers: 400, rateLimit: null });
  try {
    const weak = randomTestKey();
    sim.addKey(weak, ['rak_customer_read', 'rak_event_read']);
    const good = randomTestKey();
    sim.addKey(good, REQUIRED_PERMISSIONS.map((p) => p.permission));

    await page.goto(server.url);
    await expect(page.getByTestId('section-title')).toHaveText('Customers');
    await page.keyboard.press('Alt+8');
    await page.getByText('Advanced').click();
    await page.getByLabel('Stripe API base').fill(sim.url);

    await page.getByLabel('Stripe restricted key').fill(weak);
    await page.getByRole('button', { name: 'Check and connect' }).click();
    const error = page.getByTestId('connect-error');
    await expect(error).toContainText('rak_charge_read');
    await expect(error).toContainText('rak_subscription_read');
    await expect(page.getByLabel('Stripe restricted key')).toHaveValue('');

    await page.getByLabel('Stripe restricted key').fill(good);
    await page.getByRole('button', { name: 'Check and connect' }).click();
    await expect(page.getByText(/Connected .* \(TEST\) — first sync started/)).toBeVisible();
    await expect(page.locator('header').getByTestId('mode-badge')).toHaveText('TEST');
    // The key is never shown again in full: only its last four.
    await expect(page.getByText(`rk_test_…${good.slice(-4)}`)).toBeVisible();
    await expect(page.locator('body')).not.toContainText(good);
    await expect(page.getByText(/Sync finished|Synced [\d,]+ objects/).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('sync-status')).toContainText('Last synced');

    await page.keyboard.press('Alt+1');
    await expect(page.getByTestId('customer-count')).toHaveText('400 customers');
    await page.screenshot({ path: 'test-results/connected-customers.png' });
  } finally {
    await sim.close();
  }
});
