/**
 * Benchmark fast path: writes N customers' facts rows straight into
 * customer_facts (no Stripe objects), deterministically from a seed, with the
 * distributions of the demo generator (plans, tenures, failure mix, metadata).
 * It is for measuring segment queries at 100k–1M customers; the sync path is
 * measured separately on the demo generator.
 */
import type { Sqlite } from '../main/core/db/sqlite';

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLANS = [
  { name: 'Starter', mrr: 2900, weight: 0.6 },
  { name: 'Growth', mrr: 19900, weight: 0.3 },
  { name: 'Enterprise', mrr: 99900, weight: 0.1 },
];
const REGIONS = ['na', 'emea', 'apac', 'latam'];
const INDUSTRIES = ['saas', 'ecommerce', 'fintech', 'health', 'education', 'media'];
const MANAGERS = ['alice@vendor.test', 'bruno@vendor.test', 'chen@vendor.test'];
const SOFT = ['insufficient_funds', 'generic_decline', 'do_not_honor', 'try_again_later', 'processing_error'];
const HARD = ['lost_card', 'stolen_card', 'expired_card', 'incorrect_number', 'pickup_card'];
const TAGS = ['beta', 'priority', 'partner', 'nonprofit', 'churn-risk'];

export function writeSyntheticFacts(db: Sqlite, n: number, seed = 1, now = 1_793_491_200): void {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const insert = db.prepare(`INSERT INTO customer_facts (customer_id, email, name, currency, plan, product_id, billing_interval,
      subscription_status, mrr, tenure_days, ltv, failures_12m, last_decline_code, last_decline_hard, card_expiry,
      card_expires_in_days, open_past_due_count, amount_at_risk, days_since_first_failure, region, industry,
      account_manager, tags, attrs, created, computed_at)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const r = rnd();
      const plan = r < PLANS[0]!.weight ? PLANS[0]! : r < PLANS[0]!.weight + PLANS[1]!.weight ? PLANS[1]! : PLANS[2]!;
      const seats = plan.name === 'Enterprise' ? 1 + Math.floor(rnd() * 10) : 1;
      const status = rnd() < 0.08 ? 'canceled' : rnd() < 0.1 ? 'trialing' : rnd() < 0.1 ? 'past_due' : 'active';
      const mrr = status === 'canceled' || status === 'trialing' ? 0 : plan.mrr * seats;
      const tenure = Math.floor(rnd() ** 2 * 1800);
      const failures = rnd() < 0.7 ? 0 : Math.floor(rnd() * 5);
      const declined = failures > 0;
      const hard = declined && rnd() < 0.25;
      const pastDue = status === 'past_due' ? 1 + Math.floor(rnd() * 2) : 0;
      const expYear = 2025 + Math.floor(rnd() * 5);
      const expMonth = 1 + Math.floor(rnd() * 12);
      const tags = TAGS.filter(() => rnd() < 0.15);
      const id = `cus_${seed.toString(36)}${i.toString(36).padStart(8, '0')}`;
      insert.run(
        id, `customer${i}@example.test`, `Customer ${i}`, 'usd', plan.name, `prod_${plan.name.toLowerCase()}`, rnd() < 0.2 ? 'year' : 'month',
        status, mrr, tenure, Math.floor((mrr * tenure) / 30), failures, declined ? (hard ? pick(HARD) : pick(SOFT)) : null,
        declined ? (hard ? 1 : 0) : null, `${expYear}-${String(expMonth).padStart(2, '0')}`,
        Math.floor((Date.UTC(expYear, expMonth, 1) / 1000 - now) / 86400), pastDue, pastDue * plan.mrr * seats,
        pastDue ? Math.floor(rnd() * 30) : null, pick(REGIONS), pick(INDUSTRIES), plan.name === 'Enterprise' ? pick(MANAGERS) : null,
        JSON.stringify(tags), JSON.stringify({ seats: String(seats), company_size: String(10 + Math.floor(rnd() * 2000)) }),
        now - tenure * 86400, now,
      );
    }
  });
  for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000));
}
