import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';

// Each test builds a demo workspace through the real sync; on a loaded machine that alone can take a minute.
test.describe.configure({ timeout: 180_000 });

/** #21 "The first hour": the strategy editor shows the conditions that are set, and asks before unsaved changes are lost. */
test('strategies: a step shows only its set conditions, adds and removes one; leaving unsaved changes asks first', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('section-title')).toHaveText('Strategies');
  await page.getByRole('button', { name: 'Open Enterprise strategy' }).click();
  const steps = page.getByTestId('step-timeline').locator('[data-testid^="step-"]');
  await expect(steps.first()).toBeVisible();
  const n = (await steps.count()) + 1;

  // A new step narrows nothing: no condition fields, only the control that adds one.
  await page.getByRole('button', { name: 'Add step' }).click();
  await page.getByRole('menuitem', { name: 'Email', exact: true }).click();
  await expect(steps).toHaveCount(n);
  const conditions = page.getByTestId(`conditions-step-${n}`);
  await expect(conditions).toContainText('For every failed invoice');
  await expect(conditions.getByRole('spinbutton')).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: `Step ${n} decline type` })).toHaveCount(0);

  // Add "failures in 12 months": its field appears, the others stay hidden; remove it again.
  await page.getByRole('button', { name: `Step ${n} add condition` }).click();
  await page.getByRole('menuitem', { name: 'Failures in 12 months ≥' }).click();
  await expect(page.getByRole('spinbutton', { name: `Step ${n} minimum failures` })).toHaveValue('2');
  await expect(conditions.getByRole('spinbutton')).toHaveCount(1);
  await expect(conditions).toContainText('Only if');
  await page.getByRole('button', { name: `Step ${n}: remove condition Failures in 12 months ≥` }).click();
  await expect(page.getByRole('spinbutton', { name: `Step ${n} minimum failures` })).toHaveCount(0);

  // Unsaved: switching section asks; "Keep editing" stays, "Discard" leaves.
  await expect(page.getByTestId('unsaved')).toBeVisible();
  await page.keyboard.press('Alt+1');
  const confirm = page.getByRole('dialog').filter({ hasText: 'Discard unsaved changes?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep editing' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('section-title')).toHaveText('Strategies');
  await expect(page.getByTestId('unsaved')).toBeVisible();

  // Another segment's strategy asks too.
  await page.getByRole('button', { name: 'Open Growth strategy' }).click();
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep editing' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Open Enterprise strategy' })).toHaveAttribute('aria-pressed', 'true');

  await page.keyboard.press('Alt+1');
  await confirm.getByRole('button', { name: 'Discard', exact: true }).click();
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
});

/** #21: a new segment's strategy is its own; customers filtered by a segment say which segment handles them. */
test('a new segment: its strategy does not call itself the Default; its members handled by another segment say so', async ({ page, demo }) => {
  const rule = path.join(demo.dataDir, 'everyone.json');
  fs.writeFileSync(rule, JSON.stringify({ combinator: 'and', rules: [] }));
  const created = await demo.cli(['segments', 'create', 'Everyone', '--rule', rule]);
  expect(created.code).toBe(0);

  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.keyboard.press('Alt+3');
  await page.getByRole('button', { name: 'Open Everyone strategy' }).click();
  await expect(page.getByLabel('Strategy name')).toHaveValue('Everyone strategy');
  const description = page.getByLabel('Strategy description');
  await expect(description).toHaveValue(/^Starts as a copy of the Default strategy/);
  await expect(description).not.toHaveValue(/The Default strategy:/);

  // A template error names the step in words and says only the first problem (not "step 1 (personal-email)").
  await page.getByRole('button', { name: 'Open Enterprise strategy' }).click();
  await page.getByRole('button', { name: 'Edit Step 1 email' }).click();
  await page.getByLabel('Email subject').fill('Hello {{ frist_name }} {{ nosuch }}');
  await page.getByRole('button', { name: 'Save strategy' }).click();
  const refused = page.getByText(/^The strategy was not saved: /);
  await expect(refused).toHaveText('The strategy was not saved: Step 1, email “Personal email from the account manager”: the subject uses an unknown variable “frist_name” (line 1)');
  await page.keyboard.press('Alt+1');
  await page.getByRole('dialog').filter({ hasText: 'Discard unsaved changes?' }).getByRole('button', { name: 'Discard' }).click();

  // Customers filtered by Everyone (last in priority): members another segment wins say both names.
  await expect(page.getByTestId('section-title')).toHaveText('Customers');
  await page.getByLabel('Filter by segment').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^Everyone \(/ }).click();
  const memberOf = page.getByTestId('member-of').first();
  await expect(memberOf).toHaveText(/^member of Everyone · handled by (Enterprise|Growth|Starter|New Customer|Loyal Customer|At-Risk)$/);
});

