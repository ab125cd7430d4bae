import crypto from 'node:crypto';
import Stripe from 'stripe';
import type { Logger } from '../ports';

/**
 * The one way Reclaim talks to Stripe: the official `stripe` package on the API
 * version it pins (`Stripe.API_VERSION`, 2026-10-28.endive for stripe@23), with
 * Reclaim's own transport underneath it (`Stripe.createFetchHttpClient` over a
 * wrapped `fetch`):
 *
 * - a token-bucket rate limiter shared by every request of a workspace, set well
 *   below Stripe's limits (https://docs.stripe.com/rate-limits: 100 req/s live for
 *   the whole account — shared with the merchant's own traffic —, 25 req/s per
 *   endpoint, 25 req/s in test mode/sandboxes);
 * - retries with exponential backoff and full jitter for 5xx, 409 (lock and
 *   idempotency conflicts), any response with `Stripe-Should-Retry: true` (and none
 *   with `false`; see shouldRetry), dropped and truncated responses; a 429 carries no documented Retry-After, so it backs off
 *   longer (seconds, not milliseconds) and pauses the whole limiter, and the
 *   `Stripe-Rate-Limited-Reason` header is logged;
 * - a per-attempt timeout and cancel through an AbortSignal.
 *
 * The SDK's own retries are off (`maxNetworkRetries: 0`); SDK errors keep their
 * classes (`Stripe.errors.StripeRateLimitError`, `StripePermissionError`, …).
 */
export const PINNED_API_VERSION: string = Stripe.API_VERSION;

export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private pausedUntil = 0;
  constructor(readonly perSecond: number) {
    this.tokens = Math.min(perSecond, Math.max(1, perSecond / 5));
  }
  /** Everyone sharing this limiter waits (after a 429 the whole account is throttled). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.tokens = 0;
  }
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now, signal);
        this.last = Date.now();
        continue;
      }
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

/** Default request rates: well below Stripe's limits, leaving room for the merchant's own traffic. */
export function defaultRate(key: string): number {
  return key.includes('_live_') ? 40 : 10;
}

export interface StripeClientOptions {
  key: string;
  /** https://api.stripe.com, or the local server's URL in tests and the demo. */
  apiBase: string;
  fetch: typeof fetch;
  /** Shared by every client of the same workspace; made from `ratePerSecond` when absent. */
  limiter?: RateLimiter;
  ratePerSecond?: number;
  logger?: Logger;
  /** Cancels waiting and in-flight requests. */
  signal?: AbortSignal;
  maxAttempts?: number;
  /** Base backoff for 5xx/network errors in ms (tests shorten it). */
  backoffMs?: number;
  /** Base backoff after a 429 in ms (default 2 s; doubles per attempt, capped at 60 s). */
  rateLimitBackoffMs?: number;
  /** Per-attempt timeout in ms (default: `stripeTimeoutMs()`, 30 s). */
  timeoutMs?: number;
}

export interface StripeClient {
  stripe: Stripe;
  limiter: RateLimiter;
  stats: { requests: number; retries: number; rateLimited: number; lastRateLimitReason: string | null };
}

/**
 * The default per-attempt timeout: 30 s, or `RECLAIM_STRIPE_TIMEOUT_MS` (read
 * here only; the reliability harness shortens it to try hung responses fast).
 */
export function stripeTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.RECLAIM_STRIPE_TIMEOUT_MS);
  return Number.isInteger(n) && n >= 100 && n <= 600_000 ? n : 30_000;
}

/**
 * One attempt's signal: aborted after `ms`, or when `cancel` aborts. A plain
 * controller and timer, both held strongly until `dispose()`. (Not
 * `AbortSignal.any([cancel, AbortSignal.timeout(ms)])`: Node's timeout timer
 * holds its signal weakly and `any` holds its sources weakly, so under GC
 * pressure the timeout can be collected and never fire — a hung response then
 * hangs the sync; seen in the full test suite.)
 */
