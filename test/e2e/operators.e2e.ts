import { expect, test } from './fixtures';

test('operators: add a specialist and an account manager, sign in from the keyboard; the CLI on this computer agrees and refuses her a run', async ({ page, server }) => {
  test.setTimeout(120_000);
  expect((await server.cli(['workspaces', 'create', 'Team'])).code).toBe(0);
  await page.goto(server.url);
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.keyboard.press('Alt+8');
  await expect(page.getByTestId('section-title')).toHaveText('Workspaces');
  const card = page.getByTestId('operators-card');
  await expect(card).toContainText('No operators: one person works this workspace');

  // The first operator: a specialist; this computer is signed in as her.
  await card.getByLabel('Operator name').fill('Sam Carter');
  await card.getByLabel('Operator email').fill('sam@team.test');
  await card.getByRole('button', { name: /Add operator/ }).click();
  await expect(card.getByTestId('operator-row-sam@team.test')).toContainText('Sam Carter (you)');

  // An account manager, her role chosen with the keyboard.
  await card.getByLabel('Operator name').fill('Ana Ruiz');
  await card.getByLabel('Operator email').fill('ana@team.test');
  await card.getByLabel('Operator role').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.ant-select-dropdown:visible')).toBeVisible();
  await page.keyboard.type('Account');
  await page.keyboard.press('Enter');
  await card.getByRole('button', { name: /Add operator/ }).click();
  await expect(card.getByTestId('operator-row-ana@team.test')).toContainText('Account manager');

  // Signed in as Ana, from the keyboard.
  await card.getByRole('combobox', { name: 'Signed in on this computer as' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.ant-select-dropdown:visible')).toBeVisible();
  await page.keyboard.type('Ana');
  await page.keyboard.press('Enter');
  await expect(card.getByTestId('operator-row-ana@team.test')).toContainText('Ana Ruiz (you)');

  // The CLI on the same data folder is the same desktop: it is Ana, and she cannot start a run.
  const who = await server.cli(['--json', 'operators', 'whoami']);
  expect(JSON.parse(who.out)).toMatchObject({ signedIn: { name: 'Ana Ruiz', role: 'account_manager' }, hasOperators: true });
  expect((await server.cli(['run', 'start', '--plan', 'plan_none', '--yes'])).code).toBe(1);

  // Signed out in the CLI: the card shows it when the page is opened again.
  expect((await server.cli(['operators', 'sign-out'])).code).toBe(0);
  await page.keyboard.press('Alt+1');
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.keyboard.press('Alt+8');
  await expect(card.getByTestId('signed-in-as')).toContainText('Nobody (read only)');
  await expect(card.getByTestId('operator-row-ana@team.test')).not.toContainText('(you)');
});

test('operators: signed in as an account manager, the app plans but refuses to start the run, in one line', async ({ page, demo }) => {
  test.setTimeout(240_000);
  expect((await demo.cli(['operators', 'add', '--name', 'Sam Carter', '--email', 'sam@team.test', '--role', 'specialist'])).code).toBe(0);
  expect((await demo.cli(['operators', 'add', '--name', 'Ana Ruiz', '--email', 'ana@team.test', '--role', 'account_manager'])).code).toBe(0);
  expect((await demo.cli(['operators', 'sign-in', 'ana@team.test'])).code).toBe(0);
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.keyboard.press('Alt+5');
  await page.getByRole('button', { name: 'Dry-run plan' }).click();
  await expect(page.getByTestId('plan-invoices')).toHaveText(/^Invoices[1-9]\d*$/, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Start run…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm and start the run' }).click();
  await expect(page.getByText('Account managers work the queue; ask a specialist to start runs')).toBeVisible({ timeout: 30_000 });
  // Nothing started: the CLI on the same data folder lists no run.
  expect(JSON.parse((await demo.cli(['--json', 'run', 'list'])).out)).toEqual([]);
});
