import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { silentLogger } from '../../main/core/ports';
import { checkKey } from '../../main/core/stripe/connect';
import { REQUIRED_PERMISSIONS } from '../../main/core/stripe/permissions';
import { createSync } from '../../main/core/stripe/sync';
import { OLD_VERSION, PINNED_VERSION, randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';

/**
 * What a real Stripe account does that our own picture of it did not (issue #9),
 * each against the local server: least-privilege keys, id-less and
 * customer-less invoices, events in older API versions, deletions between runs,
 * a large event backlog, same-second events, and the event types that were dropped.
 */
type O = Record<string, unknown>;

function freshDb(): Sqlite {
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  return db;
}

/** Every customer's facts (all columns but the computation time), sorted by id. */
function facts(db: Sqlite, now: number): O[] {
  recomputeFacts(db, { now, reportingCurrency: 'usd', customerIds: 'all' });
  return (db.prepare('SELECT * FROM customer_facts ORDER BY customer_id').all() as O[]).map(({ computed_at: _c, ...rest }) => rest);
}

describe('a real Stripe account, against the local server', () => {
  const sims: StripeSim[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  async function sim(opts: Parameters<typeof startStripeSim>[0] = {}) {
    const s = await startStripeSim({ seed: 21, customers: 80, rateLimit: null, ...opts });
    sims.push(s);
    const key = randomTestKey();
    s.addKey(key, 'all');
    return { s, key };
  }
  const sync = (db: Sqlite, s: StripeSim, key: string, extra: Partial<Parameters<typeof createSync>[0]> = {}, signal?: AbortSignal) =>
    createSync({ db, apiBase: s.url, key, fetch, clock: { now: () => s.now() * 1000 }, logger: silentLogger, ratePerSecond: 2000, pageSize: 25, backoffMs: 5, rateLimitBackoffMs: 20, ...extra }).run(signal ? { signal } : {});

  // 1
  it('connects with a least-privilege restricted key: no account permission, the account learned from Stripe’s 403, every missing permission named', async () => {
    const { s } = await sim({ customers: 5 });
    const leastPrivilege = randomTestKey();
    s.addKey(leastPrivilege, [...new Set(REQUIRED_PERMISSIONS.map((p) => p.permission))]);
    const ok = await checkKey({ key: leastPrivilege, apiBase: s.url, fetch });
    expect(ok.missing).toEqual([]);
    expect(ok.accountId).toBe(s.accountId);
    // /v1/account answered 403: the key was never granted the account permission.
    expect(s.requestLog.some((r) => r.path === '/v1/account' && r.status === 403)).toBe(true);

    const noRefunds = randomTestKey();
    s.addKey(noRefunds, [...new Set(REQUIRED_PERMISSIONS.map((p) => p.permission))].filter((p) => p !== 'rak_refund_read'));
    const check = await checkKey({ key: noRefunds, apiBase: s.url, fetch });
    expect(check.missing.map((m) => m.permission)).toEqual(['rak_refund_read']);
    expect(check.missing[0]!.label).toMatch(/Refunds/);
  });

  // 2
  it('an invoice.upcoming event (invoice without id) is never read and an invoice without customer is skipped; later events still apply and the cursor moves', async () => {
    const { s, key } = await sim();
    const db = freshDb();
    await sync(db, s, key);
    const sub = s.snapshot().subscriptions.find((x) => x.status === 'active')!;
    s.tick(60);
    s.upcomingInvoice(sub.id);
    const orphan = s.invoiceWithoutCustomer();
    s.tick(1);
    s.updateSubscription(sub.id, { cancel_at_period_end: true, status: 'past_due' });
    const first = await sync(db, s, key);
    expect(first.status).toBe('completed');
    // Only the invoice without customer: invoice.upcoming is not subscribed to (#17 item 9).
    expect((first.counts.skipped ?? 0) + (first.counts.failed ?? 0)).toBe(1);
    expect(s.requestLog.filter((r) => r.path.startsWith('/v1/events') && decodeURIComponent(r.path).includes('invoice.upcoming'))).toEqual([]);
    expect(db.prepare('SELECT status FROM subscriptions WHERE id = ?').pluck().get(sub.id)).toBe('past_due');
    expect(db.prepare('SELECT count(*) FROM invoices WHERE id = ?').pluck().get(orphan)).toBe(0);
    // The next run starts after them: nothing fails again, new changes arrive.
    s.tick(60);
    s.updateSubscription(sub.id, { status: 'active' });
    const second = await sync(db, s, key);
    expect(second.status).toBe('completed');
    expect(second.counts.failed ?? 0).toBe(0);
    expect(db.prepare('SELECT status FROM subscriptions WHERE id = ?').pluck().get(sub.id)).toBe('active');
  });

  // 3 + done-when
  for (const version of [PINNED_VERSION, OLD_VERSION]) {
    it(`events rendered in ${version === PINNED_VERSION ? 'the pinned version' : `an older version (${version})`} keep links and facts equal to a fresh backfill`, async () => {
      const { s, key } = await sim({ apiVersion: version });
      const db = freshDb();
      await sync(db, s, key);
      s.advance(4 * 86_400);
      const r = await sync(db, s, key);
      expect(r.counts.events).toBeGreaterThan(0);
      // No link lost: every subscription invoice names its subscription, every invoice charge its invoice.
      expect(db.prepare(`SELECT count(*) FROM invoices WHERE subscription_id IS NULL AND json_extract(raw, '$.parent.subscription_details.subscription') IS NOT NULL`).pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM invoices WHERE subscription_id IS NULL').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM charges WHERE invoice_id IS NULL').pluck().get()).toBe(0);
      expect(db.prepare(`SELECT count(*) FROM invoices WHERE raw NOT LIKE '%"parent"%'`).pluck().get()).toBe(0);
      const fresh = freshDb();
      await sync(fresh, s, key);
      expect(facts(db, s.now())).toEqual(facts(fresh, s.now()));
    });
  }

  it('done when: a full and an incremental sync of an account whose events come in two API versions give the same facts as a fresh backfill', async () => {
    const { s, key } = await sim({ apiVersion: OLD_VERSION, customers: 120 });
    const db = freshDb();
    await sync(db, s, key);
    s.advance(3 * 86_400);
    s.setApiVersion(PINNED_VERSION); // the merchant upgrades their account
    s.advance(3 * 86_400);
    const events = s.snapshot().events;
    expect(new Set(events.filter((e) => e.created > s.now() - 6 * 86_400).map((e) => e.api_version))).toEqual(new Set([OLD_VERSION, PINNED_VERSION]));
    expect((await sync(db, s, key)).status).toBe('completed');
    const fresh = freshDb();
    await sync(fresh, s, key);
    const a = facts(db, s.now());
    expect(a.length).toBeGreaterThanOrEqual(120); // plus the customers who signed up while time passed
    expect(a).toEqual(facts(fresh, s.now()));
    expect(a.some((f) => (f.mrr as number) > 0)).toBe(true);
  });

  // 4
  it('a resume survives the deletion of the object it was paging after', async () => {
    const { s, key } = await sim({ customers: 120 });
    const db = freshDb();
    const abort = new AbortController();
    let customerPages = 0;
    const counting: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/v1/customers?') && ++customerPages === 3) abort.abort(new Error('user cancelled'));
      return fetch(input, init);
    };
    expect((await sync(db, s, key, { fetch: counting, concurrency: 1, pageSize: 10 }, abort.signal)).status).toBe('canceled');
    const cursor = JSON.parse(db.prepare(`SELECT cursor FROM sync_state WHERE resource = 'customers'`).pluck().get() as string) as { after: string };
    expect(cursor.after).toMatch(/^cus_/);
    s.remove(cursor.after); // deleted in Stripe between the two runs: starting_after now answers 400 resource_missing
    const resumed = await sync(db, s, key, { concurrency: 1, pageSize: 10 });
    expect(resumed.status).toBe('completed');
    const live = s.snapshot().customers.map((c) => c.id).sort();
    expect(db.prepare('SELECT id FROM customers WHERE deleted = 0 ORDER BY id').pluck().all()).toEqual(live);
    expect(db.prepare('SELECT deleted FROM customers WHERE id = ?').pluck().get(cursor.after)).toBe(1);

    // Deleted between incremental runs, in a stream that had no event when the backfill started.
    const price = s.snapshot().prices.find((p) => !s.snapshot().subscriptions.some((x) => JSON.stringify(x.items).includes(p.id)))!;
    s.tick(60);
    s.remove(price.id);
    expect((await sync(db, s, key)).status).toBe('completed');
    expect(db.prepare('SELECT active FROM prices WHERE id = ?').pluck().get(price.id)).toBe(0);
  });

  // 5
  it('pages through the event backlog with types[] filters, committing each page, never holding the backlog', async () => {
    const { s, key } = await sim();
    const db = freshDb();
    await sync(db, s, key);
    s.advance(12 * 86_400);
    const abort = new AbortController();
    let eventPages = 0;
    const counting: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/v1/events?') && url.includes('ending_before') && ++eventPages === 4) abort.abort(new Error('user cancelled'));
      return fetch(input, init);
    };
    const before = s.requestLog.length;
    expect((await sync(db, s, key, { fetch: counting, pageSize: 10 }, abort.signal)).status).toBe('canceled');
    const eventRequests = s.requestLog.slice(before).filter((r) => r.path.startsWith('/v1/events?'));
    expect(eventRequests.length).toBeGreaterThan(0);
    expect(eventRequests.every((r) => /types%5B/.test(r.path) || /types\[/.test(r.path))).toBe(true);
    // Pages applied before the cancel are committed with their cursor.
    expect(db.prepare(`SELECT sum(synced) FROM sync_state WHERE resource LIKE 'events:%'`).pluck().get()).toBeGreaterThanOrEqual(20);
    const finished = await sync(db, s, key, { pageSize: 10 });
    expect(finished.status).toBe('completed');
    const fresh = freshDb();
    await sync(fresh, s, key);
    expect(facts(db, s.now())).toEqual(facts(fresh, s.now()));
  });

  // 6
  it('same-second events on one subscription end in Stripe’s current state, whatever order they are listed in', async () => {
    const { s, key } = await sim();
    const db = freshDb();
    await sync(db, s, key);
    const subs = s.snapshot().subscriptions.filter((x) => x.status === 'active').slice(0, 10);
    expect(subs.length).toBe(10);
    s.tick(60);
    for (const sub of subs) {
      s.updateSubscription(sub.id, { status: 'past_due' });
      s.updateSubscription(sub.id, { status: 'active', cancel_at_period_end: true });
    }
    await sync(db, s, key);
    const statuses = subs.map((x) => db.prepare('SELECT status FROM subscriptions WHERE id = ?').pluck().get(x.id));
    expect(statuses).toEqual(subs.map(() => 'active'));

    // An event in the same second as the last one read, listed after it (where ending_before never looks).
    s.updateSubscription(subs[0]!.id, { status: 'unpaid' });
    await sync(db, s, key);
    expect(db.prepare('SELECT status FROM subscriptions WHERE id = ?').pluck().get(subs[0]!.id)).toBe('unpaid');
  });

  // 11
  it('payment_method.detached refreshes the previous owner; customer.discount.* and customer.source.* are applied', async () => {
    const { s, key } = await sim();
    const db = freshDb();
    await sync(db, s, key);
    const [a, b, c] = s.snapshot().customers;
    const pm = (a!.invoice_settings as { default_payment_method: string }).default_payment_method;
    expect(facts(db, s.now()).find((f) => f.customer_id === a!.id)!.card_expiry).not.toBeNull();
    s.tick(60);
    s.detachPaymentMethod(pm);
    s.setCustomerDiscount(b!.id, 'LOYAL20');
    const card = s.addCardSource(c!.id, { exp_month: 4, exp_year: 2031 });
    s.tick(5);
    await sync(db, s, key);
    expect(db.prepare('SELECT customer_id FROM payment_methods WHERE id = ?').pluck().get(pm)).toBeNull();
    expect(facts(db, s.now()).find((f) => f.customer_id === a!.id)!.card_expiry).toBeNull();
    expect(db.prepare('SELECT coupon_id FROM discounts WHERE customer_id = ? AND subscription_id IS NULL').pluck().get(b!.id)).toBe('LOYAL20');
    expect(db.prepare('SELECT customer_id, exp_year FROM payment_methods WHERE id = ?').get(card)).toEqual({ customer_id: c!.id, exp_year: 2031 });

    s.tick(60);
    s.setCustomerDiscount(b!.id, null);
    s.deleteSource(c!.id, card);
    s.tick(5);
    await sync(db, s, key);
    expect(db.prepare('SELECT count(*) FROM discounts WHERE customer_id = ? AND subscription_id IS NULL').pluck().get(b!.id)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM payment_methods WHERE id = ?').pluck().get(card)).toBe(0);
  });

  // 12
  it('completes against Stripe’s 429s without Retry-After', async () => {
    const { s, key } = await sim({ rateLimit: { perSecond: 10 }, customers: 20 });
    const db = freshDb();
    const r = await sync(db, s, key, { ratePerSecond: 200, concurrency: 3 });
    expect(r.status).toBe('completed');
    expect(s.requestLog.some((x) => x.status === 429)).toBe(true);
    expect(r.retries).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(20);
  });
});
