import { describe, expect, it } from 'vitest';
import { isHardDecline } from '../../main/core/facts/declines';
import { monthlyAmount, subscriptionMrr, type SubForMrr } from '../../main/core/facts/mrr';

const NOW = 1_793_491_200;
const sub = (unitAmount: number, opts: Partial<SubForMrr> & { quantity?: number; interval?: 'month' | 'year' | 'week' | 'day'; intervalCount?: number } = {}): SubForMrr => ({
  status: opts.status ?? 'active',
  currency: opts.currency ?? 'usd',
  trialEnd: opts.trialEnd ?? null,
  discountEnd: opts.discountEnd ?? null,
  items: opts.items ?? [{ unitAmount, quantity: opts.quantity ?? 1, interval: opts.interval ?? 'month', intervalCount: opts.intervalCount ?? 1 }],
});

describe('MRR normalisation (hand-worked)', () => {
  it('normalises intervals to a month', () => {
    expect(monthlyAmount({ unitAmount: 2900, quantity: 1, interval: 'month' })).toBe(2900);
    expect(monthlyAmount({ unitAmount: 29000, quantity: 1, interval: 'year' })).toBe(2417); // 290.00 / 12 = 24.1666…
    expect(monthlyAmount({ unitAmount: 1000, quantity: 1, interval: 'week' })).toBe(4333); // 10.00 × 52 / 12
    expect(monthlyAmount({ unitAmount: 100, quantity: 1, interval: 'day' })).toBe(3042); // 1.00 × 365 / 12 = 30.4166…
    expect(monthlyAmount({ unitAmount: 30000, quantity: 1, interval: 'month', intervalCount: 3 })).toBe(10000); // quarterly
  });

  it('applies quantity (seats)', () => {
    expect(subscriptionMrr(sub(99900, { quantity: 5 }), null, NOW)).toBe(499500);
  });

  it('applies percent-off and amount-off coupons, per billing period', () => {
    expect(subscriptionMrr(sub(19900), { percentOff: 20, amountOff: null, currency: null }, NOW)).toBe(15920);
    expect(subscriptionMrr(sub(19900), { percentOff: null, amountOff: 5000, currency: 'usd' }, NOW)).toBe(14900);
    // $100 off a $1,990 yearly invoice: (199000 − 10000) / 12 = 15750
    expect(subscriptionMrr(sub(199000, { interval: 'year' }), { percentOff: null, amountOff: 10000, currency: 'usd' }, NOW)).toBe(15750);
    // amount_off in another currency does not apply; an ended discount is ignored
    expect(subscriptionMrr(sub(19900, { currency: 'eur' }), { percentOff: null, amountOff: 5000, currency: 'usd' }, NOW)).toBe(19900);
    expect(subscriptionMrr(sub(19900, { discountEnd: NOW - 1 }), { percentOff: 50, amountOff: null, currency: null }, NOW)).toBe(19900);
    // never negative
    expect(subscriptionMrr(sub(2900), { percentOff: null, amountOff: 5000, currency: 'usd' }, NOW)).toBe(0);
  });

  it('excludes trials, canceled and unpaid subscriptions (Stripe counts unpaid as churned), keeps past_due', () => {
    expect(subscriptionMrr(sub(2900, { status: 'trialing' }), null, NOW)).toBe(0);
    expect(subscriptionMrr(sub(2900, { trialEnd: NOW + 3600 }), null, NOW)).toBe(0);
    expect(subscriptionMrr(sub(2900, { status: 'canceled' }), null, NOW)).toBe(0);
    expect(subscriptionMrr(sub(2900, { status: 'incomplete_expired' }), null, NOW)).toBe(0);
    expect(subscriptionMrr(sub(2900, { status: 'past_due' }), null, NOW)).toBe(2900);
    expect(subscriptionMrr(sub(2900, { status: 'unpaid' }), null, NOW)).toBe(0);
  });

  it('sums items of different intervals before rounding once', () => {
    const s = sub(0, { items: [{ unitAmount: 29000, quantity: 1, interval: 'year', intervalCount: 1 }, { unitAmount: 29000, quantity: 1, interval: 'year', intervalCount: 1 }] });
    expect(subscriptionMrr(s, null, NOW)).toBe(4833); // 2 × 2416.67 = 4833.33
  });
});

describe('decline classification', () => {
  it('treats lost, stolen, fraudulent and wrong-card declines as hard, funds and issuer hiccups as soft', () => {
    for (const c of ['lost_card', 'stolen_card', 'pickup_card', 'incorrect_number', 'expired_card', 'fraudulent', 'do_not_try_again']) expect(isHardDecline(c), c).toBe(true);
    for (const c of ['insufficient_funds', 'generic_decline', 'do_not_honor', 'try_again_later', 'processing_error', 'card_velocity_exceeded']) expect(isHardDecline(c), c).toBe(false);
  });
});
