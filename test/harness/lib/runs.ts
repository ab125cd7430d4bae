import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { messageIdFor } from '../../../main/core/recovery/mailer';
import { DEFAULT_FROM } from '../../../main/core/recovery/channels/deliver';
import { readSmtp } from '../../../main/core/recovery/settings';
import { startStripeSim, type StripeSim } from '../../../main/stripe-sim';
import { caller, coreAt, mutableClock, startSmtp, syncedWorkspace, useSmtp, type MutableClock, type Received } from '../../recovery/helpers';
import { cloneDataDir, workspaceFile } from './fixture';

/**
 * Recovery-run fixtures for the harness (crash and faults): a synced workspace
 * prepared once, then per trial a private copy of its data folder, a fresh
 * local Stripe server with the same seed (its invoices unpaid again) and a
 * clock at the server's "now". `ledger` then compares what the run recorded
 * with what the SMTP and Stripe servers received.
 */
export interface RunBase {
  dataDir: string;
  workspaceId: string;
  key: string;
  seed: number;
  customers: number;
}

const bases = new Map<string, Promise<RunBase>>();
/** Built once per (seed, customers) and shared by the categories (trials work on copies). */
export function runBase(opts: { seed: number; customers: number }): Promise<RunBase> {
  const id = `${opts.seed}:${opts.customers}`;
  let base = bases.get(id);
  if (!base) {
    base = (async () => {
      const env = await syncedWorkspace(opts);
      await env.core.close();
      await env.sim.close();
      return { dataDir: env.dataDir, workspaceId: env.workspaceId, key: env.key, seed: opts.seed, customers: opts.customers };
    })();
    bases.set(id, base);
  }
  return base;
}

/** The recovery-run workspace of the harness: 60 customers in quick mode (about 30 actions due at once), more in full. */
export const RUN_SEED = 303;
export const runCustomers = (quick: boolean) => (quick ? 60 : 150);

export interface RunTrial {
  dir: string;
  workspaceId: string;
  sim: StripeSim;
  clock: MutableClock;
  planId: string;
  /** Actions due at once in the plan. */
  actionsNow: number;
}

/**
 * A private copy of the base with a fresh Stripe server; emails go to
 * `smtpPort`; a run planned (not started). With `emailNow`, the plan covers only
 * that many customers, each with an email due at once.
 */
export async function runTrial(base: RunBase, smtpPort: number, opts: { emailNow?: number } = {}): Promise<RunTrial> {
  const dir = cloneDataDir(base.dataDir);
  const sim = await startStripeSim({ seed: base.seed, customers: base.customers, rateLimit: null });
  sim.addKey(base.key, 'all');
  const reg = new Database(path.join(dir, 'registry.sqlite'));
  reg.prepare('UPDATE workspaces SET api_base = ? WHERE id = ?').run(sim.url, base.workspaceId);
  reg.close();
  const clock = mutableClock(sim.now() * 1000);
  const core = coreAt(dir, clock);
  try {
    const call = caller(core);
    await useSmtp(call, base.workspaceId, smtpPort);
    let plan = await call('runs.plan', { workspaceId: base.workspaceId });
    if (opts.emailNow) {
      const customerIds = plan.rows.filter((r) => r.steps.some((x) => x.when === 'now' && x.channel === 'email')).slice(0, opts.emailNow).map((r) => r.customerId);
      plan = await call('runs.plan', { workspaceId: base.workspaceId, customerIds });
    }
    return { dir, workspaceId: base.workspaceId, sim, clock, planId: plan.planId, actionsNow: plan.totals.actionsNow };
  } catch (e) {
    await sim.close();
    throw e;
  } finally {
    await core.close();
  }
}

export async function endTrial(t: RunTrial): Promise<void> {
  await t.sim.close();
  fs.rmSync(t.dir, { recursive: true, force: true });
}

/** The run started from the trial's plan (null when no process got that far). */
export function runOf(t: RunTrial): string | null {
  const db = new Database(workspaceFile(t.dir, t.workspaceId), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM recovery_runs WHERE plan_id = ?').pluck().get(t.planId) as string | undefined) ?? null;
  } finally {
    db.close();
  }
}

