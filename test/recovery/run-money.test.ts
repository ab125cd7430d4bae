import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { runMoney } from '../../main/core/recovery/run-money';
import { tempDir } from '../helpers/core';

function workspace() {
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  const invoice = db.prepare(
    `INSERT INTO invoices (id, customer_id, status, currency, amount_due, amount_paid, amount_remaining, created, raw) VALUES (?, ?, 'paid', ?, ?, ?, 0, 0, '{}')`,
  );
  const item = db.prepare(
    `INSERT INTO recovery_run_items (run_id, invoice_id, customer_id, segment_name, strategy, first_failure_at, state, stop_reason, joined_at_ms) VALUES ('run_1', ?, ?, 'Default', 'default', 0, 'stopped', ?, 0)`,
  );
  const cost = db.prepare(
    `INSERT INTO recovery_outbox (key, run_id, invoice_id, customer_id, step_id, step_index, channel, delay_from, delay_sec, due_at, status, cost_amount, cost_currency, created_at_ms, updated_at_ms)
     VALUES (?, 'run_1', ?, ?, 's', 0, ?, 'failure', 0, 0, 'succeeded', ?, ?, 0, 0)`,
  );
  return { db, invoice, item, cost };
}

describe("a run's recovered revenue and cost", () => {
  it('converts invoices and costs in other currencies to the workspace currency instead of adding their minor units', () => {
    const { db, invoice, item, cost } = workspace();
    // 1 USD buys 0.5 EUR and 150 JPY in this workspace's rates.
    db.prepare(`INSERT INTO fx_rates (currency, per_unit_of_reporting) VALUES ('eur', 0.5), ('jpy', 150)`).run();
    invoice.run('in_usd', 'cus_a', 'usd', 10_000, 10_000); // $100.00
    invoice.run('in_eur', 'cus_b', 'eur', 4_000, 4_000); // €40.00 = $80.00
    invoice.run('in_jpy', 'cus_c', 'jpy', 30_000, 30_000); // ¥30,000 = $200.00 (JPY has no minor unit)
    invoice.run('in_open', 'cus_d', 'usd', 99_900, 0);
    item.run('in_usd', 'cus_a', 'paid');
    item.run('in_eur', 'cus_b', 'paid');
    item.run('in_jpy', 'cus_c', 'paid');
    item.run('in_open', 'cus_d', 'canceled');
    cost.run('k1', 'in_usd', 'cus_a', 'voice', 150, 'usd'); // $1.50
    cost.run('k2', 'in_eur', 'cus_b', 'offer', 1_000, 'eur'); // €10.00 = $20.00
    cost.run('k3', 'in_jpy', 'cus_c', 'voice', 300, 'jpy'); // ¥300 = $2.00
    expect(runMoney(db, 'run_1', 'usd')).toEqual({ recovered: { invoices: 3, amount: 38_000 }, cost: 2_350 });
    // The same run read by a workspace that reports in euros.
    db.prepare(`DELETE FROM fx_rates`).run();
    db.prepare(`INSERT INTO fx_rates (currency, per_unit_of_reporting) VALUES ('usd', 2), ('jpy', 300)`).run();
    expect(runMoney(db, 'run_1', 'EUR')).toEqual({ recovered: { invoices: 3, amount: 19_000 }, cost: 1_175 });
  });

  it('reads an empty run as nothing recovered and no cost', () => {
    const { db } = workspace();
    expect(runMoney(db, 'run_1', 'usd')).toEqual({ recovered: { invoices: 0, amount: 0 }, cost: 0 });
  });
});
