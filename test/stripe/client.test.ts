import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter, StripeApiError, StripeHttp } from '../../main/core/stripe/http';
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

describe('Stripe HTTP client', () => {
  let server: http.Server | null = null;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A real server on 127.0.0.1 answering from a script of responses. */
  async function serve(script: ((req: http.IncomingMessage, res: http.ServerResponse) => void)[]): Promise<{ base: string; hits: () => number }> {
    let hits = 0;
    server = http.createServer((req, res) => {
      const step = script[Math.min(hits, script.length - 1)]!;
      hits++;
      step(req, res);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return { base: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, hits: () => hits };
  }
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  it('retries 429 and 5xx, waits at least Retry-After, then succeeds', async () => {
    const key = fakeKey();
    const { base, hits } = await serve([
      json(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'slow down' } }, { 'Retry-After': '1' }),
      json(503, { error: { type: 'api_error', message: 'unavailable' } }),
      json(200, { object: 'list', data: [{ id: 'cus_1' }], has_more: false }),
    ]);
    const client = new StripeHttp({ apiBase: base, key, fetch, limiter: new RateLimiter(100), backoffMs: 5 });
    const started = Date.now();
    const page = await client.get<{ data: { id: string }[] }>('/v1/customers', { limit: 1 });
    expect(page.data[0]?.id).toBe('cus_1');
    expect(hits()).toBe(3);
    expect(client.retries).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('retries a truncated body and a dropped connection', async () => {
    const { base, hits } = await serve([
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
        res.write('{"object":"list","data":[{"id":');
        setTimeout(() => res.socket?.destroy(), 5);
      },
      (req) => req.socket.destroy(),
      json(200, { id: 'acct_1' }),
    ]);
    const client = new StripeHttp({ apiBase: base, key: fakeKey(), fetch, limiter: new RateLimiter(100), backoffMs: 5 });
    expect(await client.get('/v1/account')).toEqual({ id: 'acct_1' });
    expect(hits()).toBe(3);
  });

  it('does not retry a 4xx, and its error never contains the key', async () => {
    const key = fakeKey();
    const { base, hits } = await serve([json(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${key}` } })]);
    const client = new StripeHttp({ apiBase: base, key, fetch, limiter: new RateLimiter(100), backoffMs: 5 });
    const err = await client.get('/v1/account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StripeApiError);
    expect((err as StripeApiError).status).toBe(401);
    expect((err as Error).message).not.toContain(key);
    expect((err as Error).message).toContain(`${key.slice(0, 8)}…${key.slice(-4)}`);
    expect(hits()).toBe(1);
  });

  it('gives up after the attempt limit with the last error', async () => {
    const { base, hits } = await serve([json(500, { error: { type: 'api_error', message: 'boom' } })]);
    const client = new StripeHttp({ apiBase: base, key: fakeKey(), fetch, limiter: new RateLimiter(100), backoffMs: 1, maxAttempts: 3 });
    await expect(client.get('/v1/account')).rejects.toThrow('boom');
    expect(hits()).toBe(3);
  });

  it('stops waiting at once when cancelled', async () => {
    const { base } = await serve([json(429, { error: { type: 'invalid_request_error', message: 'slow' } }, { 'Retry-After': '30' })]);
    const client = new StripeHttp({ apiBase: base, key: fakeKey(), fetch, limiter: new RateLimiter(100) });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('cancelled')), 100);
    const started = Date.now();
    await expect(client.get('/v1/account', {}, abort.signal)).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