/** Starts (or resumes) the run in this process and advances the clock until every step has fired (at most `rounds` times). */
export async function runToEnd(t: RunTrial, opts: { rounds?: number; stepDays?: number } = {}): Promise<{ runId: string; status: string }> {
  const core = coreAt(t.dir, t.clock);
  try {
    const call = caller(core);
    let runId = runOf(t);
    let status = runId
      ? (await call('runs.resume', { workspaceId: t.workspaceId, runId, wait: true })).status
      : (await call('runs.start', { workspaceId: t.workspaceId, planId: t.planId, confirm: true, wait: true })).status;
    runId ??= runOf(t)!;
    for (let i = 0; i < (opts.rounds ?? 10) && status === 'running'; i++) {
      t.clock.advance((opts.stepDays ?? 4) * 86_400);
      status = (await call('runs.resume', { workspaceId: t.workspaceId, runId, wait: true })).status;
    }
    return { runId, status };
  } finally {
    await core.close();
  }
}

interface OutboxRow { key: string; invoice_id: string; step_id: string; channel: string; status: string; detail: string | null; external_id: string | null }

export interface Ledger {
  problems: string[];
  emails: number;
  pays: number;
  interrupted: number;
  /** Interrupted sends recorded "not sent again" that the SMTP server never received: the customer got nothing. */
  lost: number;
  /** Interrupted sends that recovery sent again (they had not reached the server, #18.1): received once, the action succeeded. */
  resent: number;
  rows: OutboxRow[];
  /** Emails the SMTP server received per outbox key. */
  receivedByKey: Map<string, number>;
}

/**
 * What the run recorded against what the servers received: integrity check,
 * nothing in flight, no email twice (by Message-ID and by recipient + action),
 * every received email matching an action, no Stripe write executed twice (by
 * Idempotency-Key), no invoice paid twice, every pay request matching a retry
 * action that fired, and the audit log agreeing with the outbox.
 */
