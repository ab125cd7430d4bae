/**
 * Voice call step. Before anything is dialled:
 * - the customer's value (max of MRR and amount at risk) must reach the
 *   threshold, or the step is skipped "under voice threshold";
 * - one more call's budgeted cost must fit the daily cap and the run's cap.
 * The check, the reservation of the cost and the outbox-keyed row are one
 * SQLite transaction, so concurrent or repeated executions cannot overspend,
 * and the provider's idempotency key derives from the outbox key, so a crash
 * between dialling and recording never dials twice.
 * With the 'call_list' provider the call becomes a queue task for a human.
 */
import crypto from 'node:crypto';
import type { VoiceSettings } from '../../../../../shared/whiteglove';
import type { Sqlite } from '../../../db/sqlite';
import type { Secrets } from '../../../ports';
import { DEFAULT_CALL_SCRIPT, loadCustomer, renderText, templateVars } from '../../../queue/customer';
import { getSettings, voiceTokenSecretId } from '../../../queue/settings';
import { resolvePending } from '../../../queue/outbox-link';
import { createTask } from '../../../queue/tasks';
import type { ActionContext, ActionResult, Channel, PlanEstimate } from '../../channel';
import type { PlanReads } from '../../plan-reads';
import { UNDER_THRESHOLD, budgetBlock, customerValue, utcDay, voiceSpend } from './budget';
import { BlandVoiceProvider } from './bland-provider';
import { HttpVoiceProvider } from './http-provider';

const BLAND_API = 'https://api.bland.ai';
import { VoiceProviderError, type CallState, type VoiceProvider } from './provider';

export interface VoiceChannelDeps {
  secrets: Secrets;
  fetch: typeof fetch;
  /** Builds the provider for the workspace's settings; defaults to the HTTP adapter. */
  providerFor?: (settings: VoiceSettings, token: string) => VoiceProvider;
  /** The business name an AI voice agent introduces (the workspace name). */
  workspaceName?: (workspaceId: string) => string;
}

export interface VoiceCallRow {
  action_key: string; run_id: string; customer_id: string; invoice_id: string; provider: 'http' | 'call_list';
  request_id: string; to_number: string | null; provider_call_id: string | null; status: string; duration_sec: number | null;
  reserved_cost: number; cost: number | null; currency: string; created_at: number; day: string; updated_at: number;
}

