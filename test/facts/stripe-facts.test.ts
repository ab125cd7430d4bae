import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { retryAdvice } from '../../main/core/facts/declines';
import { writeMrrOptions } from '../../main/core/facts/settings';
import { createWriters, type Writable } from '../../main/core/stripe/map';
import { silentLogger } from '../../main/core/ports';
import { createSync } from '../../main/core/stripe/sync';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { formatMoney } from '../../shared/money';
import { tempDir } from '../helpers/core';

/**
 * Issue #9 items 7–10 end to end: the local Stripe server (with the facts cases of
 * main/stripe-sim/facts-cases.ts, current API shapes) → the real sync → facts.
 * Every expected figure is worked by hand below; fx defaults: 150 JPY and 0.307 KWD per USD.
 */
let sim: StripeSim;
let db: Sqlite;

const facts = (id: string) => db.prepare('SELECT * FROM customer_facts WHERE customer_id = ?').get(id) as Record<string, unknown>;

beforeAll(async () => {
  sim = await startStripeSim({ seed: 3, customers: 5, rateLimit: null, factsCases: true });
  const key = randomTestKey();
  sim.addKey(key, 'all');
  db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  const result = await createSync({ db, apiBase: sim.url, key, fetch, clock: { now: () => sim.now() * 1000 }, logger: silentLogger, ratePerSecond: 1000, pageSize: 50, backoffMs: 5 }).run({});
  expect(result.status).toBe('completed');
  recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: 'all' });
});
afterAll(async () => {
  db?.close();
  await sim?.close();
});

describe('7. zero- and three-decimal currencies', () => {
  it('a ¥15,000/month subscription is about $100 of MRR, not $1.00', () => {
    // JPY has no minor unit: amount 15000 = ¥15,000; ÷ 150 = $100.00 = 10000 cents.
    expect(facts('cus_fx_jpy').mrr).toBe(10_000);
    expect(formatMoney(facts('cus_fx_jpy').mrr as number, 'usd')).toBe('$100.00');
  });

  it('a KWD 12.500/month subscription is $40.72 (three decimals)', () => {
    // KWD has three decimals: amount 12500 = 12.500 KWD; ÷ 0.307 = 40.7166 USD → 4072 cents.
    expect(facts('cus_fx_kwd').mrr).toBe(4072);
  });
});

describe("8. MRR per Stripe's Billing analytics definition", () => {
  it('leaves metered prices out', () => {
    expect(facts('cus_fx_metered').mrr).toBe(5000); // $50 licensed; the $0.10/unit metered price is not MRR
  });

  it('prices graduated and volume tiers at the item quantity', () => {
    // graduated, 12 units: 5 × $10 + $20 flat, 5 × $8, 2 × $5 = $50 + $20 + $40 + $10 = $120
    expect(facts('cus_fx_graduated').mrr).toBe(12_000);
    // volume, 12 units fall in the second tier: 12 × $7 + $15 flat = $99
    expect(facts('cus_fx_volume').mrr).toBe(9900);
  });

  it('reads prices given only as unit_amount_decimal', () => {
    // 1250.5 cents × 4 a year = 5002 / 12 = 416.83 → 417
    expect(facts('cus_fx_decimal').mrr).toBe(417);
  });

  it('applies item-level and stacked forever discounts, not repeating ones, unless the workspace says so', () => {
    // $200 − $20 item discount = $180; × 0.9 (forever 10%) = $162; the repeating 50% is left out;
    // the customer's 25% does not apply (the subscription has its own discounts).
    expect(facts('cus_fx_stacked').mrr).toBe(16_200);
    writeMrrOptions(db, { includeFiniteCoupons: true });
    recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: ['cus_fx_stacked'] });
    expect(facts('cus_fx_stacked').mrr).toBe(8100); // $162 × 0.5
    writeMrrOptions(db, { includeFiniteCoupons: false });
    recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: ['cus_fx_stacked'] });
    expect(facts('cus_fx_stacked').mrr).toBe(16_200);
  });

  it('applies a customer-level discount to a subscription without its own', () => {
    expect(facts('cus_fx_custdisc').mrr).toBe(7500); // $100 × 0.75
  });

  it('counts unpaid subscriptions as churned', () => {
    expect(facts('cus_fx_unpaid')).toMatchObject({ subscription_status: 'unpaid', mrr: 0 });
  });

  it('removes tax from a tax-inclusive price', () => {
    expect(facts('cus_fx_taxincl').mrr).toBe(10_000); // $119 including 19% VAT → $100
  });
});

