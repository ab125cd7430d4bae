import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { expect, test } from './fixtures';

/**
 * The recovery flow on the demo workspace, in the console shell: edit a strategy,
 * preview its email on a real customer, dry-run a plan, execute it after the
 * confirmation, read the captured emails and the customer's timeline.
 * Every wait is on visible state (auto-retrying assertions), never on time.
 */
test('recovery: edit a strategy, preview, dry-run, execute on the demo, see captured emails and the customer timeline', async ({ page, demo }) => {
  test.setTimeout(240_000);
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();

  // ── Strategies: the Enterprise strategy, its email edited and previewed ──
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('section-title')).toHaveText('Strategies');
  await page.getByRole('button', { name: 'Open Enterprise strategy' }).click();
  await expect(page.getByTestId('step-timeline')).toBeVisible();
  await expect(page.getByTestId('smart-retries-warning')).toBeVisible();

  // Timeline editing: the fourth step (the day-2 retry) waits one day longer; it stays fourth in firing order.
  const days = page.getByRole('spinbutton', { name: 'Step 4 delay days' });
  const before = Number(await days.inputValue());
  await days.fill(String(before + 1));
  await expect(page.getByTestId('unsaved')).toBeVisible();

  // The template editor opens on the first email step; the preview renders on a real customer.
  await page.getByRole('button', { name: 'Edit Step 1 email' }).click();
  const subject = page.getByLabel('Email subject');
  await subject.fill('Reclaim e2e {{ plan }} check for {{ first_name }}');
  const preview = page.getByTestId('preview-subject');
  await expect(preview).toHaveText(/^Reclaim e2e \S.* check for \S+$/, { timeout: 20_000 });
  await expect(preview).not.toContainText('{{');
  await expect(page.frameLocator('iframe[title="Rendered HTML email"]').locator('body')).toContainText('http');

  await page.getByRole('button', { name: 'Save strategy' }).click();
  await expect(page.getByText('Strategy “Enterprise strategy” saved')).toBeVisible();
  await expect(page.getByTestId('unsaved')).toHaveCount(0);
  await expect(page.getByTestId('strategy-Enterprise')).toContainText('edited');

  // Saved means saved: a fresh page shows the edit.
  await page.reload();
  await expect(page.getByTestId('customer-count')).toBeVisible();
  await page.keyboard.press('Alt+3');
  await page.getByRole('button', { name: 'Open Enterprise strategy' }).click();
  await page.getByRole('button', { name: 'Edit Step 1 email' }).click();
  await expect(page.getByLabel('Email subject')).toHaveValue('Reclaim e2e {{ plan }} check for {{ first_name }}');
  await expect(page.getByRole('spinbutton', { name: 'Step 4 delay days' })).toHaveValue(String(before + 1));
  await page.screenshot({ path: 'test-results/recovery-strategy.png' });

  // ── Runs: dry-run the Enterprise segment ──
  await page.keyboard.press('Alt+5');
  await expect(page.getByTestId('section-title')).toHaveText('Runs');
  await page.getByLabel('Segments to plan').click();
  await page.locator('.ant-select-dropdown:visible').getByTitle('Enterprise', { exact: true }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Dry-run plan' }).click();
  const invoices = page.getByTestId('plan-invoices');
  await expect(invoices).toHaveText(/^Invoices[1-9]\d*$/, { timeout: 30_000 });
  const planned = Number((await invoices.textContent())!.replace(/\D/g, ''));
  const rows = page.getByTestId('plan-rows').locator('tbody tr.ant-table-row');
  await expect(rows).toHaveCount(Math.min(planned, 25));
  for (const segment of await rows.locator('td:nth-child(2)').allTextContents()) expect(segment).toBe('Enterprise');

  // Export: the CSV has one line per planned step, with a header.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  expect(csv.length).toBeGreaterThan(planned);
  await page.screenshot({ path: 'test-results/recovery-plan.png' });

  // A dry run sends nothing: the outbox is still empty, and the plan is still there after looking.
  await page.getByRole('tab', { name: 'Outbox' }).click();
  await expect(page.getByTestId('outbox')).toContainText('No emails yet');
  await page.getByRole('tab', { name: 'Plan and run' }).click();
  await expect(invoices).toHaveText(`Invoices${planned}`);

  // ── Confirm: counts and the mode badge ──
  await page.getByRole('button', { name: 'Start run…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('confirm-run')).toBeVisible();
  await expect(dialog.getByTestId('mode-badge')).toHaveText('DEMO');
  await expect(dialog.getByTestId('confirm-now')).toContainText(/\d+ emails/);
  await dialog.getByRole('button', { name: 'Confirm and start the run' }).click();

  // ── Progress: the run finishes every step due now ──
  const monitor = page.getByTestId('run-monitor');
  // Starting a run is real work (the plan's rows, the outbox, the demo's Stripe): the monitor shows when it has started.
  await expect(monitor).toBeVisible({ timeout: 30_000 });
  await expect(monitor.getByTestId('run-status')).toHaveText(/completed|running/);
  await expect(page.getByTestId('run-actions').getByText('succeeded').first()).toBeVisible({ timeout: 120_000 });
  await expect(monitor.getByTestId('run-succeeded')).not.toHaveText(/Succeeded0$/);
  await page.screenshot({ path: 'test-results/recovery-run.png' });

  // ── Outbox: the edited email was captured, readable as the customer sees it ──
  await page.getByRole('tab', { name: 'Outbox' }).click();
  const item = page.getByTestId('outbox-item').filter({ hasText: 'Reclaim e2e' }).first();
  await expect(item).toBeVisible({ timeout: 30_000 });
  await item.click();
  await expect(page.getByTestId('outbox-subject')).toHaveText(/^Reclaim e2e \S.* check for \S+$/);
  await expect(page.frameLocator('iframe[title="Captured HTML email"]').locator('body')).toContainText('http');
  const to = (await page.getByTestId('outbox-to').textContent())!.trim();
  expect(to).toMatch(/@/);
  await page.screenshot({ path: 'test-results/recovery-outbox.png' });

  // ── Audit log: the plan, the confirmation and the actions, filterable ──
  await page.getByRole('tab', { name: 'Audit log' }).click();
  const audit = page.getByTestId('audit');
  await expect(audit.locator('tbody tr.ant-table-row').first()).toBeVisible();
  await page.getByLabel('Filter audit by kind').fill('run');
  await expect(audit.locator('tbody tr.ant-table-row').first()).toBeVisible();
  // The Kind column says it in words ("Run confirmed"); the kind itself is its tooltip.
  await expect(audit.locator('[data-testid="audit-kind"]:not([title^="run"])')).toHaveCount(0);
  await expect(audit.locator('[data-testid="audit-kind"][title="run.confirmed"]')).toHaveText('Run confirmed');

  // ── Customer timeline: the failure, the email with its result ──
  await page.keyboard.press('Alt+1');
  await page.getByLabel('Search customers').fill(to);
  await expect(page.getByTestId('customer-count')).toHaveText('1 customers');
  await page.locator('[role="row"][data-testid^="customer-row-"]').first().click();
  await page.getByRole('tab', { name: 'Recovery timeline' }).click();
  const timeline = page.getByTestId('customer-timeline');
  await expect(timeline.getByTestId('timeline-failure').first()).toBeVisible();
  await expect(timeline.getByTestId('timeline-action').filter({ hasText: 'succeeded' }).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/recovery-timeline.png' });
});

test('recovery: a run with steps still to come pauses, resumes and cancels; the plan says what is later', async ({ page, demo }) => {
  test.setTimeout(180_000);
  await page.goto(demo.url);
  await expect(page.getByTestId('customer-count')).toBeVisible();

  // At-Risk (the segment with the most open failed invoices in the demo): one email, a year after the first failure, so nothing is due now.
  await page.keyboard.press('Alt+3');
  await page.getByRole('button', { name: 'Open At-Risk strategy' }).click();
  await expect(page.getByTestId('step-timeline')).toBeVisible();
  const steps = page.getByTestId('step-timeline').locator('[data-testid^="step-"]');
  while ((await steps.count()) > 0) {
    const n = await steps.count();
    await page.getByRole('button', { name: 'Remove Step 1' }).click();
    await expect(steps).toHaveCount(n - 1);
  }
  await page.getByRole('button', { name: 'Add step' }).click();
  await page.getByRole('menuitem', { name: 'Email', exact: true }).click();
  await expect(steps).toHaveCount(1);
  await page.getByRole('spinbutton', { name: 'Step 1 delay days' }).fill('365');
  await page.getByRole('button', { name: 'Save strategy' }).click();
  await expect(page.getByText(/Strategy “.*” saved/)).toBeVisible();
  await expect(page.getByTestId('strategy-At-Risk')).toContainText('365d Email');

  await page.keyboard.press('Alt+5');
  await page.getByLabel('Segments to plan').click();
  await page.locator('.ant-select-dropdown:visible').getByTitle('At-Risk', { exact: true }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Dry-run plan' }).click();
  await expect(page.getByTestId('plan-invoices')).toHaveText(/^Invoices[1-9]\d*$/, { timeout: 30_000 });
  await expect(page.getByTestId('plan-now')).toHaveText('Actions now0');
  await page.getByLabel('Filter plan by timing').click();
  await page.locator('.ant-select-dropdown:visible').getByTitle('Later', { exact: true }).click();
  await expect(page.getByTestId('plan-rows').locator('tbody tr.ant-table-row').first()).toBeVisible();

  await page.getByRole('button', { name: 'Start run…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Confirm and start the run' }).click();
  const monitor = page.getByTestId('run-monitor');
  const status = monitor.getByTestId('run-status');
  // The confirmation stays open until the run has started (slow with both cores busy): wait for that state.
  await expect(page.getByRole('dialog')).toBeHidden({ timeout: 30_000 });
  await expect(status).toHaveText('running', { timeout: 30_000 });
  await expect(monitor.getByTestId('run-scheduled')).not.toHaveText(/Scheduled0$/);

  await monitor.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toHaveText('paused');
  await monitor.getByRole('button', { name: 'Resume' }).click();
  await expect(status).toHaveText('running');
  await monitor.getByRole('button', { name: 'Cancel run' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel run' }).click();
  await expect(status).toHaveText('canceled');
  await expect(monitor.getByTestId('run-scheduled')).toHaveText(/Scheduled0$/);
  await expect(page.getByTestId('run-actions').getByText('canceled').first()).toBeVisible();
  // The list of runs agrees.
  await expect(page.getByTestId('run-list').locator('tbody tr.ant-table-row').first()).toContainText('canceled');
});

test('recovery: SMTP settings keep the password write-only, and a test send arrives at a real SMTP server with that login', async ({ page, demo }) => {
  test.setTimeout(120_000);
  const password = crypto.randomBytes(12).toString('hex');
  const received: { to: string; subject: string; user: string | undefined }[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'ops' && auth.password === password) cb(null, { user: 'ops' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (m) => {
          const to = Array.isArray(m.to) ? m.to[0]?.text : m.to?.text;
          received.push({ to: to ?? '', subject: m.subject ?? '', user: session.user as string | undefined });
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  try {
    await page.goto(demo.url);
    await expect(page.getByTestId('customer-count')).toBeVisible();
    await page.keyboard.press('Alt+5');
    await page.getByRole('tab', { name: 'Email settings' }).click();
    const form = page.getByTestId('smtp-form');
    await form.getByText('SMTP server', { exact: true }).click();
    await form.getByLabel('SMTP host').fill('127.0.0.1');
    await form.getByLabel('SMTP port').fill(String(port));
    await form.getByLabel('TLS mode').click();
    await page.locator('.ant-select-dropdown:visible').getByTitle('None (local relays only)').click();
    await form.getByLabel('SMTP user').fill('ops');
    await form.getByLabel('SMTP password').fill(password);
    await form.getByLabel('From address').fill('billing@example.test');
    await form.getByLabel('Operator email').fill('me@example.test');
    await form.getByRole('button', { name: 'Save email settings' }).click();
    await expect(page.getByText('Saved: runs deliver email over SMTP')).toBeVisible();
    await expect(form.getByTestId('password-configured')).toHaveText('configured');
    await expect(form.getByLabel('SMTP password')).toHaveValue('');

    // A fresh page knows a password is stored but never receives it.
    await page.reload();
    await expect(page.getByTestId('customer-count')).toBeVisible();
    await page.keyboard.press('Alt+5');
    await page.getByRole('tab', { name: 'Email settings' }).click();
    await expect(page.getByTestId('password-configured')).toHaveText('configured');
    await expect(page.getByTestId('smtp-form').getByLabel('SMTP password')).toHaveValue('');
    await expect(page.locator('body')).not.toContainText(password);

    // Test send from the template editor goes to the operator, over SMTP, logged in with the stored password.
    await page.keyboard.press('Alt+3');
    await page.getByRole('button', { name: 'Edit Step 1 email' }).click();
    await expect(page.getByTestId('preview-subject')).not.toBeEmpty({ timeout: 20_000 });
    await expect(page.getByLabel('Test send address')).toHaveValue('me@example.test');
    await page.getByRole('button', { name: 'Send test to me' }).click();
    await expect(page.getByText('Test email sent to me@example.test')).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]!.to).toContain('me@example.test');
    expect(received[0]!.user).toBe('ops');
    // Test sends are marked as such in the subject.
    expect(received[0]!.subject).toBe(`[Test] ${(await page.getByTestId('preview-subject').textContent())!.trim()}`);
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
});