export const voiceRequestId = (key: string) => `reclaim-call-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/** Step config may tighten the workspace's voice settings for one strategy. */
function effective(db: Sqlite, config: Record<string, unknown>, reads?: PlanReads): VoiceSettings {
  const s = (reads ? reads.settings() : getSettings(db)).voice;
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  return {
    ...s,
    minCustomerValue: num(config.minCustomerValue) ?? s.minCustomerValue,
    costPerCall: num(config.costPerCall) ?? s.costPerCall,
    perRunBudget: num(config.perRunBudget) ?? s.perRunBudget,
  };
}

export interface VoiceChannel extends Channel {
  /** Reads the provider's status of every unfinished call; records the final cost. */
  poll(workspaceId: string, db: Sqlite, now: number): Promise<{ actionKey: string; status: string; cost: number | null }[]>;
}

export function createVoiceChannel(deps: VoiceChannelDeps): VoiceChannel {
  /** Per plan (run id): the cost each planned call would reserve, so later calls show the cap. */
  const planned = new Map<string, Map<string, number>>();

  const providerFor = (s: VoiceSettings, token: string): VoiceProvider => {
    if (deps.providerFor) return deps.providerFor(s, token);
    if (s.api === 'bland') return new BlandVoiceProvider({ apiBase: s.apiBase ?? BLAND_API, apiKey: token, fromNumber: s.fromNumber, fetch: deps.fetch });
    if (!s.apiBase || !s.accountId) throw new VoiceProviderError('The voice provider URL and account id are not set (Settings → Voice).', false);
    return new HttpVoiceProvider({ apiBase: s.apiBase, accountId: s.accountId, authToken: token, fetch: deps.fetch });
  };

  const precheck = (a: ActionContext, s: VoiceSettings): { skip: string } | { phone: string | null } => {
    if (a.reads) {
      // A dry-run plan: the facts read for the whole plan; the phone only when a call would be dialled.
      const f = a.reads.factsOf(a.customerId);
      if (!f) return { skip: 'customer not found' };
      if (customerValue(f) < s.minCustomerValue) return { skip: UNDER_THRESHOLD };
      if (s.provider !== 'http') return { phone: null };
      const phone = a.reads.phone(a.customerId);
      return phone ? { phone } : { skip: 'no phone number' };
    }
    const c = loadCustomer(a.db, a.customerId, a.invoiceId);
    if (!c) return { skip: 'customer not found' };
    if (customerValue(c) < s.minCustomerValue) return { skip: UNDER_THRESHOLD };
    if (s.provider === 'http' && !c.phone) return { skip: 'no phone number' };
    return { phone: c.phone };
  };

  const record = (db: Sqlite, key: string) => db.prepare(`SELECT * FROM voice_calls WHERE action_key = ?`).get(key) as VoiceCallRow | undefined;

  const applyState = (db: Sqlite, key: string, st: CallState, now: number) => {
    db.prepare(`UPDATE voice_calls SET provider_call_id = ?, status = ?, duration_sec = ?, cost = ?, updated_at = ? WHERE action_key = ?`).run(
      st.id, st.status, st.durationSec, st.final ? (st.cost ?? 0) : null, now, key,
    );
  };

  const dial = async (a: ActionContext, s: VoiceSettings, row: VoiceCallRow): Promise<ActionResult> => {
    const token = await deps.secrets.get(voiceTokenSecretId(a.workspaceId));
    if (!token) return { status: 'failed', detail: 'The voice provider auth token is not set (Settings → Voice).', retryable: false };
    const c = loadCustomer(a.db, a.customerId, a.invoiceId);
    const vars = c ? templateVars(c, c.accountManager) : {};
    const script = renderText(typeof a.config.script === 'string' && a.config.script.trim() ? a.config.script : DEFAULT_CALL_SCRIPT, vars);
    // What an AI voice agent may use in the conversation (the Twilio-shaped API only speaks the script).
    const context = Object.fromEntries(
      Object.entries({ customer_name: vars.name, first_name: vars.first_name, amount: vars.amount, invoice_number: vars.invoice_number, pay_link: vars.pay_url, account_manager: vars.account_manager, segment: vars.segment, business: deps.workspaceName?.(a.workspaceId) })
        .filter(([, v]) => typeof v === 'string' && v !== '')
        .map(([k, v]) => [k, String(v)]),
    );
    try {
      const st = await providerFor(s, token).place({
        requestId: row.request_id,
        to: row.to_number!,
        from: s.fromNumber ?? '',
        script,
        tags: { customer: a.customerId, invoice: a.invoiceId, run: a.runId },
        context,
      });
      applyState(a.db, a.key, st, a.now);
      return { status: 'pending', detail: `call ${st.status}`, externalId: st.id, cost: { amount: row.reserved_cost, currency: row.currency } };
    } catch (e) {
      if (e instanceof VoiceProviderError) {
        // Release the reservation of a call the provider refused for good; keep it while a retry may still dial.
        if (!e.retryable) a.db.prepare(`UPDATE voice_calls SET status = 'failed', reserved_cost = 0, cost = 0, updated_at = ? WHERE action_key = ?`).run(a.now, a.key);
        return { status: 'failed', detail: e.message, retryable: e.retryable };
      }
      throw e;
    }
  };

  return {
    kind: 'voice',
    /** The provider dedupes on the request id derived from the key; a call-list task is unique per key. */
    idempotent: true,

    estimate(a: ActionContext): PlanEstimate {
      const s = effective(a.db, a.config, a.reads);
      const pre = precheck(a, s);
      if ('skip' in pre) return { skipReason: pre.skip };
      if (s.provider === 'call_list') return { skipReason: null, estimatedCost: { amount: 0, currency: s.currency } };
      const spent = a.reads ? a.reads.voiceSpend(utcDay(a.now), a.runId) : voiceSpend(a.db, utcDay(a.now), a.runId);
      // Already reserved for this very action (a step looked at again after a crash): it fits by definition.
      if (a.reads?.voiceRecorded(a.key) ?? record(a.db, a.key)) return { skipReason: null, estimatedCost: { amount: s.costPerCall, currency: s.currency } };
      if (!a.dryRun) {
        // Just before execute: the reservation in execute is what counts; this only says whether one more call fits.
        const block = budgetBlock(s, spent, s.costPerCall);
        return block ? { skipReason: block } : { skipReason: null, estimatedCost: { amount: s.costPerCall, currency: s.currency } };
      }
      // A dry-run plan walks its calls in order: later calls see what earlier ones of the same plan would spend.
      let plan = planned.get(a.runId);
      if (!plan) {
        if (planned.size > 50) planned.delete(planned.keys().next().value!);
        planned.set(a.runId, (plan = new Map()));
      }
      plan.delete(a.key);
      const inPlan = [...plan.values()].reduce((x, y) => x + y, 0);
      const block = budgetBlock(s, { day: spent.day + inPlan, run: spent.run + inPlan }, s.costPerCall);
      if (block) return { skipReason: block };
      plan.set(a.key, s.costPerCall);
      return { skipReason: null, estimatedCost: { amount: s.costPerCall, currency: s.currency } };
    },

    async execute(a: ActionContext): Promise<ActionResult> {
      const s = effective(a.db, a.config);
      const existing = record(a.db, a.key);
      if (existing) {
        if (existing.provider === 'call_list') {
          const { task } = createTask(a.db, { key: a.key, kind: 'call', runId: a.runId, stepId: a.stepId, customerId: a.customerId, invoiceId: a.invoiceId, segmentId: a.segmentId, config: a.config, now: a.now }, getSettings(a.db).am);
          return { status: 'pending', detail: 'call task in the white-glove queue', externalId: task.id };
        }
        if (existing.status === 'failed' && existing.reserved_cost === 0) return { status: 'failed', detail: 'the voice provider refused the call', retryable: false };
        if (existing.provider_call_id) return { status: 'pending', detail: `call ${existing.status}`, externalId: existing.provider_call_id, cost: { amount: existing.cost ?? existing.reserved_cost, currency: existing.currency } };
        // Reserved before a crash or a provider hiccup: dial again with the same request id.
        return dial(a, s, existing);
      }
      const pre = precheck(a, s);
      if ('skip' in pre) return { status: 'skipped', detail: pre.skip };

      const reserved = a.db.transaction((): VoiceCallRow | string => {
        const again = record(a.db, a.key);
        if (again) return again;
        const day = utcDay(a.now);
        const cost = s.provider === 'http' ? s.costPerCall : 0;
        if (s.provider === 'http') {
          const block = budgetBlock(s, voiceSpend(a.db, day, a.runId), cost);
          if (block) return block;
        }
        const row: VoiceCallRow = {
          action_key: a.key, run_id: a.runId, customer_id: a.customerId, invoice_id: a.invoiceId, provider: s.provider,
          request_id: voiceRequestId(a.key), to_number: pre.phone, provider_call_id: null, status: s.provider === 'http' ? 'placing' : 'queued',
          duration_sec: null, reserved_cost: cost, cost: null, currency: s.currency, created_at: a.now, day, updated_at: a.now,
        };
        const cols = Object.keys(row);
        a.db.prepare(`INSERT INTO voice_calls (${cols.join(', ')}) VALUES (${cols.map((k) => '@' + k).join(', ')})`).run(row);
        if (s.provider === 'call_list') {
          createTask(a.db, { key: a.key, kind: 'call', runId: a.runId, stepId: a.stepId, customerId: a.customerId, invoiceId: a.invoiceId, segmentId: a.segmentId, config: a.config, now: a.now }, getSettings(a.db).am);
        }
        return row;
      })();
      if (typeof reserved === 'string') return { status: 'skipped', detail: reserved };
      if (reserved.provider === 'call_list') {
        const task = a.db.prepare(`SELECT id FROM am_tasks WHERE action_key = ?`).get(a.key) as { id: string };
        return { status: 'pending', detail: 'call task in the white-glove queue', externalId: task.id };
      }
      return dial(a, s, reserved);
    },

    async poll(workspaceId, db, now) {
      const open = db
        .prepare(`SELECT * FROM voice_calls WHERE provider = 'http' AND provider_call_id IS NOT NULL AND cost IS NULL AND status NOT IN ('failed')`)
        .all() as VoiceCallRow[];
      if (open.length === 0) return [];
      const token = await deps.secrets.get(voiceTokenSecretId(workspaceId));
      if (!token) return [];
      let provider: VoiceProvider;
      try {
        provider = providerFor(getSettings(db).voice, token);
      } catch {
        return [];
      }
      const out: { actionKey: string; status: string; cost: number | null }[] = [];
      for (const r of open) {
        try {
          const st = await provider.status(r.provider_call_id!);
          applyState(db, r.action_key, st, now);
          out.push({ actionKey: r.action_key, status: st.status, cost: st.final ? (st.cost ?? 0) : null });
          if (st.final) {
            resolvePending(db, r.action_key, {
              status: st.status === 'answered' ? 'succeeded' : 'failed',
              detail: st.status === 'answered' ? `call answered (${st.durationSec} s)` : st.status === 'no-answer' ? 'call not answered' : 'call failed',
              cost: { amount: st.cost ?? 0, currency: r.currency },
              nowMs: now * 1000,
            });
          }
        } catch (e) {
          if (!(e instanceof VoiceProviderError)) throw e;
        }
      }
      return out;
    },
  };
}

/** The last call's result for an invoice (for escalation rules), or null when none was made. */
export function lastCall(db: Sqlite, invoiceId: string): { status: string; at: number } | null {
  const r = db.prepare(`SELECT status, created_at FROM voice_calls WHERE invoice_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`).get(invoiceId) as
    | { status: string; created_at: number }
    | undefined;
  return r ? { status: r.status, at: r.created_at } : null;
}
