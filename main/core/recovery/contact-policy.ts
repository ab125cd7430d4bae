/**
 * Contact policy (#17 item 10): what Reclaim will not do to a customer across
 * runs, channels and the account-manager queue.
 *
 * 1. A step already done for an invoice by an earlier run is not done again
 *    (cancel, plan again, start again sends nothing twice), unless the
 *    operator asks for it (`repeatDone` on the plan: `--repeat-done`, the
 *    "Repeat steps already done" box). "Done" means the effect reached, or may
 *    have reached, the world: succeeded, pending (a call, an open task), in
 *    flight, an interruption that was not repeated, a call not answered, a
 *    retry that Stripe declined.
 * 2. A per-customer contact cap, default at most 1 email and 1 call per 24 h
 *    (workspace recovery settings `contactPolicy`). Emails are every message
 *    to the customer: strategy emails, offer emails, the "add a new card"
 *    email a retry sends on a hard decline, and the account manager's personal
 *    email sent from the queue. Calls are voice steps (AI or call-list task).
 *    Retries (charges), account-manager tasks (internal) and webhooks are not
 *    contacts. Emails and calls are capped separately so "call and personal
 *    email on day 0" stays possible. The cap holds with `repeatDone` too.
 *
 * The plan applies both (skip reasons "already sent 3 min ago", "contact cap:
 * …"), and the engine checks again in the same transaction that claims a step,
 * so two processes ticking at once cannot both contact the same customer.
 */
import type { ChannelKind } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';

export interface ContactPolicy {
  /** The sliding window, in hours. */
  windowHours: number;
  /** At most this many emails to one customer per window (0: no emails). */
  maxEmails: number;
  /** At most this many calls to one customer per window (0: no calls). */
  maxCalls: number;
}

export const DEFAULT_CONTACT_POLICY: ContactPolicy = { windowHours: 24, maxEmails: 1, maxCalls: 1 };
const KEY = 'recovery.contactPolicy';

export function readContactPolicy(db: Sqlite): ContactPolicy {
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(KEY) as { value: string } | undefined;
  return { ...DEFAULT_CONTACT_POLICY, ...(row ? (JSON.parse(row.value) as Partial<ContactPolicy>) : {}) };
}

