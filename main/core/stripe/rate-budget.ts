import type { Sqlite } from '../db/sqlite';
import { defaultRate, RateLimiter, sleep } from './client';

/**
 * One Stripe rate budget per account across processes (#17 item 9): the app, a `run
 * tick` and the CLI each hold their own limiter, so per-process buckets added up to
 * several times the allowed rate. This token bucket lives in the workspace's SQLite
 * (table `stripe_rate_budget`, migration 15): every take is one IMMEDIATE transaction
 * (refill by elapsed time, take a token or learn how long to wait), so all processes
 * on the workspace draw from the same bucket. A 429 pause is shared the same way.
 * The burst is a fifth of a second's budget, so no one-second window sees much more
 * than the rate.
 */
export class SharedRateLimiter extends RateLimiter {
  private readonly burst: number;
  private readonly get;
  private readonly put;
  constructor(
    private readonly db: Sqlite,
    private readonly account: string,
    perSecond: number,
  ) {
    super(perSecond);
    this.burst = Math.max(1, perSecond / 5);
    this.get = db.prepare('SELECT tokens, at_ms, paused_until_ms FROM stripe_rate_budget WHERE account = ?');
    this.put = db.prepare('INSERT OR REPLACE INTO stripe_rate_budget (account, tokens, at_ms, paused_until_ms) VALUES (?, ?, ?, ?)');
  }

  /** How long to wait (0: a token was taken). */
  private attempt(): number {
    return this.db.transaction(() => {
      const now = Date.now();
      const row = this.get.get(this.account) as { tokens: number; at_ms: number; paused_until_ms: number } | undefined;
      const paused = row?.paused_until_ms ?? 0;
      if (now < paused) return paused - now;
      const tokens = Math.min(this.burst, (row?.tokens ?? this.burst) + (Math.max(0, now - (row?.at_ms ?? now)) / 1000) * this.perSecond);
      if (tokens >= 1) {
        this.put.run(this.account, tokens - 1, now, paused);
        return 0;
      }
      this.put.run(this.account, tokens, now, paused);
      return Math.max(1, Math.ceil(((1 - tokens) / this.perSecond) * 1000));
    }).immediate();
  }

  override async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      let wait: number;
      try {
        wait = this.attempt();
      } catch (e) {
        // The budget is a courtesy to Stripe, not a reason to fail a request: when the workspace file
        // cannot be written (disk full, read-only), this process keeps its own bucket, and the real
        // write that follows reports the problem in its own words ("the disk is full").
        if (!isSqliteError(e)) throw e;
        return super.take(signal);
      }
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  override pause(ms: number): void {
    super.pause(ms);
    try {
      this.db.transaction(() => {
        const now = Date.now();
        const row = this.get.get(this.account) as { paused_until_ms: number } | undefined;
        this.put.run(this.account, 0, now, Math.max(row?.paused_until_ms ?? 0, now + ms));
      }).immediate();
    } catch (e) {
      if (!isSqliteError(e)) throw e;
    }
  }
}

const isSqliteError = (e: unknown) => typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('SQLITE_');

const shared = new WeakMap<Sqlite, Map<string, SharedRateLimiter>>();

/** The workspace's shared limiter on this connection (one object per rate). */
export function sharedLimiter(db: Sqlite, account: string, perSecond: number): SharedRateLimiter {
  let m = shared.get(db);
  if (!m) shared.set(db, (m = new Map()));
  let l = m.get(account);
  if (!l || l.perSecond !== perSecond) m.set(account, (l = new SharedRateLimiter(db, account, perSecond)));
  return l;
}

/**
 * The limiter every Stripe request of a workspace goes through — its sync, recovery
 * writes, the CLI — shared across processes through the workspace database.
 */
export function workspaceLimiter(db: Sqlite, workspaceId: string, key: string, ratePerSecond?: number): SharedRateLimiter {
  return sharedLimiter(db, workspaceId, ratePerSecond ?? defaultRate(key));
}
