import type { Logger } from '../ports';

/**
 * A small Stripe HTTP client over `fetch`: form-encoded requests, a shared
 * token-bucket rate limiter, retries with exponential backoff and full jitter
 * that honour Retry-After on 429, 5xx, network errors and truncated bodies,
 * cancel through an AbortSignal, and errors that never carry the key.
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string | null,
    readonly declineCode: string | null,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'StripeApiError';
  }
}

export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type Params = Record<string, string | number | boolean | string[] | undefined>;

export function encodeForm(params: Params): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.append(`${k}[]`, x);
    else out.append(k, String(v));
  }
  return out.toString();
}

export interface StripeHttpOptions {
  apiBase: string;
  key: string;
  fetch: typeof fetch;
  limiter: RateLimiter;
  logger?: Logger;
  maxAttempts?: number;
  /** Base backoff in ms (tests shorten it). */
  backoffMs?: number;
}

export class StripeHttp {
  retries = 0;
  requests = 0;
  constructor(private readonly o: StripeHttpOptions) {}

  get<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
    const qs = encodeForm(params);
    return this.request<T>('GET', `${path}${qs ? `?${qs}` : ''}`, undefined, signal);
  }

  post<T>(path: string, params: Params, idempotencyKey: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', path, encodeForm(params), signal, idempotencyKey);
  }

  private async request<T>(method: string, path: string, body: string | undefined, signal?: AbortSignal, idempotencyKey?: string): Promise<T> {
    const max = this.o.maxAttempts ?? 6;
    const base = this.o.backoffMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      await this.o.limiter.take(signal);
      this.requests++;
      let retryAfterMs: number | null = null;
      let failure: Error;
      try {
        const res = await this.o.fetch(`${this.o.apiBase}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${this.o.key}`,
            'Stripe-Version': '2025-01-27.acacia',
            ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
            ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
          },
          ...(body !== undefined ? { body } : {}),
          ...(signal ? { signal } : {}),
        });
        const text = await res.text();
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          throw new Error(`Stripe sent an incomplete response (${res.status})`);
        }
        if (res.ok) return json as T;
        const err = (json.error ?? {}) as Record<string, string | undefined>;
        const apiError = new StripeApiError(res.status, err.type ?? 'api_error', err.code ?? null, err.decline_code ?? null, this.scrub(err.message ?? `HTTP ${res.status}`), res.headers.get('request-id'));
        const retryable = res.status === 429 || res.status >= 500 || res.headers.get('stripe-should-retry') === 'true';
        if (!retryable || res.headers.get('stripe-should-retry') === 'false') throw apiError;
        const ra = Number(res.headers.get('retry-after'));
        retryAfterMs = Number.isFinite(ra) && ra > 0 ? ra * 1000 : null;
        failure = apiError;
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (e instanceof StripeApiError && !(e.status === 429 || e.status >= 500)) throw e;
        failure = e instanceof Error ? new Error(this.scrub(e.message)) : new Error('network error');
        if (e instanceof StripeApiError) failure = e;
      }
      if (attempt >= max) throw failure;
      this.retries++;
      const backoff = Math.random() * Math.min(30_000, base * 2 ** (attempt - 1));
      const wait = Math.max(retryAfterMs ?? 0, backoff);
      this.o.logger?.debug({ path: path.split('?')[0], attempt, waitMs: Math.round(wait), reason: failure.message }, 'stripe request retry');
      await sleep(wait, signal);
    }
  }

  private scrub(text: string): string {
    const k = this.o.key;
    return k ? text.split(k).join(`${k.slice(0, 8)}…${k.slice(-4)}`) : text;
  }
}
