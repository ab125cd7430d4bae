import type { Sqlite } from '../db/sqlite';
import { isHardDecline } from './declines';
import { subscriptionMrr, type Interval } from './mrr';

/**
 * Derives customer_facts from the synced Stripe tables, for all customers, the
 * ones marked dirty by the sync (cleared in the same transaction), or a list.
 * Money is converted into the workspace reporting currency with fx_rates
 * (defaults below when the table is empty).
 */
const DEFAULT_PER_USD: Record<string, number> = { usd: 1, eur: 0.92, gbp: 0.79, cad: 1.36, aud: 1.52, jpy: 150, chf: 0.88, sek: 10.5 };
const RESERVED = new Set(['region', 'industry', 'account_manager', 'tags']);
const STATUS_RANK = ['active', 'past_due', 'unpaid', 'trialing', 'incomplete', 'paused', 'incomplete_expired', 'canceled'];
const DAY = 86_400;
const BATCH = 500;

interface SubRow {
  id: string;
  customer_id: string;
  status: string;
  currency: string;
  start_date: number | null;
  created: number;
  trial_end: number | null;
  discount_end: number | null;
  percent_off: number | null;
  amount_off: number | null;
  coupon_currency: string | null;
}
interface ItemRow {
  subscription_id: string;
  quantity: number;
  unit_amount: number | null;
  recurring_interval: string | null;
  recurring_interval_count: number | null;
  product_id: string | null;
  product_name: string | null;
}

function converter(db: Sqlite, reporting: string): (amount: number, currency: string | null) => number {
  const rows = db.prepare('SELECT currency, per_unit_of_reporting AS r FROM fx_rates').all() as { currency: string; r: number }[];
  if (rows.length > 0) {
    const rate = new Map(rows.map((x) => [x.currency, x.r]));
    return (amount, currency) => Math.round(amount / (rate.get((currency ?? reporting).toLowerCase()) ?? 1));
  }
  const perUsd = (c: string) => DEFAULT_PER_USD[c.toLowerCase()] ?? 1;
  const rep = perUsd(reporting);
  return (amount, currency) => (!currency || currency === reporting ? amount : Math.round((amount / perUsd(currency)) * rep));
}

