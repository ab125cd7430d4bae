import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { converter } from '../../main/core/facts/compute';
import { isHardDecline, retryAdvice } from '../../main/core/facts/declines';
import { itemPeriodAmount, simplePrice, subscriptionMrrExact, type DiscountForMrr, type ItemForMrr, type PriceForMrr } from '../../main/core/facts/mrr';
import { cardExpiryOf, inclusiveTaxShare, invoiceInclusiveTaxShare, readDiscount, readPrice, subscriptionDiscounts, type CouponRow } from '../../main/core/facts/stripe-read';
import { convertMinorExact, formatMoney, minorExponent, parseMoney } from '../../shared/money';
import { tempDir } from '../helpers/core';

const NOW = 1_793_491_200;

describe('7. minor units per Stripe (https://docs.stripe.com/currencies)', () => {
  it('knows zero-, two- and three-decimal currencies, including where Stripe differs from ISO', () => {
    for (const c of ['jpy', 'KRW', 'vnd', 'clp', 'ugx', 'xof']) expect(minorExponent(c), c).toBe(0);
    for (const c of ['bhd', 'jod', 'kwd', 'omr', 'tnd']) expect(minorExponent(c), c).toBe(3);
    // ISK, HUF and TWD are sent with two decimals (Stripe's "special cases"); Intl says 0 for ISK.
    for (const c of ['usd', 'eur', 'isk', 'huf', 'twd']) expect(minorExponent(c), c).toBe(2);
  });

  it('formats and parses with those exponents', () => {
    expect(formatMoney(15_000, 'jpy')).toBe('¥15,000');
    expect(formatMoney(12_500, 'kwd')).toMatch(/^KWD\s12\.500$/);
    expect(formatMoney(1999, 'usd')).toBe('$19.99');
    expect(formatMoney(150_000, 'isk')).toMatch(/^ISK\s1,500\.00$/);
    expect(parseMoney('15,000', 'jpy')).toBe(15_000);
    expect(parseMoney('12.5', 'kwd')).toBe(12_500);
  });

  it('converts between currencies in major units: ¥15,000 at 150/USD is $100.00', () => {
    const perUsd = (c: string) => ({ usd: 1, jpy: 150, kwd: 0.307, eur: 0.92 })[c.toLowerCase()] ?? 1;
    expect(convertMinorExact(15_000, 'jpy', 'usd', perUsd)).toBeCloseTo(10_000, 6);
    expect(convertMinorExact(10_000, 'usd', 'jpy', perUsd)).toBeCloseTo(15_000, 6);
    expect(Math.round(convertMinorExact(12_500, 'kwd', 'usd', perUsd))).toBe(4072); // 12.5 / 0.307 = 40.7166
    expect(Math.round(convertMinorExact(2700, 'eur', 'usd', perUsd))).toBe(2935);
  });

  it('uses the workspace fx_rates table with the same exponents', () => {
    const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    migrate(db, workspaceMigrations);
    db.prepare("INSERT INTO fx_rates VALUES ('jpy', 160), ('kwd', 0.31), ('eur', 0.9)").run();
    const toEur = converter(db, 'eur');
    // ¥16,000 at 160 JPY per EUR = €100.00; KWD 3.100 at 0.31 = €10.00; EUR stays as it is.
    expect(toEur(16_000, 'jpy')).toBeCloseTo(10_000, 6);
    expect(toEur(3100, 'kwd')).toBeCloseTo(1000, 6);
    expect(toEur(1234, 'eur')).toBe(1234);
    // A currency missing from the table uses the default cross rate: 1.36 CAD per USD, 0.92 EUR per USD.
    expect(toEur(13_600, 'cad')).toBeCloseTo(9200, 6);
    db.close();
  });
});

const price = (p: Partial<PriceForMrr>): PriceForMrr => ({ ...simplePrice(0, 'month'), ...p });
const item = (p: Partial<PriceForMrr>, quantity = 1, extra: Partial<ItemForMrr> = {}): ItemForMrr => ({ price: price(p), quantity, discounts: [], inclusiveTaxShare: 0, ...extra });
const d = (x: Partial<DiscountForMrr>): DiscountForMrr => ({ percentOff: null, amountOff: null, currency: null, duration: 'forever', end: null, ...x });
const sub = (items: ItemForMrr[], discounts: DiscountForMrr[] = [], status = 'active') => ({ status, currency: 'usd', trialEnd: null, items, discounts });