describe('9. the card an invoice would be charged to', () => {
  it("reads the card on the subscription (Checkout) and in the customer's default_source (older accounts)", () => {
    expect(facts('cus_fx_jpy')).toMatchObject({ card_expiry: '2027-03' });
    expect(facts('cus_fx_source')).toMatchObject({ card_expiry: '2028-07' });
  });

  it("prefers the subscription's default payment method over the customer's", () => {
    expect(facts('cus_fx_kwd')).toMatchObject({ card_expiry: '2029-05' }); // not the customer's 2026-12 card
  });
});

describe('10. hard and soft declines with advice_code', () => {
  it('stores advice_code and classes codes that need the customer as hard', () => {
    expect(db.prepare("SELECT advice_code FROM charges WHERE customer_id = 'cus_fx_advice_stop'").pluck().get()).toBe('do_not_try_again');
    expect(facts('cus_fx_advice_stop')).toMatchObject({ last_decline_code: 'generic_decline', last_advice_code: 'do_not_try_again', last_decline_hard: 1 });
    expect(facts('cus_fx_advice_later')).toMatchObject({ last_decline_code: 'generic_decline', last_advice_code: 'try_again_later', last_decline_hard: 0 });
    expect(facts('cus_fx_3ds')).toMatchObject({ last_decline_code: 'authentication_required', last_decline_hard: 1 });
    expect(facts('cus_fx_bank')).toMatchObject({ last_decline_code: 'account_closed', last_decline_hard: 1 });
  });

  it('gives recovery runs a retry decision from the synced charge', () => {
    const row = (id: string) => db.prepare('SELECT decline_code AS declineCode, failure_code AS failureCode, advice_code AS adviceCode FROM charges WHERE customer_id = ?').get(id) as Parameters<typeof retryAdvice>[0];
    expect(retryAdvice(row('cus_fx_advice_stop'))).toBe('ask_new_card');
    expect(retryAdvice(row('cus_fx_advice_later'))).toBe('retry');
    expect(retryAdvice(row('cus_fx_3ds'))).toBe('ask_new_card');
    expect(retryAdvice(row('cus_fx_bank'))).toBe('ask_new_card');
  });
});

describe('objects that arrive with ids instead of expansions (events, retrieves)', () => {
  it('keep the discounts, cards and tiers already synced', () => {
    // Event payloads carry discount and payment method ids, and prices without tiers.
    const snap = sim.snapshot();
    const writers = createWriters(db);
    const subOf = (cus: string) => structuredClone(snap.subscriptions.find((x) => x.customer === cus)!);
    for (const cus of ['cus_fx_stacked', 'cus_fx_jpy', 'cus_fx_kwd', 'cus_fx_graduated']) {
      const sub = subOf(cus);
      expect(typeof sub.default_payment_method === 'string' || sub.default_payment_method === null).toBe(true);
      db.transaction(() => writers.write(sub as unknown as Writable))();
    }
    db.transaction(() => writers.write(structuredClone(snap.customers.find((c) => c.id === 'cus_fx_source')!) as unknown as Writable))();
    db.transaction(() => writers.write(structuredClone(snap.prices.find((p) => p.id === 'price_fx_grad')!) as unknown as Writable))();
    recomputeFacts(db, { now: sim.now(), reportingCurrency: 'usd', customerIds: 'dirty' });
    expect(facts('cus_fx_stacked').mrr).toBe(16_200);
    expect(facts('cus_fx_graduated').mrr).toBe(12_000);
    expect(facts('cus_fx_jpy').card_expiry).toBe('2027-03');
    expect(facts('cus_fx_kwd').card_expiry).toBe('2029-05');
    expect(facts('cus_fx_source').card_expiry).toBe('2028-07');
  });
});