export function recomputeFacts(
  db: Sqlite,
  opts: { now: number; reportingCurrency: string; customerIds?: string[] | 'dirty' | 'all' },
): { updated: number } {
  const { now } = opts;
  const target = opts.customerIds ?? 'all';
  const toReporting = converter(db, opts.reportingCurrency.toLowerCase());
  const q = {
    customers: db.prepare(`SELECT id, email, name, created, currency, default_payment_method, metadata, deleted FROM customers WHERE id IN (SELECT value FROM json_each(?))`),
    subs: db.prepare(`SELECT s.id, s.customer_id, s.status, s.currency, s.start_date, s.created, s.trial_end, s.discount_end,
        c.percent_off, c.amount_off, c.currency AS coupon_currency
      FROM subscriptions s LEFT JOIN coupons c ON c.id = s.coupon_id WHERE s.customer_id IN (SELECT value FROM json_each(?))`),
    items: db.prepare(`SELECT i.subscription_id, i.quantity, p.unit_amount, p.recurring_interval, p.recurring_interval_count, p.product_id, pr.name AS product_name
      FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
      LEFT JOIN prices p ON p.id = i.price_id LEFT JOIN products pr ON pr.id = p.product_id
      WHERE s.customer_id IN (SELECT value FROM json_each(?))`),
    paid: db.prepare(`SELECT customer_id, currency, sum(amount_paid) AS paid FROM invoices WHERE status = 'paid' AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id, currency`),
    refunded: db.prepare(`SELECT customer_id, currency, sum(amount_refunded) AS refunded FROM charges WHERE amount_refunded > 0 AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id, currency`),
    failures: db.prepare(`SELECT customer_id, count(*) AS n FROM charges WHERE status = 'failed' AND created >= ? AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id`),
    lastFailure: db.prepare(`SELECT customer_id, coalesce(decline_code, failure_code) AS code, max(created) AS at FROM charges WHERE status = 'failed' AND customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id`),
    pastDue: db.prepare(`SELECT customer_id, currency, count(*) AS n, sum(amount_remaining) AS remaining, min(created) AS first_created
      FROM invoices WHERE status = 'open' AND (attempt_count > 0 OR (due_date IS NOT NULL AND due_date < ?)) AND customer_id IN (SELECT value FROM json_each(?))
      GROUP BY customer_id, currency`),
    firstFailureOpen: db.prepare(`SELECT i.customer_id, min(c.created) AS first FROM invoices i JOIN charges c ON c.invoice_id = i.id AND c.status = 'failed'
      WHERE i.status = 'open' AND i.customer_id IN (SELECT value FROM json_each(?)) GROUP BY i.customer_id`),
    cards: db.prepare(`SELECT id, customer_id, exp_month, exp_year, created FROM payment_methods WHERE type = 'card' AND customer_id IN (SELECT value FROM json_each(?)) ORDER BY created DESC`),
    csv: db.prepare(`SELECT customer_id, key, value_text, value_num FROM custom_attributes WHERE customer_id IN (SELECT value FROM json_each(?))`),
    upsert: db.prepare(`INSERT OR REPLACE INTO customer_facts (customer_id, email, name, currency, plan, product_id, billing_interval, subscription_status,
        mrr, tenure_days, ltv, failures_12m, last_decline_code, last_decline_hard, card_expiry, card_expires_in_days, open_past_due_count,
        amount_at_risk, days_since_first_failure, region, industry, account_manager, tags, attrs, created, computed_at)
      VALUES (@customer_id, @email, @name, @currency, @plan, @product_id, @billing_interval, @subscription_status, @mrr, @tenure_days, @ltv,
        @failures_12m, @last_decline_code, @last_decline_hard, @card_expiry, @card_expires_in_days, @open_past_due_count, @amount_at_risk,
        @days_since_first_failure, @region, @industry, @account_manager, @tags, @attrs, @created, @computed_at)`),
    remove: db.prepare(`DELETE FROM customer_facts WHERE customer_id IN (SELECT value FROM json_each(?))`),
    catalog: db.prepare(`INSERT OR IGNORE INTO attribute_catalog (key, type, source, label) VALUES (?, 'string', 'metadata', ?)`),
  };

  const group = <T extends { customer_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.customer_id);
      if (list) list.push(r);
      else m.set(r.customer_id, [r]);
    }
    return m;
  };

  const processBatch = (ids: string[]): number => {
    const json = JSON.stringify(ids);
    const customers = q.customers.all(json) as { id: string; email: string | null; name: string | null; created: number; currency: string | null; default_payment_method: string | null; metadata: string; deleted: number }[];
    const subs = group(q.subs.all(json) as SubRow[]);
    const itemsBySub = new Map<string, ItemRow[]>();
    for (const it of q.items.all(json) as ItemRow[]) {
      const l = itemsBySub.get(it.subscription_id);
      if (l) l.push(it);
      else itemsBySub.set(it.subscription_id, [it]);
    }
    const paid = group(q.paid.all(json) as { customer_id: string; currency: string; paid: number }[]);
    const refunded = group(q.refunded.all(json) as { customer_id: string; currency: string; refunded: number }[]);
    const failures = new Map((q.failures.all(now - 365 * DAY, json) as { customer_id: string; n: number }[]).map((r) => [r.customer_id, r.n]));
    const lastFailure = new Map((q.lastFailure.all(json) as { customer_id: string; code: string | null }[]).map((r) => [r.customer_id, r.code]));
    const pastDue = group(q.pastDue.all(now, json) as { customer_id: string; currency: string; n: number; remaining: number }[]);
    const firstFailure = new Map((q.firstFailureOpen.all(json) as { customer_id: string; first: number }[]).map((r) => [r.customer_id, r.first]));
    const cards = group(q.cards.all(json) as { id: string; customer_id: string; exp_month: number | null; exp_year: number | null }[]);
    const csv = group(q.csv.all(json) as { customer_id: string; key: string; value_text: string | null; value_num: number | null }[]);

    const gone = customers.filter((c) => c.deleted).map((c) => c.id);
    if (gone.length) q.remove.run(JSON.stringify(gone));
    let n = 0;
    for (const c of customers) {
      if (c.deleted) continue;
      let mrr = 0;
      let best: { mrr: number; plan: string | null; product: string | null; interval: string | null } | null = null;
      let status = 'none';
      let start = c.created;
      for (const s of subs.get(c.id) ?? []) {
        const items = (itemsBySub.get(s.id) ?? []).filter((i) => i.unit_amount !== null && i.recurring_interval);
        const subMrr = subscriptionMrr(
          {
            status: s.status,
            currency: s.currency,
            trialEnd: s.trial_end,
            discountEnd: s.discount_end,
            items: items.map((i) => ({ unitAmount: i.unit_amount!, quantity: i.quantity, interval: i.recurring_interval as Interval, intervalCount: i.recurring_interval_count ?? 1 })),
          },
          s.percent_off !== null || s.amount_off !== null ? { percentOff: s.percent_off, amountOff: s.amount_off, currency: s.coupon_currency } : null,
          now,
        );
        const converted = toReporting(subMrr, s.currency);
        mrr += converted;
        if (STATUS_RANK.indexOf(s.status) !== -1 && (status === 'none' || STATUS_RANK.indexOf(s.status) < STATUS_RANK.indexOf(status))) status = s.status;
        start = Math.min(start, s.start_date ?? s.created);
        if (s.status !== 'canceled' && items[0] && (!best || converted > best.mrr)) {
          best = { mrr: converted, plan: items[0].product_name, product: items[0].product_id, interval: items[0].recurring_interval };
        }
      }
      const ltv =
        (paid.get(c.id) ?? []).reduce((a, r) => a + toReporting(r.paid, r.currency), 0) -
        (refunded.get(c.id) ?? []).reduce((a, r) => a + toReporting(r.refunded, r.currency), 0);
      const due = pastDue.get(c.id) ?? [];
      const code = lastFailure.get(c.id) ?? null;
      const cardList = cards.get(c.id) ?? [];
      const card = cardList.find((p) => p.id === c.default_payment_method) ?? cardList[0];
      const expiry = card?.exp_year && card.exp_month ? `${card.exp_year}-${String(card.exp_month).padStart(2, '0')}` : null;
      // A card is valid through the last day of its expiry month.
      const expiresIn = card?.exp_year && card.exp_month ? Math.floor((Date.UTC(card.exp_year, card.exp_month, 1) / 1000 - now) / DAY) : null;
      let metadata: Record<string, unknown> = {};
      try {
        metadata = JSON.parse(c.metadata) as Record<string, unknown>;
      } catch {
        metadata = {};
      }
      // No prototype: a key such as __proto__ or constructor is an own property like any other.
      const attrs = Object.create(null) as Record<string, string | number | boolean | null>;
      for (const [k, v] of Object.entries(metadata)) {
        if (RESERVED.has(k)) continue;
        attrs[k] = typeof v === 'string' ? v : JSON.stringify(v);
        q.catalog.run(k, k);
      }
      for (const a of csv.get(c.id) ?? []) attrs[a.key] = a.value_num ?? a.value_text;
      const tags = [...new Set(String(metadata.tags ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))];
      const first = firstFailure.get(c.id);
      q.upsert.run({
        customer_id: c.id,
        email: c.email,
        name: c.name,
        currency: c.currency ?? subs.get(c.id)?.[0]?.currency ?? null,
        plan: best?.plan ?? null,
        product_id: best?.product ?? null,
        billing_interval: best?.interval ?? null,
        subscription_status: status,
        mrr,
        tenure_days: Math.max(0, Math.floor((now - start) / DAY)),
        ltv: Math.max(0, ltv),
        failures_12m: failures.get(c.id) ?? 0,
        last_decline_code: code,
        last_decline_hard: code === null ? null : isHardDecline(code) ? 1 : 0,
        card_expiry: expiry,
        card_expires_in_days: expiresIn,
        open_past_due_count: due.reduce((a, r) => a + r.n, 0),
        amount_at_risk: due.reduce((a, r) => a + toReporting(r.remaining, r.currency), 0),
        days_since_first_failure: due.length && first !== undefined ? Math.max(0, Math.floor((now - first) / DAY)) : null,
        region: typeof metadata.region === 'string' ? metadata.region : null,
        industry: typeof metadata.industry === 'string' ? metadata.industry : null,
        account_manager: typeof metadata.account_manager === 'string' ? metadata.account_manager : null,
        tags: JSON.stringify(tags),
        attrs: JSON.stringify(attrs),
        created: c.created,
        computed_at: now,
      });
      n++;
    }
    return n;
  };

  const ids: string[] =
    target === 'all'
      ? (db.prepare('SELECT id FROM customers').pluck().all() as string[])
      : target === 'dirty'
        ? (db.prepare('SELECT customer_id FROM dirty_customers').pluck().all() as string[])
        : target;
  let updated = 0;
  const clearDirty = db.prepare('DELETE FROM dirty_customers WHERE customer_id IN (SELECT value FROM json_each(?))');
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    updated += db.transaction(() => {
      const n = processBatch(batch);
      if (target === 'dirty') clearDirty.run(JSON.stringify(batch));
      return n;
    })();
  }
  return { updated };
}
