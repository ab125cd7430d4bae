import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';

test('white-glove queue: an account manager opens an enterprise task, sends the personal email, logs a promise to pay, sees the timeline', async ({ page, demo }) => {
  test.setTimeout(150_000);
  // The account manager's strategy for Enterprise: a task right away. Then a run on the demo (real CLI, same data folder).
  const file = path.join(demo.dataDir, 'wg-strategy.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'White glove now', steps: [{ id: 'am-task', label: 'Account-manager task', channel: 'am_task', delay: { days: 0 }, config: {} }] }));
  expect((await demo.cli(['strategies', 'set', 'Enterprise', '--file', file])).code).toBe(0);
  const started = await demo.cli(['--json', 'run', 'start', '--segment', 'Enterprise', '--yes']);
  expect(started.code).toBe(0);
  const listed = JSON.parse((await demo.cli(['--json', 'queue', 'list'])).out) as { id: string; customerId: string; customerName: string; amountAtRisk: number; assignee: string }[];
  expect(listed.length).toBeGreaterThan(0);
  const top = listed[0]!;

  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.getByRole('menuitem', { name: /White-glove queue/ }).click();
  await expect(page.getByTestId('section-title')).toHaveText('White-glove queue');
  await expect(page.getByTestId('queue-count')).toHaveText(`${listed.length} task${listed.length === 1 ? '' : 's'}`);

  // Highest amount at risk first; "Mine" narrows to the chosen manager.
  const rows = page.locator('[data-testid^="task-row-"]');
  await expect(rows.first()).toHaveAttribute('data-testid', `task-row-${top.id}`);
  await page.getByLabel('I am').click();
  await page.locator('.ant-select-dropdown:visible').getByTitle(top.assignee, { exact: true }).click();
  await page.getByText('Mine', { exact: true }).click();
  const mine = listed.filter((t) => t.assignee === top.assignee).length;
  await expect(page.getByTestId('queue-count')).toHaveText(`${mine} task${mine === 1 ? '' : 's'}`);

  // Keyboard: the first row is selected; o opens it.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('o');
  const detail = page.getByRole('dialog');
  await expect(detail).toContainText(top.customerName);
  await expect(detail).toContainText('Enterprise');
  await expect(detail.getByTestId('task-why')).toContainText(/Wins|Matches/);
  await expect(detail.getByTestId('call-script')).toContainText(`Hello ${top.customerName.split(' ')[0]}`);
  await expect(detail.getByText('Open invoices')).toBeVisible();
  await expect(detail.getByText(/^Payment history/)).toBeVisible();
  // #21: failures in words that say what they count; Due before the SLA, the SLA explained.
  const found = JSON.parse((await demo.cli(['--json', 'customers', '--search', top.customerId])).out) as { rows: { customer_id: string; failures_12m: number; failed_invoices_12m: number }[] };
  const facts = found.rows.find((r) => r.customer_id === top.customerId)!;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  await expect(detail.getByTestId('task-failures')).toHaveText(facts.failures_12m === 0 ? 'none' : `${plural(facts.failures_12m, 'failed payment')} on ${plural(facts.failed_invoices_12m, 'invoice')}`);
  await expect(detail.getByTestId('task-sla')).toContainText(/^first touch by \d{4}-\d\d-\d\d \d\d:\d\d/);
  const labels = await detail.locator('.ant-descriptions-item-label').allTextContents();
  expect(labels.indexOf('Due')).toBeGreaterThanOrEqual(0);
  expect(labels.indexOf('Due')).toBeLessThan(labels.indexOf('SLA'));

  // The personal email, edited and sent through the outbox.
  await detail.getByLabel('Email subject').fill('A quick word about your invoice');
  await detail.getByRole('button', { name: 'Send personal email' }).click();
  await expect(detail.getByTestId('email-sent')).toBeVisible();
  await expect(detail.getByTestId('task-timeline')).toContainText('Email sent: A quick word about your invoice');

  // Promised to pay, with a date and a note: key 2, then the date.
  const promised = new Date(Date.now() + 6 * 86_400_000).toISOString().slice(0, 10);
  await detail.getByLabel('Outcome note').fill('Paying after the board meeting');
  await detail.getByText('Call script', { exact: true }).click();
  await page.keyboard.press('2');
  await detail.getByLabel('Promised date').fill(promised);
  await detail.getByRole('button', { name: 'Log promise' }).click();
  await expect(detail.getByTestId('task-outcome')).toHaveText(`Promised to pay by ${promised}`);
  await expect(detail.getByTestId('task-timeline')).toContainText(`Promised to pay (by ${promised})`);
  await page.screenshot({ path: 'test-results/whiteglove-task.png' });

  // The same, seen from the CLI: the task is done, the email is in the outbox.
  const done = JSON.parse((await demo.cli(['--json', 'queue', 'list', '--status', 'done'])).out) as { id: string; outcome: string; promisedDate: string }[];
  expect(done).toEqual([expect.objectContaining({ id: top.id, outcome: 'promised', promisedDate: promised })]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('queue-count')).toHaveText(`${mine - 1} task${mine - 1 === 1 ? '' : 's'}`);

  // Settings: the demo's voice calls go to the local fake provider, with budgets.
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog');
  await expect(settings).toContainText('White-glove settings');
  await expect(settings).toContainText('Voice calls');
  await expect(settings).toContainText('No call below');
});