export function writeContactPolicy(db: Sqlite, patch: Partial<ContactPolicy>): ContactPolicy {
  const next = { ...readContactPolicy(db), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as ContactPolicy;
  if (!(next.windowHours >= 1 && next.windowHours <= 24 * 30)) throw badRequest('The contact window is 1 to 720 hours');
  db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(KEY, JSON.stringify(next));
  return next;
}

export type ContactKind = 'email' | 'call';

/** The contact a step's (acting) channel makes, or null when it does not contact the customer. */
export function contactKind(channel: ChannelKind | string): ContactKind | null {
  if (channel === 'email' || channel === 'offer') return 'email';
  if (channel === 'voice') return 'call';
  return null;
}

/** Outbox rows whose effect reached (or may have reached) the world. */
const DONE_SQL = `(status IN ('succeeded', 'pending', 'in_flight')
  OR (status = 'failed' AND (detail LIKE '%interrupted%' OR detail = 'call not answered' OR (channel = 'retry' AND detail LIKE 'retried:%'))))`;
const AT_MS = `coalesce(started_at_ms, finished_at_ms, updated_at_ms)`;

/**
 * Every contact made so far, one row per outbox key: emails and calls the
 * outbox did (or may have done), and every email stored as sent to a customer
 * (this also counts the "add a new card" email of a retry step).
 */
const PAST_CONTACTS_SQL = (oneCustomer: boolean) => {
  const c = oneCustomer ? ' AND customer_id = @customer AND key <> @key' : '';
  return `SELECT customer_id, kind, min(at_ms) AS at_ms FROM (
    SELECT key, customer_id, CASE WHEN channel = 'voice' THEN 'call' ELSE 'email' END AS kind, ${AT_MS} AS at_ms
      FROM recovery_outbox WHERE channel IN ('email', 'offer', 'voice') AND ${DONE_SQL}${c}
    UNION ALL
    SELECT outbox_key AS key, customer_id, 'email' AS kind, created_at_ms AS at_ms FROM recovery_emails WHERE customer_id IS NOT NULL AND outbox_key IS NOT NULL${c}
  ) GROUP BY key, kind`;
};

interface DoneRow { key: string; run_id: string; invoice_id: string; customer_id: string; step_id: string; channel: string; status: string; at_ms: number }

export function ago(nowSec: number, atSec: number): string {
  const s = Math.max(0, nowSec - atSec);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 2 * 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} days ago`;
}

const VERB: Record<string, string> = { email: 'sent', offer: 'sent', voice: 'called', retry: 'tried', am_task: 'created', webhook: 'delivered' };

/** "already sent 3 min ago (run_…)": the skip reason of a step an earlier run did. */
export function alreadyDone(channel: string, atSec: number, runId: string, nowSec: number): string {
  return `already ${VERB[channel] ?? 'done'} ${ago(nowSec, atSec)} (${runId})`;
}

const capText = (p: ContactPolicy, kind: ContactKind) => {
  const n = kind === 'email' ? p.maxEmails : p.maxCalls;
  return `at most ${n} ${kind}${n === 1 ? '' : 's'} per ${p.windowHours} h`;
};

/**
 * What a plan knows about contacts: the steps earlier runs did per invoice,
 * every customer's past contacts, and the contacts this plan has placed so far.
 */
export class ContactLedger {
  private readonly done = new Map<string, DoneRow>();
  private readonly contacts = new Map<string, { kind: ContactKind; at: number; past: boolean }[]>();

  constructor(
    db: Sqlite,
    readonly policy: ContactPolicy,
    private readonly repeatDone: boolean,
    private readonly now: number,
  ) {
    const rows = db.prepare(`SELECT key, run_id, invoice_id, customer_id, step_id, channel, status, ${AT_MS} AS at_ms FROM recovery_outbox WHERE ${DONE_SQL}`).all() as DoneRow[];
    for (const r of rows) {
      const k = `${r.invoice_id}:${r.step_id}`;
      const prev = this.done.get(k);
      if (!prev || prev.at_ms < r.at_ms) this.done.set(k, r);
    }
    for (const c of db.prepare(PAST_CONTACTS_SQL(false)).all() as { customer_id: string; kind: ContactKind; at_ms: number }[]) {
      this.contactsOf(c.customer_id).push({ kind: c.kind, at: Math.floor(c.at_ms / 1000), past: true });
    }
  }

  private contactsOf(customerId: string) {
    let l = this.contacts.get(customerId);
    if (!l) this.contacts.set(customerId, (l = []));
    return l;
  }

  /** When an earlier run already did this step for the invoice (and repeating was not asked for): the skip reason and what happened then. */
  doneBefore(invoiceId: string, stepId: string): { reason: string; status: string; channel: string } | null {
    if (this.repeatDone) return null;
    const d = this.done.get(`${invoiceId}:${stepId}`);
    return d ? { reason: alreadyDone(d.channel, Math.floor(d.at_ms / 1000), d.run_id, this.now), status: d.status, channel: d.channel } : null;
  }

  /** The skip reason when one more contact of `kind` at `at` would pass the cap (past contacts and this plan's). */
  capBlock(customerId: string, kind: ContactKind, at: number): string | null {
    const max = kind === 'email' ? this.policy.maxEmails : this.policy.maxCalls;
    const w = this.policy.windowHours * 3600;
    if (max === 0) return `contact cap: no ${kind}s (${capText(this.policy, kind)})`;
    const near = (this.contacts.get(customerId) ?? []).filter((c) => c.kind === kind && Math.abs(c.at - at) < w);
    if (near.length < max) return null;
    const past = near.filter((c) => c.past && c.at <= this.now).sort((x, y) => y.at - x.at)[0];
    const what = kind === 'email' ? 'emailed' : 'called';
    return past
      ? `contact cap: ${what} ${ago(this.now, past.at)} (${capText(this.policy, kind)})`
      : `contact cap: another ${kind} to this customer is planned within ${this.policy.windowHours} h (${capText(this.policy, kind)})`;
  }

  add(customerId: string, kind: ContactKind, at: number): void {
    this.contactsOf(customerId).push({ kind, at, past: false });
  }
}

/**
 * The engine's check when a step is about to be claimed (inside the claiming
 * transaction): null when it may run, otherwise the reason it is skipped.
 */
export function claimBlock(
  db: Sqlite,
  row: { key: string; run_id: string; invoice_id: string; customer_id: string; step_id: string; channel: string },
  repeatDone: boolean,
  nowSec: number,
): string | null {
  if (!repeatDone) {
    const d = db
      .prepare(`SELECT run_id, channel, ${AT_MS} AS at_ms FROM recovery_outbox WHERE customer_id = ? AND invoice_id = ? AND step_id = ? AND run_id <> ? AND ${DONE_SQL} ORDER BY at_ms DESC LIMIT 1`)
      .get(row.customer_id, row.invoice_id, row.step_id, row.run_id) as { run_id: string; channel: string; at_ms: number } | undefined;
    if (d) return alreadyDone(d.channel, Math.floor(d.at_ms / 1000), d.run_id, nowSec);
  }
  const kind = contactKind(row.channel);
  return kind ? capReason(db, row.customer_id, row.key, kind, nowSec) : null;
}

/**
 * The per-customer cap for one more contact of `kind` now (the outbox row
 * `key` itself not counted): null when it fits, otherwise the reason. Also
 * what the account manager's personal email from the queue is held to.
 */
export function capReason(db: Sqlite, customerId: string, key: string, kind: ContactKind, nowSec: number): string | null {
  const p = readContactPolicy(db);
  const max = kind === 'email' ? p.maxEmails : p.maxCalls;
  const since = (nowSec - p.windowHours * 3600) * 1000;
  const recent = db
    .prepare(`SELECT at_ms FROM (${PAST_CONTACTS_SQL(true)}) WHERE kind = @kind AND at_ms > @since ORDER BY at_ms DESC`)
    .all({ customer: customerId, key, kind, since }) as { at_ms: number }[];
  if (recent.length < max) return null;
  if (!recent[0]) return `contact cap: no ${kind}s (${capText(p, kind)})`;
  return `contact cap: ${kind === 'email' ? 'emailed' : 'called'} ${ago(nowSec, Math.floor(recent[0]!.at_ms / 1000))} (${capText(p, kind)})`;
}

/**
 * A run's history for escalation rules counts what an earlier run did for a
 * step this run skipped as "already …" (the email went out, the call was not
 * answered), so "after 1 unanswered email" still holds after a restart.
 */
export function withEarlierRuns<T extends { stepId: string; status: string; channel: string }>(db: Sqlite, runId: string, invoiceId: string, rows: (T & { detail: string | null })[]): T[] {
  const q = db.prepare(`SELECT status, channel FROM recovery_outbox WHERE invoice_id = ? AND step_id = ? AND run_id <> ? AND ${DONE_SQL} ORDER BY ${AT_MS} DESC LIMIT 1`);
  return rows.map(({ detail, ...r }) => {
    if (r.status !== 'skipped' || !detail?.startsWith('already ')) return r as unknown as T;
    const d = q.get(invoiceId, r.stepId, runId) as { status: string; channel: string } | undefined;
    return (d ? { ...r, status: d.status === 'in_flight' ? 'pending' : d.status, channel: d.channel } : r) as unknown as T;
  });
}
