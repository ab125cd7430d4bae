import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { applyCsvImport, previewCsvImport } from '../../main/core/facts/csv-import';
import { tempDir } from '../helpers/core';

const NOW = 1_793_491_200; // 2026-11-01
const DAY = 86_400;

/** A tiny hand-built business written straight into the Stripe tables. */
function seed(db: Sqlite) {
  const ins = (table: string, row: Record<string, unknown>) => {
    const keys = Object.keys(row);
    const raw = table === 'subscription_items' ? '' : ", raw";
    db.prepare(`INSERT INTO ${table} (${keys.join(',')}${raw}) VALUES (${keys.map(() => '?').join(',')}${raw ? ", '{}'" : ''})`).run(...Object.values(row));
  };
  ins('products', { id: 'prod_s', name: 'Starter', active: 1 });
  ins('products', { id: 'prod_e', name: 'Enterprise', active: 1 });
  ins('prices', { id: 'p_s_m', product_id: 'prod_s', currency: 'usd', unit_amount: 2900, recurring_interval: 'month', recurring_interval_count: 1, active: 1 });
  ins('prices', { id: 'p_e_y', product_id: 'prod_e', currency: 'usd', unit_amount: 999000, recurring_interval: 'year', recurring_interval_count: 1, active: 1 });
  ins('prices', { id: 'p_s_eur', product_id: 'prod_s', currency: 'eur', unit_amount: 2700, recurring_interval: 'month', recurring_interval_count: 1, active: 1 });
  ins('coupons', { id: 'LOYAL20', percent_off: 20, duration: 'forever', valid: 1 });

  // A: trialing starter, joined 5 days ago.
  ins('customers', { id: 'cus_A', email: 'a@example.test', name: 'Ana', created: NOW - 5 * DAY, currency: 'usd', metadata: '{"region":"emea","tags":"Beta, priority ,beta"}' });
  ins('subscriptions', { id: 'sub_A', customer_id: 'cus_A', status: 'trialing', currency: 'usd', created: NOW - 5 * DAY, start_date: NOW - 5 * DAY, trial_end: NOW + 9 * DAY });
  ins('subscription_items', { id: 'si_A', subscription_id: 'sub_A', price_id: 'p_s_m', quantity: 1 });

  // B: annual enterprise, 3 seats, 20% coupon, two years in, paid invoices, one partial refund.
  ins('customers', { id: 'cus_B', email: 'b@example.test', name: 'Bo', created: NOW - 800 * DAY, currency: 'usd', default_payment_method: 'pm_B', metadata: '{"account_manager":"alice","seats":"3"}' });
  ins('subscriptions', { id: 'sub_B', customer_id: 'cus_B', status: 'active', currency: 'usd', created: NOW - 800 * DAY, start_date: NOW - 800 * DAY, coupon_id: 'LOYAL20' });
  ins('invoices', { id: 'in_B1', customer_id: 'cus_B', status: 'paid', currency: 'usd', amount_due: 100000, amount_paid: 100000, amount_remaining: 0, attempt_count: 1, created: NOW - 400 * DAY });
  ins('invoices', { id: 'in_B2', customer_id: 'cus_B', status: 'paid', currency: 'usd', amount_due: 100000, amount_paid: 100000, amount_remaining: 0, attempt_count: 1, created: NOW - 35 * DAY });
  ins('charges', { id: 'ch_B2', customer_id: 'cus_B', invoice_id: 'in_B2', amount: 100000, amount_refunded: 25000, currency: 'usd', status: 'succeeded', paid: 1, created: NOW - 35 * DAY });
  ins('payment_methods', { id: 'pm_B', customer_id: 'cus_B', type: 'card', exp_month: 12, exp_year: 2028, created: NOW - 800 * DAY });

  // C: past due, hard decline after a soft one, card expiring this month, 40 days in dunning.
  ins('customers', { id: 'cus_C', email: 'c@example.test', name: 'Cy', created: NOW - 200 * DAY, currency: 'usd', metadata: '{}' });
  ins('subscriptions', { id: 'sub_C', customer_id: 'cus_C', status: 'past_due', currency: 'usd', created: NOW - 200 * DAY, start_date: NOW - 200 * DAY });
  ins('invoices', { id: 'in_C', customer_id: 'cus_C', status: 'open', currency: 'usd', amount_due: 2900, amount_paid: 0, amount_remaining: 2900, attempt_count: 2, created: NOW - 41 * DAY });
  ins('charges', { id: 'ch_C1', customer_id: 'cus_C', invoice_id: 'in_C', amount: 2900, currency: 'usd', status: 'failed', paid: 0, failure_code: 'card_declined', decline_code: 'insufficient_funds', created: NOW - 40 * DAY });
  ins('charges', { id: 'ch_C2', customer_id: 'cus_C', invoice_id: 'in_C', amount: 2900, currency: 'usd', status: 'failed', paid: 0, failure_code: 'card_declined', decline_code: 'stolen_card', created: NOW - 10 * DAY });
  ins('charges', { id: 'ch_Cold', customer_id: 'cus_C', amount: 2900, currency: 'usd', status: 'failed', paid: 0, failure_code: 'card_declined', decline_code: 'do_not_honor', created: NOW - 500 * DAY });
  ins('payment_methods', { id: 'pm_C', customer_id: 'cus_C', type: 'card', exp_month: 11, exp_year: 2026, created: NOW - 200 * DAY });

  // D: a euro customer, monthly starter.
  ins('customers', { id: 'cus_D', email: 'd@example.test', name: 'Di', created: NOW - 100 * DAY, currency: 'eur', metadata: '{}' });
  ins('subscriptions', { id: 'sub_D', customer_id: 'cus_D', status: 'active', currency: 'eur', created: NOW - 100 * DAY, start_date: NOW - 100 * DAY });
}

