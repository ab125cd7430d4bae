import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { createStripeClient, PINNED_API_VERSION, RateLimiter } from '../../main/core/stripe/client';
import { parseKey } from '../../main/core/stripe/key';

const fakeKey = (prefix = 'rk_test_') => `${prefix}${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

describe('parseKey', () => {
  it('accepts restricted keys in both modes and masks them', () => {
    const k = fakeKey('rk_live_');
    expect(parseKey(`  ${k}\n`)).toMatchObject({ key: k, kind: 'restricted', mode: 'live', prefix: 'rk_live_', last4: k.slice(-4), masked: `rk_live_…${k.slice(-4)}`, warning: null });
    expect(parseKey(fakeKey()).mode).toBe('test');
  });

  it('accepts a secret key with a warning to use a restricted one', () => {
    expect(parseKey(fakeKey('sk_test_')).warning).toMatch(/restricted key/);
  });

  it('refuses publishable keys and garbage without echoing them', () => {
    const pk = fakeKey('pk_live_');
    expect(() => parseKey(pk)).toThrow(/publishable key/);
    try {
      parseKey(pk);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(pk);
    }
    for (const bad of ['', 'hello', 'rk_prod_abcdefghij', 'rk_test_short', 'rk_test_abc def ghi jkl']) expect(() => parseKey(bad), bad).toThrow(/Not a Stripe API key/);
  });
});

describe('Stripe client (official SDK over Reclaim’s transport)', () => {
  let server: http.Server | null = null;
  afterEach(() => new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r())));

  /** A real server on 127.0.0.1 answering from a script of responses. */
  async function serve(script: ((req: http.IncomingMessage, res: http.ServerResponse) => void)[]): Promise<{ base: string; hits: () => number; seen: http.IncomingHttpHeaders[] }> {
    let hits = 0;
    const seen: http.IncomingHttpHeaders[] = [];
    server = http.createServer((req, res) => {
      const step = script[Math.min(hits, script.length - 1)]!;
      hits++;
      seen.push(req.headers);
      step(req, res);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return { base: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, hits: () => hits, seen };
  }
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const list = json(200, { object: 'list', data: [{ id: 'cus_1', object: 'customer' }], has_more: false, url: '/v1/customers' });

  it('sends the SDK’s pinned API version', async () => {
    const { base, seen } = await serve([list]);
    const { stripe } = createStripeClient({ key: fakeKey(), apiBase: base, fetch });
    await stripe.customers.list({ limit: 1 });
    expect(PINNED_API_VERSION).toBe('2026-10-28.endive');
    expect(seen[0]!['stripe-version']).toBe(PINNED_API_VERSION);
  });

  it('backs off for seconds on a 429 without Retry-After, slows every request sharing the limiter, and reads Stripe-Rate-Limited-Reason', async () => {
    const { base, hits } = await serve([
      json(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'slow down' } }, { 'Stripe-Rate-Limited-Reason': 'global-rate' }),
      json(503, { error: { type: 'api_error', message: 'unavailable' } }),
      list,
    ]);
    const c = createStripeClient({ key: fakeKey(), apiBase: base, fetch, ratePerSecond: 100, backoffMs: 5, rateLimitBackoffMs: 600 });
    const started = Date.now();
    const page = await c.stripe.customers.list({ limit: 1 });
    expect(page.data[0]?.id).toBe('cus_1');
    expect(hits()).toBe(3);
    expect(c.stats.retries).toBe(2);
    expect(c.stats.rateLimited).toBe(1);
    expect(c.stats.lastRateLimitReason).toBe('global-rate');
    // At least half the 429 base backoff (full jitter over [0.5, 1] × base); a 5xx backoff is milliseconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('retries a truncated body and a dropped connection', async () => {
    const { base, hits } = await serve([
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
        res.write('{"object":"list","data":[{"id":');
        setTimeout(() => res.socket?.destroy(), 5);
      },
      (req) => req.socket.destroy(),
      list,
    ]);
    const { stripe } = createStripeClient({ key: fakeKey(), apiBase: base, fetch, backoffMs: 5, ratePerSecond: 100 });
    expect((await stripe.customers.list()).data[0]?.id).toBe('cus_1');
    expect(hits()).toBe(3);
  });

  it('times out a request that never answers, then retries it', async () => {
    const { base, hits } = await serve([() => undefined, list]);
    const { stripe, stats } = createStripeClient({ key: fakeKey(), apiBase: base, fetch, backoffMs: 5, timeoutMs: 300, ratePerSecond: 100 });
    expect((await stripe.customers.list()).data[0]?.id).toBe('cus_1');
    expect(hits()).toBe(2);
    expect(stats.retries).toBe(1);
  });

  it('does not retry a 4xx, keeps the SDK’s error class, and its error never contains the key', async () => {
    const key = fakeKey();
    const { base, hits } = await serve([json(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${key.slice(0, 8)}***${key.slice(-4)}` } })]);
    const { stripe } = createStripeClient({ key, apiBase: base, fetch, backoffMs: 5 });
    const err = await stripe.customers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((err as Error).message).not.toContain(key);
    expect(hits()).toBe(1);
  });

  it('retries a 409 conflict with the same Idempotency-Key, and succeeds (#17 item 9)', async () => {
    const conflict = json(409, { error: { type: 'idempotency_error', message: 'There is currently another in-progress request using this Idempotent Key.' } });
    const coupon = json(200, { id: 'co_1', object: 'coupon', percent_off: 10 });
    const { base, hits, seen } = await serve([conflict, coupon]);
    const { stripe, stats } = createStripeClient({ key: fakeKey(), apiBase: base, fetch, backoffMs: 1 });
    expect((await stripe.coupons.create({ percent_off: 10 }, { idempotencyKey: 'reclaim-k1' })).id).toBe('co_1');
    expect(hits()).toBe(2);
    expect(stats.retries).toBe(1);
    expect(seen.map((h) => h['idempotency-key'])).toEqual(['reclaim-k1', 'reclaim-k1']);
  });

  it('honours Stripe-Should-Retry: true on a 4xx and false on a 409 or 5xx (#17 item 9)', async () => {
    const lock = json(400, { error: { type: 'invalid_request_error', code: 'lock_timeout', message: 'This object cannot be accessed right now because another API request or Stripe process is currently accessing it.' } }, { 'Stripe-Should-Retry': 'true' });
    const first = await serve([lock, list]);
    const a = createStripeClient({ key: fakeKey(), apiBase: first.base, fetch, backoffMs: 1 });
    expect((await a.stripe.customers.list()).data[0]?.id).toBe('cus_1');
    expect(first.hits()).toBe(2);
    await new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r())));
    for (const status of [409, 503]) {
      const noRetry = await serve([json(status, { error: { type: 'api_error', message: `no ${status}` } }, { 'Stripe-Should-Retry': 'false' }), list]);
      const b = createStripeClient({ key: fakeKey(), apiBase: noRetry.base, fetch, backoffMs: 1 });
      await expect(b.stripe.customers.list()).rejects.toThrow(`no ${status}`);
      expect(noRetry.hits(), String(status)).toBe(1);
      await new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r())));
    }
    server = null;
  });

  it('gives up after the attempt limit with the last error', async () => {
    const { base, hits } = await serve([json(500, { error: { type: 'api_error', message: 'boom' } })]);
    const { stripe } = createStripeClient({ key: fakeKey(), apiBase: base, fetch, backoffMs: 1, maxAttempts: 3 });
    await expect(stripe.customers.list()).rejects.toThrow('boom');
    expect(hits()).toBe(3);
  });

  it('stops waiting at once when cancelled', async () => {
    const { base } = await serve([json(429, { error: { type: 'invalid_request_error', message: 'slow' } })]);
    const abort = new AbortController();
    const { stripe } = createStripeClient({ key: fakeKey(), apiBase: base, fetch, signal: abort.signal, rateLimitBackoffMs: 30_000 });
    setTimeout(() => abort.abort(new Error('cancelled')), 150);
    const started = Date.now();
    await expect(stripe.customers.list()).rejects.toThrow();
    expect(abort.signal.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('defaults well below Stripe’s limits and paces requests through the limiter', async () => {
    const limiter = new RateLimiter(20);
    const started = Date.now();
    for (let i = 0; i < 10; i++) await limiter.take();
    // 20/s with a small initial burst: ten requests take a good part of a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const live = createStripeClient({ key: `rk_live_${'a'.repeat(24)}`, apiBase: 'https://api.stripe.com', fetch });
    const test = createStripeClient({ key: fakeKey(), apiBase: 'https://api.stripe.com', fetch });
    expect(live.limiter.perSecond).toBeLessThanOrEqual(50);
    expect(test.limiter.perSecond).toBeLessThanOrEqual(12);
  });
});

describe('per-attempt timeout under garbage-collector pressure', () => {
  // Node's AbortSignal.timeout() holds its signal weakly and AbortSignal.any() its sources
  // weakly: combined, the timeout could be collected and a hung response hang a sync forever.
  it('gives up on a server that never answers, every time', async () => {
    const out = await new Promise<string>((resolve) =>
      execFile(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'timeout-gc-child.ts'), '120000'], { timeout: 180_000 }, (_e, stdout, stderr) => resolve(`${stdout}${stderr}`)),
    );
    expect(out).not.toMatch(/HUNG/);
    // Every one of the 12 requests ended in an error (the SDK's connection error), none answered.
    expect(out).toMatch(/^gave up: An error occurred with our connection to Stripe/m);
    expect(out).not.toMatch(/answered/);
  });
});
