import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../shared/money';
import { declineWords, subscriptionStatusWords } from '../../shared/stripe-words';
import { DECLINE_CODES } from '../../main/core/facts/catalog';

// #21: Stripe's codes and small amounts as people read them in the console.
describe('Stripe codes in words', () => {
  it('every decline code Reclaim knows reads as words, with the familiar ones spelled out', () => {
    expect(declineWords('insufficient_funds')).toBe('Insufficient funds');
    expect(declineWords('incorrect_cvc')).toBe('Incorrect CVC');
    expect(declineWords('do_not_honor')).toBe('Do not honor');
    // Short enough for the customers table's Last decline column (no "Do not honor (bank de…").
    for (const code of DECLINE_CODES) expect(declineWords(code), code).toMatch(/^[A-Z0-9][^_]{0,19}$/);
  });

  it('subscription statuses read as words', () => {
    expect(subscriptionStatusWords('past_due')).toBe('Past due');
    expect(subscriptionStatusWords('incomplete_expired')).toBe('Incomplete, expired');
  });
});

describe('compact money', () => {
  it('is compact from a thousand up and exact below, never "$81.2"', () => {
    expect(formatMoney(8120, 'usd', { compact: true })).toBe('$81.20');
    expect(formatMoney(25_280_000, 'usd', { compact: true })).toBe('$252.8K');
    expect(formatMoney(99_999, 'usd', { compact: true })).toBe('$999.99');
    expect(formatMoney(500, 'jpy', { compact: true })).toBe('¥500');
  });
});