/** #21: switching workspace in the header while a strategy has unsaved changes asks first, as leaving the section does. */
test('switching workspace with unsaved strategy changes asks first; Keep editing stays, Discard switches', async ({ page, demo }) => {
  expect((await demo.cli(['workspaces', 'create', 'Acme (test)'])).code).toBe(0);
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  const switcher = page.getByTestId('workspace-switcher');
  await expect(switcher).toContainText('Demo');
  await page.keyboard.press('Alt+3');
  await page.getByRole('button', { name: 'Open Enterprise strategy' }).click();
  await page.getByLabel('Strategy name').fill('Enterprise, edited');
  await expect(page.getByTestId('unsaved')).toBeVisible();

  const pick = async (name: RegExp) => {
    await page.getByRole('combobox', { name: 'Workspace' }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: name }).click();
  };
  const confirm = page.getByRole('dialog').filter({ hasText: 'Discard unsaved changes?' });

  // Keep editing: still the demo workspace, the edit is still there.
  await pick(/^Acme \(test\)/);
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('Your changes to “Enterprise, edited” are not saved.');
  await confirm.getByRole('button', { name: 'Keep editing' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(switcher).toContainText('Demo');
  await expect(switcher).not.toContainText('Acme');
  await expect(page.getByLabel('Strategy name')).toHaveValue('Enterprise, edited');
  await expect(page.getByTestId('unsaved')).toBeVisible();

  // Discard: the other workspace opens and the edit is gone.
  await pick(/^Acme \(test\)/);
  await expect(confirm).toBeVisible();
  // A click that lands while the dialog is still opening can be lost with both cores busy (seen
  // once in CI: the dialog stayed open); as a person would, click Discard again while it shows.
  await expect(async () => {
    if (await confirm.count()) await confirm.getByRole('button', { name: 'Discard', exact: true }).click({ timeout: 2_000 });
    await expect(switcher).toContainText('Acme (test)', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId('unsaved')).toHaveCount(0);

  // Back to the demo with nothing unsaved: no question.
  await pick(/^Demo/);
  await expect(switcher).toContainText('Demo');
  await expect(confirm).toHaveCount(0);
});

/** #21: Stripe's codes read as words where a person reads them: the customers table, the customer drawer, the segment list's money. */
test('customers show declines and statuses in words, not Stripe codes; small amounts are not cut to "$81.2"', async ({ page, demo }) => {
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  const declines = page.getByTestId('decline');
  await expect(declines.first()).toBeVisible();
  const shown = await declines.allInnerTexts();
  expect(shown.length).toBeGreaterThan(5);
  for (const text of shown) expect(text).toMatch(/^[A-Z][^_]*$/);
  expect(shown).toContain('Insufficient funds');

  // The drawer: words for the decline and the subscription status.
  await page.locator('[role="row"][data-testid^="customer-row-"]').filter({ has: page.getByText('Insufficient funds', { exact: true }) }).first().click();
  const drawer = page.locator('.ant-drawer');
  await expect(drawer.getByText(/^Insufficient funds · (soft|hard)$/)).toBeVisible();
  await expect(drawer).not.toContainText('insufficient_funds');
  await expect(drawer).not.toContainText('past_due');
  // Its timeline, payment attempts and subscriptions: words too.
  await drawer.getByRole('tab', { name: 'Recovery timeline' }).click();
  const failure = drawer.getByTestId('timeline-failure').first();
  await expect(failure).toContainText(/[A-Z][a-zA-Z -]+ \((soft|hard) decline\)/);
  await expect(drawer.getByTestId('customer-timeline')).not.toContainText(/insufficient_funds|do_not_honor|generic_decline|processing_error|try_again_later/);
  await drawer.getByRole('tab', { name: /^Payment attempts/ }).click();
  await expect(drawer.getByText('Insufficient funds', { exact: true }).first()).toBeVisible();
  await drawer.getByRole('tab', { name: /^Subscriptions/ }).click();
  await expect(drawer.getByText('Past due', { exact: true }).last()).toBeVisible();
  await page.keyboard.press('Escape');

  // Segments: amounts under a thousand are exact ("at risk $81.20"), larger ones compact ("MRR $252.8K").
  await page.keyboard.press('Alt+2');
  await expect(page.getByTestId('section-title')).toHaveText('Segments');
  const list = page.getByText(/members · wins/).first();
  await expect(list).toBeVisible();
  for (const line of await page.getByText(/members · wins/).allInnerTexts()) expect(line).not.toMatch(/\$\d{1,3}\.\d(?![\dKMB])/);
});

/** #21: a reviewer reads the audit log's kinds in words ("Step done"); the kind itself is in the tooltip. */
test('the audit log names each entry’s kind in words, not action.succeeded', async ({ page, demo }) => {
  expect((await demo.cli(['run', 'start', '--yes'])).code).toBe(0);
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.keyboard.press('Alt+5');
  await page.getByRole('tab', { name: 'Audit log' }).click();
  const kinds = page.getByTestId('audit-kind');
  await expect(kinds.first()).toBeVisible();
  const shown = await kinds.allInnerTexts();
  for (const text of shown) expect(text).toMatch(/^[A-Z][^._]*$/);
  expect(shown).toContain('Step done');
  await expect(kinds.filter({ hasText: /^Step done$/ }).first()).toHaveAttribute('title', 'action.succeeded');

  // A second dry run: invoices already in the running run say so without the run's internal id.
  await page.getByRole('tab', { name: 'Plan and run' }).click();
  await page.getByRole('button', { name: 'Dry-run plan' }).click();
  await expect(page.getByText('already in active run', { exact: true }).first()).toBeVisible();
  await expect(page.getByText(/active run run_/)).toHaveCount(0);
});
