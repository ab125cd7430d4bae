import os from 'node:os';
import type { Sqlite } from '../db/sqlite';
import { pidAlive } from './pid';

/**
 * A per-workspace lock that holds across processes (the app, the console and
 * any number of `reclaim` commands): a row in the workspace database with the
 * holder's pid, host and a heartbeat. Taking it is one BEGIN IMMEDIATE
 * transaction, so two processes never both win. A holder whose process is gone
 * (same host) or whose heartbeat is older than STALE_MS is taken over: a
 * crashed sync never blocks the next one.
 */
export const HEARTBEAT_MS = 2_000;
export const STALE_MS = 30_000;

export interface LockHolder {
  pid: number;
  host: string;
  acquiredMs: number;
  heartbeatMs: number;
}

export interface HeldLock {
  release(): void;
}

export type LockResult = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockHolder };

export function isStale(holder: LockHolder, nowMs: number): boolean {
  if (holder.host === os.hostname() && holder.pid === process.pid) return false;
  if (holder.host === os.hostname() && !pidAlive(holder.pid)) return true;
  return nowMs - holder.heartbeatMs > STALE_MS;
}

interface Row {
  pid: number;
  host: string;
  acquired_ms: number;
  heartbeat_ms: number;
}

const toHolder = (r: Row): LockHolder => ({ pid: r.pid, host: r.host, acquiredMs: r.acquired_ms, heartbeatMs: r.heartbeat_ms });

/** The live holder of a lock, or null when it is free or stale. */
export function lockHolder(db: Sqlite, name: string, nowMs = Date.now()): LockHolder | null {
  const row = db.prepare('SELECT pid, host, acquired_ms, heartbeat_ms FROM workspace_locks WHERE name = ?').get(name) as Row | undefined;
  if (!row) return null;
  const holder = toHolder(row);
  return isStale(holder, nowMs) ? null : holder;
}

export function tryLock(db: Sqlite, name: string): LockResult {
  const host = os.hostname();
  const pid = process.pid;
  const outcome = db.transaction((): LockHolder | null => {
    const now = Date.now();
    const row = db.prepare('SELECT pid, host, acquired_ms, heartbeat_ms FROM workspace_locks WHERE name = ?').get(name) as Row | undefined;
    if (row) {
      const holder = toHolder(row);
      const ours = holder.pid === pid && holder.host === host;
      if (!ours && !isStale(holder, now)) return holder;
    }
    db.prepare(
      `INSERT INTO workspace_locks (name, pid, host, acquired_ms, heartbeat_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, acquired_ms = excluded.acquired_ms, heartbeat_ms = excluded.heartbeat_ms`,
    ).run(name, pid, host, now, now);
    return null;
  })();
  if (outcome) return { acquired: false, holder: outcome };

  const beat = db.prepare('UPDATE workspace_locks SET heartbeat_ms = ? WHERE name = ? AND pid = ? AND host = ?');
  const timer = setInterval(() => {
    try {
      beat.run(Date.now(), name, pid, host);
    } catch {
      /* busy for a moment: the next beat comes in HEARTBEAT_MS, well within STALE_MS */
    }
  }, HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    acquired: true,
    lock: {
      release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        try {
          db.prepare('DELETE FROM workspace_locks WHERE name = ? AND pid = ? AND host = ?').run(name, pid, host);
        } catch {
          /* closed or busy: the row goes stale and is taken over */
        }
      },
    },
  };
}

export function describeHolder(holder: LockHolder): string {
  const since = Math.max(0, Math.round((Date.now() - holder.acquiredMs) / 1000));
  return `process ${holder.pid}${holder.host === os.hostname() ? '' : ` on ${holder.host}`}, started ${since} s ago`;
}