function items(db: Sqlite) {
  db.prepare(`INSERT INTO subscription_items (id, subscription_id, price_id, quantity) VALUES ('si_B','sub_B','p_e_y',3), ('si_C','sub_C','p_s_m',1), ('si_D','sub_D','p_s_eur',1)`).run();
}

const facts = (db: Sqlite, id: string) => db.prepare('SELECT * FROM customer_facts WHERE customer_id = ?').get(id) as Record<string, unknown>;

describe('customer facts', () => {
  let db: Sqlite;
  beforeEach(() => {
    db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    migrate(db, workspaceMigrations);
    seed(db);
    items(db);
  });

  it('derives every fact for a trialing, an annual discounted, a past-due and a euro customer', () => {
    expect(recomputeFacts(db, { now: NOW, reportingCurrency: 'usd', customerIds: 'all' }).updated).toBe(4);
    expect(facts(db, 'cus_A')).toMatchObject({
      plan: 'Starter', subscription_status: 'trialing', mrr: 0, tenure_days: 5, ltv: 0, failures_12m: 0,
      last_decline_code: null, last_decline_hard: null, region: 'emea', tags: '["beta","priority"]', open_past_due_count: 0, amount_at_risk: 0,
    });
    // 9,990.00 × 3 seats / 12 × 0.8 = 1,998.00 a month
    expect(facts(db, 'cus_B')).toMatchObject({
      plan: 'Enterprise', billing_interval: 'year', subscription_status: 'active', mrr: 199800, tenure_days: 800,
      ltv: 175000, card_expiry: '2028-12', account_manager: 'alice', days_since_first_failure: null,
    });
    expect(JSON.parse(String(facts(db, 'cus_B').attrs))).toEqual({ seats: '3' });
    expect(facts(db, 'cus_C')).toMatchObject({
      subscription_status: 'past_due', mrr: 2900, failures_12m: 2, last_decline_code: 'stolen_card', last_decline_hard: 1,
      card_expiry: '2026-11', card_expires_in_days: 30, open_past_due_count: 1, amount_at_risk: 2900, days_since_first_failure: 40,
    });
    // 27.00 EUR at 0.92 EUR per USD → 29.35 USD
    expect(facts(db, 'cus_D')).toMatchObject({ currency: 'eur', mrr: 2935, plan: 'Starter' });
  });

  it('only recomputes dirty customers, and clears them', () => {
    recomputeFacts(db, { now: NOW, reportingCurrency: 'usd', customerIds: 'all' });
    db.prepare("UPDATE subscriptions SET status = 'canceled' WHERE id IN ('sub_B', 'sub_C')").run();
    db.prepare("INSERT INTO dirty_customers VALUES ('cus_B')").run();
    expect(recomputeFacts(db, { now: NOW, reportingCurrency: 'usd', customerIds: 'dirty' }).updated).toBe(1);
    expect(facts(db, 'cus_B').mrr).toBe(0);
    expect(facts(db, 'cus_C').mrr).toBe(2900); // not dirty: untouched until next time
    expect(db.prepare('SELECT count(*) FROM dirty_customers').pluck().get()).toBe(0);
  });

  it('reports in the workspace currency', () => {
    recomputeFacts(db, { now: NOW, reportingCurrency: 'eur', customerIds: 'all' });
    expect(facts(db, 'cus_D').mrr).toBe(2700);
    expect(facts(db, 'cus_C').mrr).toBe(2668); // 29.00 USD × 0.92
  });
});