function attemptDeadline(ms: number, cancel: AbortSignal | undefined): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort(new DOMException(`The request timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onCancel = () => ctl.abort(cancel?.reason);
  if (cancel?.aborted) onCancel();
  else cancel?.addEventListener('abort', onCancel, { once: true });
  return {
    signal: ctl.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    },
  };
}

/**
 * Whether a response is worth another attempt, as the SDK's own `_shouldRetry` decides
 * (stripe/esm/RequestSender.js): "The API may ask us not to retry (e.g., if doing so
 * would be a no-op) or advise us to retry (e.g., in cases of lock timeouts); we defer to
 * that" — `Stripe-Should-Retry: false` never, `true` always; otherwise "Retry on
 * conflict errors" (409: a lock timeout, or another request with the same
 * Idempotency-Key still in progress) and on 5xx. Reclaim also retries 429 (paced, above).
 * Every other 4xx is final. A POST is retried with the same Idempotency-Key.
 */
export function shouldRetry(status: number, shouldRetryHeader: string | null): boolean {
  if (shouldRetryHeader === 'false') return false;
  if (shouldRetryHeader === 'true') return true;
  return status === 409 || status === 429 || status >= 500;
}

/** A configured `Stripe` instance plus the limiter, for reads and writes alike. */
export function createStripeClient(o: StripeClientOptions): StripeClient {
  const limiter = o.limiter ?? new RateLimiter(o.ratePerSecond ?? defaultRate(o.key));
  const stats: StripeClient['stats'] = { requests: 0, retries: 0, rateLimited: 0, lastRateLimitReason: null };
  const max = o.maxAttempts ?? 8;
  const base = o.backoffMs ?? 250;
  const base429 = o.rateLimitBackoffMs ?? 2000;
  const timeoutMs = o.timeoutMs ?? stripeTimeoutMs();

  const transport = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const outer = init?.signal ?? undefined;
    const signals = [o.signal, outer].filter((s): s is AbortSignal => Boolean(s));
    const cancel = signals.length ? AbortSignal.any(signals) : undefined;
    const path = new URL(typeof input === 'string' || input instanceof URL ? input : input.url).pathname;
    // A POST is retried only with an idempotency key, so a retry can never act twice
    // (https://docs.stripe.com/api/idempotent_requests); callers should pass their own.
    const headers = new Headers(init?.headers);
    if ((init?.method ?? 'GET').toUpperCase() === 'POST' && !headers.has('idempotency-key')) headers.set('Idempotency-Key', `reclaim-${crypto.randomUUID()}`);
    for (let attempt = 1; ; attempt++) {
      await limiter.take(cancel);
      stats.requests++;
      const deadline = attemptDeadline(timeoutMs, cancel);
      let wait: number;
      let reason: string;
      try {
        const attemptSignal = deadline.signal;
        const res = await o.fetch(input, { ...init, headers, signal: attemptSignal });
        // Read the whole body here so a truncated response is retried, not parsed.
        const text = await res.text();
        const final = res.ok || !shouldRetry(res.status, res.headers.get('stripe-should-retry')) || attempt >= max;
        if (final) return new Response(text, { status: res.status, headers: res.headers });
        if (res.status === 429) {
          stats.rateLimited++;
          const why = res.headers.get('stripe-rate-limited-reason');
          stats.lastRateLimitReason = why;
          // No Retry-After is documented for Stripe's 429s; back off for seconds and slow everyone down.
          wait = base429 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
          wait = Math.min(60_000, wait);
          limiter.pause(wait);
          reason = `rate limited${why ? ` (${why})` : ''}`;
        } else {
          wait = Math.random() * Math.min(30_000, base * 2 ** (attempt - 1));
          reason = `HTTP ${res.status}`;
        }
      } catch (e) {
        if (cancel?.aborted) throw cancel.reason;
        if (attempt >= max) throw e;
        wait = Math.random() * Math.min(30_000, base * 2 ** (attempt - 1));
        reason = deadline.timedOut() ? `timed out after ${timeoutMs} ms` : e instanceof Error ? e.message : 'network error';
      } finally {
        deadline.dispose();
      }
      stats.retries++;
      o.logger?.debug({ path, attempt, waitMs: Math.round(wait), reason }, 'stripe request retry');
      await sleep(wait, cancel);
    }
  };

  const url = new URL(o.apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const stripe = new Stripe(o.key, {
    apiVersion: Stripe.API_VERSION,
    httpClient: Stripe.createFetchHttpClient(transport),
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    maxNetworkRetries: 0,
    // The per-attempt timeout lives in the transport; this bounds a request with all its retries.
    timeout: 10 * 60_000,
    telemetry: false,
    appInfo: { name: 'Reclaim' },
  });
  return { stripe, limiter, stats };
}

/** A Stripe error as one clear sentence, without the key. */
export function describeStripeError(e: unknown, key: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  return key ? msg.split(key).join(`${key.slice(0, 8)}…${key.slice(-4)}`) : msg;
}

export function isStripeError(e: unknown): e is Stripe.errors.StripeError {
  return e instanceof Stripe.errors.StripeError;
}

export { Stripe };

/**
 * One limiter per workspace in this process only. The app, `run tick` and the CLI share
 * the workspace's budget through `workspaceLimiter` in ./rate-budget.ts (SQLite-backed);
 * this one is kept for callers without a workspace database.
 */
const limiters = new Map<string, RateLimiter>();
export function workspaceLimiter(workspaceId: string, key: string, ratePerSecond?: number): RateLimiter {
  const rate = ratePerSecond ?? defaultRate(key);
  let l = limiters.get(workspaceId);
  if (!l || l.perSecond !== rate) {
    l = new RateLimiter(rate);
    limiters.set(workspaceId, l);
  }
  return l;
}