describe('8. MRR computations (hand-worked)', () => {
  it('prices graduated and volume tiers', () => {
    const tiers = [{ upTo: 5, unitAmount: 1000, flatAmount: 2000 }, { upTo: 10, unitAmount: 800, flatAmount: null }, { upTo: null, unitAmount: 500, flatAmount: null }];
    const grad = price({ billingScheme: 'tiered', tiersMode: 'graduated', tiers, unitAmount: null });
    expect(itemPeriodAmount(grad, 3)).toBe(5000); // 3 × 10 + 20 flat
    expect(itemPeriodAmount(grad, 12)).toBe(12_000); // 50 + 20 + 40 + 10
    expect(itemPeriodAmount(grad, 0)).toBe(0);
    const vol = price({ billingScheme: 'tiered', tiersMode: 'volume', tiers, unitAmount: null });
    expect(itemPeriodAmount(vol, 3)).toBe(5000); // 3 × 10 + 20 flat
    expect(itemPeriodAmount(vol, 8)).toBe(6400); // 8 × 8
    expect(itemPeriodAmount(vol, 40)).toBe(20_000); // 40 × 5
  });

  it('prices packages (transform_quantity), decimal amounts, and leaves metered prices out', () => {
    expect(itemPeriodAmount(price({ unitAmount: 1000, transformQuantity: { divideBy: 10, round: 'up' } }), 25)).toBe(3000); // 3 packages
    expect(itemPeriodAmount(price({ unitAmount: 1000, transformQuantity: { divideBy: 10, round: 'down' } }), 25)).toBe(2000);
    expect(itemPeriodAmount(price({ unitAmount: 0.5 }), 3)).toBe(1.5);
    expect(subscriptionMrrExact(sub([item({ unitAmount: 5000 }), item({ unitAmount: 10, metered: true }, 1000)]), NOW)).toBe(5000);
  });

  it('stacks discounts: item first, then the subscription’s in order; amount_off per billing period', () => {
    const s = sub([item({ unitAmount: 20_000 }, 1, { discounts: [d({ amountOff: 2000, currency: 'usd' })] })], [d({ percentOff: 10 }), d({ percentOff: 50, duration: 'repeating', end: NOW + 86_400 })]);
    expect(subscriptionMrrExact(s, NOW)).toBe(16_200); // (200 − 20) × 0.9
    expect(subscriptionMrrExact(s, NOW, { includeFiniteCoupons: true })).toBe(8100); // × 0.5
    // An ended repeating discount never counts, even with the setting on.
    const ended = sub([item({ unitAmount: 20_000 })], [d({ percentOff: 50, duration: 'repeating', end: NOW - 1 })]);
    expect(subscriptionMrrExact(ended, NOW, { includeFiniteCoupons: true })).toBe(20_000);
    // $120 off a yearly $1,200 invoice: (1200 − 120) / 12 = $90 a month.
    expect(subscriptionMrrExact(sub([item({ unitAmount: 120_000, interval: 'year' })], [d({ amountOff: 12_000, currency: 'usd' })]), NOW)).toBe(9000);
    // once-coupons do not reduce MRR by default
    expect(subscriptionMrrExact(sub([item({ unitAmount: 10_000 })], [d({ percentOff: 100, duration: 'once' })]), NOW)).toBe(10_000);
  });

  it('removes inclusive tax, and counts only active and past_due', () => {
    expect(subscriptionMrrExact(sub([item({ unitAmount: 11_900 }, 1, { inclusiveTaxShare: inclusiveTaxShare([{ inclusive: true, percentage: 19 }]) })]), NOW)).toBeCloseTo(10_000, 6);
    expect(inclusiveTaxShare([{ inclusive: false, percentage: 19 }])).toBe(0);
    // Stripe Tax, inclusive: $20 tax in a $120 invoice → 1/6 of the amount is tax.
    expect(invoiceInclusiveTaxShare({ total: 12_000, total_taxes: [{ amount: 2000, tax_behavior: 'inclusive' }] })).toBeCloseTo(1 / 6, 9);
    expect(invoiceInclusiveTaxShare({ total: 12_000, total_taxes: [{ amount: 2000, tax_behavior: 'exclusive' }] })).toBe(0);
    expect(invoiceInclusiveTaxShare({ total: 12_000, total_tax_amounts: [{ amount: 2000, inclusive: true }] })).toBeCloseTo(1 / 6, 9);
    for (const [status, mrr] of [['active', 1000], ['past_due', 1000], ['unpaid', 0], ['trialing', 0], ['paused', 0], ['canceled', 0], ['incomplete', 0]] as const) {
      expect(subscriptionMrrExact(sub([item({ unitAmount: 1000 })], [], status), NOW), status).toBe(mrr);
    }
  });

  it('reads discounts and prices in the current shape and the older one', () => {
    const coupons = (id: string): CouponRow | undefined => (id === 'C10' ? { id: 'C10', percent_off: 10, amount_off: null, currency: null, duration: 'forever' } : undefined);
    expect(readDiscount({ object: 'discount', end: null, source: { type: 'coupon', coupon: 'C10' } }, coupons)).toEqual(d({ percentOff: 10 }));
    expect(readDiscount({ object: 'discount', end: 5, coupon: { id: 'X', percent_off: 50, duration: 'repeating' } }, coupons)).toEqual(d({ percentOff: 50, duration: 'repeating', end: 5 }));
    expect(readDiscount('di_123', coupons)).toBeNull();
    expect(subscriptionDiscounts({ discounts: [], discount: { coupon: { id: 'Y', amount_off: 500, currency: 'usd', duration: 'forever' }, end: null } }, coupons).discounts).toEqual([d({ amountOff: 500, currency: 'usd' })]);
    const p = readPrice({ billing_scheme: 'per_unit', unit_amount: null, unit_amount_decimal: '1250.5', recurring: { interval: 'year', interval_count: 1, usage_type: 'licensed', meter: null } }, { unit_amount: null, recurring_interval: null, recurring_interval_count: null });
    expect(p).toMatchObject({ unitAmount: 1250.5, interval: 'year', metered: false });
    expect(readPrice({ recurring: { interval: 'month', usage_type: 'licensed', meter: 'mtr_1' } }, { unit_amount: 10, recurring_interval: 'month', recurring_interval_count: 1 })?.metered).toBe(true);
    expect(readPrice({ type: 'one_time' }, { unit_amount: 10, recurring_interval: null, recurring_interval_count: null })).toBeNull();
  });
});