describe('CSV custom attributes', () => {
  let db: Sqlite;
  beforeEach(() => {
    db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    migrate(db, workspaceMigrations);
    for (const [id, email] of [['cus_1', 'one@example.test'], ['cus_2', 'two@example.test']]) {
      db.prepare(`INSERT INTO customers (id, email, created, metadata, raw) VALUES (?, ?, ?, '{}', '{}')`).run(id, email, NOW - 10 * DAY);
    }
  });

  it('previews problems with line numbers and applies nothing while any remain', () => {
    const csv = 'customer,logins,plan_note\ncus_1,12,ok\ncus_404,3,x\ncus_2,lots,y\ncus_1,4,dup\ncus_2,5\n';
    const p = previewCsvImport(db, csv, { match: 'id' });
    expect(p.errors).toEqual([
      { line: 3, message: 'Unknown customer id "cus_404"' },
      { line: 5, message: 'Customer cus_1 already appears on line 2' },
      { line: 6, message: 'Expected 3 columns, found 2' },
    ]);
    // "lots" makes logins a text column rather than an error: the type follows the data.
    expect(p.columns).toEqual([{ key: 'logins', type: 'string' }, { key: 'plan_note', type: 'string' }]);
    expect(() => applyCsvImport(db, csv, { match: 'id' }, NOW)).toThrow(/3 problem\(s\); nothing was imported/);
    expect(db.prepare('SELECT count(*) FROM custom_attributes').pluck().get()).toBe(0);
  });

  it('imports by email, keeps formula-looking cells as text, types numbers, and feeds the facts', () => {
    const csv = 'email,logins,formula\nONE@example.test,12,"=HYPERLINK(""http://x"")"\ntwo@example.test,-3.5,@SUM(A1)\n';
    const p = previewCsvImport(db, csv, { match: 'email' });
    expect(p.errors).toEqual([]);
    expect(p.columns).toEqual([{ key: 'logins', type: 'number' }, { key: 'formula', type: 'string' }]);
    expect(applyCsvImport(db, csv, { match: 'email' }, NOW)).toEqual({ imported: 2, columns: ['logins', 'formula'] });
    recomputeFacts(db, { now: NOW, reportingCurrency: 'usd', customerIds: 'dirty' });
    expect(JSON.parse(String(facts(db, 'cus_1').attrs))).toEqual({ logins: 12, formula: '=HYPERLINK("http://x")' });
    expect(JSON.parse(String(facts(db, 'cus_2').attrs))).toEqual({ logins: -3.5, formula: '@SUM(A1)' });
    expect(db.prepare("SELECT type, source FROM attribute_catalog WHERE key = 'logins'").get()).toEqual({ type: 'number', source: 'csv' });
  });

  it('reports unreadable CSV with its line instead of failing', () => {
    const p = previewCsvImport(db, 'customer,note\ncus_1,ok\ncus_2,bad "quote\n', { match: 'id' });
    expect(p.errors[0]?.line).toBe(3);
    expect(p.errors[0]?.message).toMatch(/^Not readable as CSV/);
  });

  it('refuses a column named like a built-in fact', () => {
    expect(previewCsvImport(db, 'customer,mrr\ncus_1,5\n', { match: 'id' }).errors[0]).toEqual({ line: 1, message: 'Column "mrr" is a built-in fact; rename the column' });
  });
});
