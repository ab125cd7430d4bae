import crypto from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBusiness, randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';

/** The official client pointed at the local server proves the wire format. */
const client = (sim: StripeSim, key: string) => new Stripe(key, { host: sim.host, port: sim.port, protocol: 'http', maxNetworkRetries: 0 });
const NOW = 1_793_491_200;

describe('local Stripe-compatible server', () => {
  let sim: StripeSim;
  let key: string;
  beforeAll(async () => {
    sim = await startStripeSim({ seed: 3, customers: 150, rateLimit: null });
    key = randomTestKey();
    sim.addKey(key, 'all');
  });
  afterAll(() => sim.close());

  it('paginates every customer through the official client', async () => {
    const ids: string[] = [];
    for await (const c of client(sim, key).customers.list({ limit: 17 })) ids.push(c.id);
    expect(ids).toHaveLength(sim.counts().customers!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hides canceled subscriptions unless status=all, like Stripe', async () => {
    const s = client(sim, key);
    const all: Stripe.Subscription[] = [];
    for await (const x of s.subscriptions.list({ status: 'all', limit: 100 })) all.push(x);
    const active: Stripe.Subscription[] = [];
    for await (const x of s.subscriptions.list({ limit: 100 })) active.push(x);
    expect(all.length).toBe(sim.counts().subscriptions);
    expect(all.some((x) => x.status === 'canceled')).toBe(true);
    expect(active.some((x) => x.status === 'canceled')).toBe(false);
  });

  it('serves failed charges with decline codes and card expiry', async () => {
    const failed = (await client(sim, key).charges.list({ limit: 100 })).data.filter((c) => c.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    const c = failed[0]!;
    expect(c.outcome?.type).toBe('issuer_declined');
    expect(c.outcome?.reason).toMatch(/^[a-z_]+$/);
    expect(c.payment_method_details?.card?.exp_year).toBeGreaterThan(2020);
  });

  it('refuses unknown and live keys with 401, masking the key', async () => {
    const unknown = randomTestKey();
    const e = await client(sim, unknown).customers.list().catch((x: unknown) => x as Stripe.errors.StripeError);
    expect(e).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((e as Error).message).not.toContain(unknown);
    const live = `rk_live_${crypto.randomBytes(12).toString('hex')}`;
    expect(() => sim.addKey(live, 'all')).toThrow(/only test keys/);
    await expect(client(sim, live).customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('names the missing permission in a 403', async () => {
    const limited = randomTestKey();
    sim.addKey(limited, ['rak_customer_read']);
    await expect(client(sim, limited).customers.list({ limit: 1 })).resolves.toBeTruthy();
    const e = (await client(sim, limited).charges.list().catch((x: unknown) => x)) as Stripe.errors.StripeError;
    expect(e.statusCode).toBe(403);
    expect(e.message).toContain("Having the 'rak_charge_read' permission would allow this request to continue");
  });

  it('replays an idempotent POST and refuses the same key with other parameters', async () => {
    const s = client(sim, key);
    const idem = crypto.randomUUID();
    const a = await s.coupons.create({ percent_off: 15, duration: 'once' }, { idempotencyKey: idem });
    const b = await s.coupons.create({ percent_off: 15, duration: 'once' }, { idempotencyKey: idem });
    expect(b.id).toBe(a.id);
    await expect(s.coupons.create({ percent_off: 30, duration: 'once' }, { idempotencyKey: idem })).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('filters events by time and type, keeping 30 days', async () => {
    const s = client(sim, key);
    const events: Stripe.Event[] = [];
    for await (const e of s.events.list({ limit: 100 })) events.push(e);
    expect(events.length).toBeGreaterThan(0);
    expect(Math.min(...events.map((e) => e.created))).toBeGreaterThanOrEqual(NOW - 30 * 86_400);
    const cut = events[Math.floor(events.length / 2)]!.created;
    const later = (await s.events.list({ created: { gt: cut }, limit: 100 })).data;
    expect(later.every((e) => e.created > cut)).toBe(true);
    const failed = (await s.events.list({ types: ['charge.failed'], limit: 100 })).data;
    expect(failed.every((e) => e.type === 'charge.failed')).toBe(true);
  });

  it('fails the client on truncated bodies and dropped connections', async () => {
    sim.setFaults([{ kind: 'truncate', rate: 1 }]);
    await expect(client(sim, key).customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeError);
    sim.setFaults([{ kind: 'drop', rate: 1 }]);
    await expect(client(sim, key).customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    sim.setFaults([]);
  });

  it('rate-limits with 429 when asked to', async () => {
    const tight = await startStripeSim({ seed: 3, customers: 10, rateLimit: { perSecond: 2 } });
    const k = randomTestKey();
    tight.addKey(k, 'all');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => client(tight, k).customers.list({ limit: 1 })));
    expect(results.some((r) => r.status === 'rejected' && (r.reason as Stripe.errors.StripeError).statusCode === 429)).toBe(true);
    await tight.close();
  });
});

describe('business generator', () => {
  const hash = (x: unknown) => crypto.createHash('sha256').update(JSON.stringify(x)).digest('hex');
  it('is deterministic by seed', () => {
    const a = generateBusiness({ seed: 11, customers: 200, now: NOW });
    expect(hash(generateBusiness({ seed: 11, customers: 200, now: NOW }))).toBe(hash(a));
    expect(hash(generateBusiness({ seed: 12, customers: 200, now: NOW }))).not.toBe(hash(a));
  });

  it('makes a believable business: plans, trials, failures with hard and soft declines, refunds', () => {
    const d = generateBusiness({ seed: 5, customers: 1000, now: NOW });
    const statuses = new Set(d.subscriptions.map((s) => s.status));
    for (const s of ['active', 'trialing', 'past_due', 'canceled']) expect(statuses.has(s), s).toBe(true);
    const declines = new Set(d.charges.filter((c) => c.status === 'failed').map((c) => (c.outcome as { reason: string }).reason));
    expect([...declines].some((c) => ['lost_card', 'stolen_card', 'expired_card'].includes(c))).toBe(true);
    expect([...declines].some((c) => ['insufficient_funds', 'generic_decline'].includes(c))).toBe(true);
    expect(d.refunds.length).toBeGreaterThan(0);
    expect(new Set(d.customers.map((c) => c.currency)).size).toBeGreaterThan(1);
    expect(d.invoices.filter((i) => i.status === 'open').length / d.customers.length).toBeGreaterThan(0.05);
    expect(d.customers.every((c) => c.created <= NOW)).toBe(true);
  });
});