export function ledger(t: RunTrial, received: Received[]): Ledger {
  const problems: string[] = [];
  const db = new Database(workspaceFile(t.dir, t.workspaceId), { readonly: true });
  let rows: OutboxRow[];
  let from: string;
  const lastAudit = new Map<string, string>();
  const recovering = new Set<string>();
  let stages = new Map<string, string>();
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    rows = db.prepare('SELECT o.key, o.invoice_id, o.step_id, o.channel, o.status, o.detail, o.external_id FROM recovery_outbox o JOIN recovery_runs r ON r.id = o.run_id WHERE r.plan_id = ?').all(t.planId) as OutboxRow[];
    from = readSmtp(db).from ?? DEFAULT_FROM;
    for (const a of db.prepare("SELECT kind, data FROM audit_log WHERE kind LIKE 'action.%' AND kind NOT IN ('action.started', 'action.recovering') ORDER BY id").all() as { kind: string; data: string }[]) {
      const key = (JSON.parse(a.data) as { key?: string }).key;
      if (key) lastAudit.set(key, a.kind.slice('action.'.length));
    }
    stages = new Map((db.prepare('SELECT outbox_key, stage FROM smtp_send_stages').all() as { outbox_key: string; stage: string }[]).map((r) => [r.outbox_key, r.stage]));
    for (const data of db.prepare("SELECT data FROM audit_log WHERE kind = 'action.recovering'").pluck().all() as string[]) {
      const key = (JSON.parse(data) as { key?: string }).key;
      if (key) recovering.add(key);
    }
  } finally {
    db.close();
  }
  const inFlight = rows.filter((r) => r.status === 'in_flight');
  if (inFlight.length) problems.push(`${inFlight.length} actions stuck in flight`);

  // Emails, counted at the SMTP server.
  const byMessageId = new Map(rows.map((r) => [messageIdFor(r.key, from), r]));
  const perId = new Map<string, number>();
  const perRecipientAction = new Map<string, number>();
  const receivedByKey = new Map<string, number>();
  for (const m of received) {
    perId.set(m.messageId, (perId.get(m.messageId) ?? 0) + 1);
    const row = byMessageId.get(m.messageId);
    if (!row) {
      problems.push(`email ${m.messageId} to ${m.to} matches no action of the run`);
      continue;
    }
    receivedByKey.set(row.key, (receivedByKey.get(row.key) ?? 0) + 1);
    const k = `${m.to}|${row.invoice_id}|${row.step_id}`;
    perRecipientAction.set(k, (perRecipientAction.get(k) ?? 0) + 1);
    if (row.status !== 'succeeded' && !/interrupted|not sent again/.test(row.detail ?? '')) problems.push(`email for ${row.key} arrived but the action is ${row.status}: ${row.detail}`);
  }
  const twice = [...perId].filter(([, n]) => n > 1);
  if (twice.length) problems.push(`${twice.length} emails received more than once by Message-ID (${twice[0]![0]} ×${twice[0]![1]})`);
  const twiceRa = [...perRecipientAction].filter(([, n]) => n > 1);
  if (twiceRa.length) problems.push(`${twiceRa.length} recipient+step pairs emailed more than once (${twiceRa[0]![0]})`);
  for (const r of rows) {
    if (r.status === 'succeeded' && r.external_id?.startsWith('<reclaim.') && (perId.get(r.external_id) ?? 0) !== 1) problems.push(`action ${r.key} says sent but the server received it ${perId.get(r.external_id) ?? 0} times`);
  }

  // Charge retries, counted at the Stripe server.
  const executions = t.sim.writes.executions();
  const dup = [...executions].filter(([, n]) => n > 1);
  if (dup.length) problems.push(`${dup.length} Stripe writes executed more than once (${dup[0]![0]})`);
  const paidTwice = [...t.sim.writes.payments()].filter(([, n]) => n > 1);
  if (paidTwice.length) problems.push(`${paidTwice.length} invoices paid more than once (${paidTwice[0]![0]})`);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const payKeys = [...executions.keys()].filter((k) => k.startsWith('reclaim-pay-'));
  const perInvoice = new Map<string, number>();
  for (const k of payKeys) {
    const key = Buffer.from(k.slice('reclaim-pay-'.length), 'base64url').toString();
    const row = byKey.get(key);
    if (!row || row.channel !== 'retry') problems.push(`pay request ${k} matches no retry action`);
    else if (row.status !== 'succeeded' && row.status !== 'failed' && row.status !== 'skipped') problems.push(`pay request for ${key} executed but the action is ${row.status}`);
    const pk = `${row?.invoice_id}|${row?.step_id}`;
    perInvoice.set(pk, (perInvoice.get(pk) ?? 0) + 1);
  }
  if ([...perInvoice.values()].some((n) => n > 1)) problems.push('one retry step paid its invoice through more than one request');
  const fired = rows.filter((r) => r.channel === 'retry' && (r.status === 'succeeded' || r.status === 'failed') && r.detail?.startsWith('retried:'));
  const missing = fired.filter((r) => !executions.has(`reclaim-pay-${Buffer.from(r.key).toString('base64url')}`.slice(0, 255)));
  if (missing.length) problems.push(`${missing.length} retries recorded as made never reached the Stripe server (${missing[0]!.key})`);

  // The audit log agrees with the outbox on every finished action.
  const disagree = rows.filter((r) => ['succeeded', 'failed', 'pending', 'skipped'].includes(r.status) && lastAudit.has(r.key) && lastAudit.get(r.key) !== r.status);
  const unaudited = rows.filter((r) => ['succeeded', 'failed', 'pending'].includes(r.status) && !lastAudit.has(r.key));
  if (disagree.length) problems.push(`${disagree.length} actions whose audit says otherwise (${disagree[0]!.key}: ${lastAudit.get(disagree[0]!.key)} vs ${disagree[0]!.status})`);
  if (unaudited.length) problems.push(`${unaudited.length} finished actions missing from the audit log`);

  const interrupted = rows.filter((r) => /interrupted/.test(r.detail ?? '') && /not sent again/.test(r.detail ?? ''));
  const lost = interrupted.filter((r) => !receivedByKey.has(r.key)).length;
  // Only a send that may have handed the message over is left unsent (#18.1).
  const heldBack = interrupted.filter((r) => !['data_sent', 'replied', 'unknown'].includes(stages.get(r.key) ?? ''));
  if (heldBack.length) problems.push(`${heldBack.length} interrupted sends not sent again although they never handed the message over (${heldBack[0]!.key}: stage ${stages.get(heldBack[0]!.key) ?? 'none'})`);
  const resent = rows.filter((r) => recovering.has(r.key) && r.status === 'succeeded' && receivedByKey.get(r.key) === 1 && !/before an interruption/.test(r.detail ?? '')).length;
  return { problems, emails: received.length, pays: payKeys.length, interrupted: interrupted.length, lost, resent, rows, receivedByKey };
}

export { startSmtp };
