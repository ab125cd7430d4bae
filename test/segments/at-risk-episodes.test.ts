import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { catalogFor } from '../../main/core/facts/catalog';
import { finishPendingWork } from '../../main/core/reliability/pending';
import * as segments from '../../main/core/segments/service';
import type { StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';
import { syncedFactsDb } from '../helpers/synced-db';

/**
 * #17 item 14: Stripe's own retries of one invoice are one failure episode. At-Risk
 * ("failed before") counts invoices that failed, not attempts.
 */
describe('At-Risk counts failure episodes, not Stripe retries (real sync against the local Stripe server)', () => {
  let sim: StripeSim;
  let db: Sqlite;
  beforeAll(async () => {
    ({ sim, db } = await syncedFactsDb({ seed: 5, customers: 300 }));
    segments.ensureDefaults(db, sim.now());
    segments.recomputeMembership(db, catalogFor(db), sim.now());
  });
  afterAll(async () => {
    db?.close();
    await sim?.close();
  });

  it('failed_invoices_12m counts the distinct invoices with a failed payment; failures_12m still counts attempts', () => {
    const since = sim.now() - 365 * 86_400;
    const snap = sim.snapshot();
    // Stripe links a PaymentIntent to its invoice through the invoice payment.
    const invoiceOfPi = new Map(snap.invoice_payments.map((p) => [(p.payment as { payment_intent: string }).payment_intent, p.invoice as string]));
    const byHand = new Map<string, { attempts: number; invoices: Set<string> }>();
    for (const ch of snap.charges) {
      if (ch.status !== 'failed' || (ch.created as number) < since || typeof ch.customer !== 'string') continue;
      const e = byHand.get(ch.customer) ?? { attempts: 0, invoices: new Set<string>() };
      e.attempts++;
      e.invoices.add(invoiceOfPi.get(ch.payment_intent as string) ?? (ch.id as string));
      byHand.set(ch.customer, e);
    }
    const rows = db.prepare('SELECT customer_id, failures_12m, failed_invoices_12m FROM customer_facts').all() as { customer_id: string; failures_12m: number; failed_invoices_12m: number }[];
    for (const r of rows) {
      const e = byHand.get(r.customer_id);
      expect([r.customer_id, r.failures_12m, r.failed_invoices_12m]).toEqual([r.customer_id, e?.attempts ?? 0, e?.invoices.size ?? 0]);
    }
    // The demo data has customers whose several failures are retries of one invoice.
    expect(rows.filter((r) => r.failures_12m >= 2 && r.failed_invoices_12m < 2).length).toBeGreaterThan(0);
  });

  it('the default At-Risk segment holds the customers with two or more failed invoices, not those with one invoice retried', () => {
    const atRisk = segments.list(db).find((s) => s.name === 'At-Risk')!;
    const members = new Set(db.prepare('SELECT customer_id FROM segment_members WHERE segment_id = ?').pluck().all(atRisk.id) as string[]);
    const episodes = new Set(db.prepare('SELECT customer_id FROM customer_facts WHERE failed_invoices_12m >= 2').pluck().all() as string[]);
    expect(members).toEqual(episodes);
    const retriedOnly = db.prepare('SELECT customer_id FROM customer_facts WHERE failures_12m >= 2 AND failed_invoices_12m < 2').pluck().all() as string[];
    for (const id of retriedOnly) expect(members.has(id), id).toBe(false);
  });
});

describe('workspace migration 16: the At-Risk default moves to episodes unless the user edited it', () => {
  const OLD_RULE = '{"combinator":"and","rules":[{"field":"failures_12m","operator":">=","value":2}]}';
  const NOW = 1_790_000_000;
  function v12Workspace(rule: string, description: string) {
    const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    migrate(db, workspaceMigrations.slice(0, 12));
    db.prepare(`INSERT INTO segments (id, name, description, color, rule, rule_version, priority, is_default, archived, created_at_ms, updated_at_ms)
      VALUES ('seg_risk', 'At-Risk', ?, '#e03131', ?, 1, 1, 1, 0, 0, 0)`).run(description, rule);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('segments.defaults_created', '1')`).run();
    // One invoice retried three times (Stripe's Smart Retries): three attempts, one episode.
    db.prepare(`INSERT INTO customers (id, email, name, created, currency, metadata, deleted, raw) VALUES ('cus_r', null, null, ?, 'usd', '{}', 0, '{}')`).run(NOW - 400 * 86_400);
    for (const [i, inv] of ['in_1', 'in_1', 'in_1'].entries()) {
      db.prepare(`INSERT INTO charges (id, customer_id, invoice_id, amount, currency, status, paid, failure_code, created, raw) VALUES (?, 'cus_r', ?, 2900, 'usd', 'failed', 0, 'card_declined', ?, '{}')`).run(`ch_${i}`, inv, NOW - (10 - i) * 86_400);
    }
    db.prepare(`INSERT INTO customer_facts (customer_id, mrr, tenure_days, ltv, failures_12m, open_past_due_count, amount_at_risk, tags, attrs, created, computed_at)
      VALUES ('cus_r', 2900, 400, 0, 3, 1, 2900, '[]', '{}', ?, ?)`).run(NOW - 400 * 86_400, NOW);
    migrate(db, workspaceMigrations);
    return db;
  }

  it('an unedited default now asks for two failed invoices; the retried customer leaves it once the workspace opens', () => {
    const db = v12Workspace(OLD_RULE, 'Two or more failed payments in the last 12 months.');
    const seg = segments.list(db).find((s) => s.name === 'At-Risk')!;
    expect(seg.rule).toEqual({ combinator: 'and', rules: [{ field: 'failed_invoices_12m', operator: '>=', value: 2 }] });
    expect(seg.description).toBe(segments.AT_RISK_DESCRIPTION);
    expect(db.prepare("SELECT failures_12m, failed_invoices_12m FROM customer_facts WHERE customer_id = 'cus_r'").get()).toEqual({ failures_12m: 3, failed_invoices_12m: 1 });
    // Opening the workspace finishes the membership the migration marked stale.
    expect(finishPendingWork(db, { now: NOW, reportingCurrency: 'usd' })).not.toBeNull();
    expect(segments.list(db).find((s) => s.name === 'At-Risk')!.rule).toEqual(seg.rule);
    expect(db.prepare('SELECT count(*) FROM segment_members WHERE segment_id = ?').pluck().get('seg_risk')).toBe(0);
    db.close();
  });

  it('an edited At-Risk rule is left as the user wrote it', () => {
    const edited = '{"combinator":"and","rules":[{"id":"r1","field":"failures_12m","operator":">=","value":3}]}';
    const db = v12Workspace(edited, 'My own words.');
    const seg = segments.list(db).find((s) => s.name === 'At-Risk')!;
    expect(seg.rule).toEqual(JSON.parse(edited));
    expect(seg.description).toBe('My own words.');
    db.close();
  });
});
