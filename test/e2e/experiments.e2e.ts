import { expect, test } from './fixtures';

/**
 * Experiments on the demo workspace, in the console shell: create an
 * experiment with a preview before launch (SRM check shown), run it (real
 * CLI, same data folder), see per-arm results. Waits are on visible state.
 */
test('experiments: preview a draft, start it, run the segment, see results per arm', async ({ page, demo }) => {
  test.setTimeout(240_000);
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.getByRole('menuitem', { name: /Experiments/ }).click();
  await expect(page.getByTestId('section-title')).toHaveText('Experiments');

  await page.getByTestId('exp-name').fill('Starter e2e');
  await page.getByTestId('exp-segment').click();
  await page.locator('.ant-select-dropdown:visible').getByTitle('Starter', { exact: true }).click();
  await page.getByTestId('exp-preview').click();
  const draft = page.getByTestId('experiment-preview');
  await expect(draft.getByTestId('srm')).toContainText('Assigned counts match the planned split');
  await expect(draft.getByRole('cell', { name: 'control', exact: true })).toBeVisible();
  await expect(draft.getByTestId('arm-chart').locator('canvas')).toBeVisible();

  await page.getByTestId('exp-create').click();
  await expect(page.getByText('Experiment “Starter e2e” started')).toBeVisible();
  const listed = JSON.parse((await demo.cli(['--json', 'experiment', 'list'])).out) as { id: string; name: string; seed: string }[];
  expect(listed.map((e) => e.name)).toEqual(['Starter e2e']);

  // Run the segment: each planned Starter customer carries its arm; the run stores it.
  const started = await demo.cli(['--json', 'run', 'start', '--segment', 'Starter', '--yes']);
  expect(started.code).toBe(0);
  const results = JSON.parse((await demo.cli(['--json', 'experiment', 'results', listed[0]!.id])).out) as { arms: { arm: string; customers: number; entered: number; chanceToBeatControl: number | null; curve: unknown[] }[] };
  const treated = results.arms.reduce((s, a) => s + a.customers, 0);
  expect(treated).toBeGreaterThan(0);

  await page.reload();
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.getByRole('menuitem', { name: /Experiments/ }).click();
  await page.getByRole('cell', { name: 'Starter e2e' }).click();
  const shown = page.getByTestId('experiment-results');
  await expect(shown).toBeVisible();
  const controlRow = shown.getByRole('row').filter({ has: page.getByRole('cell', { name: 'control', exact: true }) });
  await expect(controlRow).toContainText(String(results.arms.find((a) => a.arm === 'control')!.customers));
  await expect(page.getByTestId('results-summary')).toContainText(/Not enough data yet|likely|No clear difference/);
  // Beside the p-value, the Bayesian chance to beat control: a figure for every arm but control.
  await expect(shown.getByRole('columnheader', { name: 'Chance to beat control' })).toBeVisible();
  await expect(controlRow.getByTestId('chance-to-beat')).toHaveText('—');
  for (const a of results.arms.filter((x) => x.chanceToBeatControl !== null)) {
    const row = shown.getByRole('row').filter({ has: page.getByRole('cell', { name: a.arm, exact: true }) });
    await expect(row.getByTestId('chance-to-beat')).toHaveText(/^(\d+\.\d%|> 99\.9%|< 0\.1%)$/);
  }
  // Recovery curves: one series per arm, in the results' order.
  const curves = shown.getByTestId('curve-chart');
  await expect(curves.locator('canvas')).toBeVisible();
  await expect(curves).toHaveAttribute('data-series', results.arms.map((a) => a.arm).join(','));
  await page.screenshot({ path: 'test-results/experiments.png' });
  await shown.screenshot({ path: 'test-results/experiment-results.png' });
});