describe('9. card expiry from any shape Stripe returns', () => {
  it('reads payment methods, card sources and sources', () => {
    expect(cardExpiryOf({ object: 'payment_method', card: { exp_month: 3, exp_year: 2027 } })).toEqual({ expMonth: 3, expYear: 2027 });
    expect(cardExpiryOf({ object: 'card', exp_month: 7, exp_year: 2028 })).toEqual({ expMonth: 7, expYear: 2028 });
    expect(cardExpiryOf({ object: 'source', type: 'card', card: { exp_month: 1, exp_year: 2030 } })).toEqual({ expMonth: 1, expYear: 2030 });
    expect(cardExpiryOf('pm_123')).toBeNull();
    expect(cardExpiryOf({ object: 'payment_method', type: 'sepa_debit', sepa_debit: {} })).toBeNull();
  });
});

describe('10. retry advice', () => {
  it('stops on lost, stolen, fraud and revoked authorisations', () => {
    for (const c of ['lost_card', 'stolen_card', 'pickup_card', 'fraudulent', 'revocation_of_authorization', 'stop_payment_order']) {
      expect(retryAdvice({ declineCode: c, adviceCode: 'try_again_later' }), c).toBe('do_not_retry');
    }
  });

  it('asks the customer when the card or account needs them', () => {
    for (const c of ['authentication_required', 'incorrect_cvc', 'invalid_expiry_month', 'invalid_expiry_year', 'incorrect_pin', 'pin_try_exceeded', 'call_issuer', 'expired_card', 'incorrect_number', 'transaction_not_allowed']) {
      expect(retryAdvice({ declineCode: c }), c).toBe('ask_new_card');
    }
    expect(retryAdvice({ declineCode: null, failureCode: 'account_closed' })).toBe('ask_new_card');
    expect(retryAdvice({ declineCode: 'generic_decline', adviceCode: 'do_not_try_again' })).toBe('ask_new_card');
    expect(retryAdvice({ declineCode: 'do_not_honor', adviceCode: 'confirm_card_data' })).toBe('ask_new_card');
  });

  it('retries funds, limits and issuer hiccups, and whatever Stripe says to try later', () => {
    for (const c of ['insufficient_funds', 'generic_decline', 'do_not_honor', 'processing_error', 'card_velocity_exceeded', 'try_again_later']) expect(retryAdvice({ declineCode: c }), c).toBe('retry');
    expect(retryAdvice({ declineCode: 'insufficient_funds', adviceCode: 'try_again_later' })).toBe('retry');
    expect(isHardDecline('generic_decline', 'do_not_try_again')).toBe(true);
    expect(isHardDecline('generic_decline', null)).toBe(false);
  });
});
