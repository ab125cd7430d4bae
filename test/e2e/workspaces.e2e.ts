import { expect, test } from './fixtures';

test('a new user sees empty states, creates a test workspace and sees the TEST badge', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await expect(page.getByText('No customers synced yet')).toBeVisible();
  await page.getByRole('button', { name: 'Create a workspace' }).click();
  await expect(page.getByTestId('section-title')).toHaveText('Workspaces');

  // Bad input first: an empty name is refused with a message, nothing created.
  await page.getByRole('button', { name: /Create workspace/ }).click();
  await expect(page.getByText('Give the workspace a name')).toBeVisible();

  await page.getByLabel('Workspace name').fill('Acme (test)');
  await page.getByRole('button', { name: /Create workspace/ }).click();
  await expect(page.getByText('Workspace “Acme (test)” created')).toBeVisible();
  const header = page.locator('header');
  await expect(header.getByTestId('mode-badge')).toHaveText('TEST');
  await expect(page.getByTestId('workspace-row-Acme (test)')).toBeVisible();
  await page.screenshot({ path: 'test-results/console-workspace-created.png' });

  // The CLI sees the same workspace in the same data folder.
  const listed = await server.cli(['--json', 'workspaces', 'list']);
  expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ name: 'Acme (test)', mode: 'test' })]);
});

test('live workspaces are visibly different, duplicates are refused, removal asks first', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.keyboard.press('Alt+8');
  await expect(page.getByTestId('section-title')).toHaveText('Workspaces');

  await page.getByLabel('Workspace name').fill('Acme (live)');
  await page.getByText('Live', { exact: true }).click();
  await page.getByRole('button', { name: /Create workspace/ }).click();
  await expect(page.locator('header').getByTestId('mode-badge')).toHaveText('LIVE');

  await page.getByLabel('Workspace name').fill('acme (LIVE)');
  await page.getByRole('button', { name: /Create workspace/ }).click();
  await expect(page.getByText('A workspace named "acme (LIVE)" already exists')).toBeVisible();

  await page.getByRole('button', { name: 'Remove Acme (live)' }).click();
  await expect(page.getByRole('dialog')).toContainText('Remove “Acme (live)”?');
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByTestId('workspace-row-Acme (live)')).toBeVisible();
  // The first dialog must be gone before the second opens: while it animates closed it
  // still holds a "Remove workspace" button, and a click there does nothing (CI, both cores busy).
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.getByRole('button', { name: 'Remove Acme (live)' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove workspace' }).click();
  await expect(page.getByText('Workspace “Acme (live)” removed')).toBeVisible();
  await expect(page.getByTestId('workspace-row-Acme (live)')).toHaveCount(0);
  expect(JSON.parse((await server.cli(['--json', 'workspaces', 'list'])).out)).toEqual([]);
});

test('a workspace created from the CLI appears in the console', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.keyboard.press('Alt+8');
  await expect(page.getByText('No workspaces yet. Create one above.')).toBeVisible();
  expect((await server.cli(['workspaces', 'create', 'From CLI'])).code).toBe(0);
  // The CLI writes the shared registry; the console re-reads it when its window regains focus or reloads.
  await page.reload();
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.keyboard.press('Alt+8');
  await expect(page.getByTestId('workspace-row-From CLI')).toBeVisible();
});

test('the console page refuses to load without its token', async ({ page, server }) => {
  const res = await page.goto(server.origin + '/');
  expect(res?.status()).toBe(401);
  await expect(page.getByText('open the URL printed by `reclaim console`')).toBeVisible();
});

test('keyboard: Alt+digits move between sections and ? lists shortcuts', async ({ page, server }) => {
  await page.goto(server.url);
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.keyboard.press('Alt+2');
  await expect(page.getByTestId('section-title')).toHaveText('Segments');
  await page.keyboard.press('Alt+6');
  await expect(page.getByTestId('section-title')).toHaveText('Performance');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
});
