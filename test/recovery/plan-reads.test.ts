import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlanRow, StepInput } from '../../shared/contract';
import { buildPlan } from '../../main/core/recovery/plan';
import { createChannels } from '../../main/core/recovery/channels';
import { ChannelRegistry } from '../../main/core/recovery/engine';
import { syncedWorkspace } from './helpers';

type Env = Awaited<ReturnType<typeof syncedWorkspace>>;

const TEMPLATE = { subject: 'About invoice {{ invoice_number }}', text: 'Hello {{ name }}, please pay {{ amount }}: {{ pay_url }}', html: '' };
const d = (days: number) => ({ days, hours: 0, from: 'first_failure' as const });

/** Every channel, with the settings that make each ask its questions (caps, thresholds, conditions). */
const STEPS: StepInput[] = [
  { id: 'notice', channel: 'email', delay: d(0), config: { tone: 'warm', sender: 'workspace', template: TEMPLATE } },
  { id: 'retry-1', channel: 'retry', delay: d(1), config: { aggressiveness: 'standard', maxAttempts: 3, newCardTemplate: null } },
  { id: 'call', channel: 'voice', delay: d(1), config: {} },
  { id: 'am', channel: 'am_task', delay: d(2), config: { minCustomerValue: 3000 } },
  { id: 'discount', channel: 'offer', delay: d(3), config: { kind: 'coupon', percentOff: 20, duration: 'once', maxPerCustomer: 1, maxPerRun: 5 } },
  { id: 'other-way', channel: 'offer', delay: { days: 3, hours: 12, from: 'first_failure' }, config: { kind: 'payment_method', maxPerCustomer: 1 } },
  { id: 'annual', channel: 'offer', delay: d(4), config: { kind: 'annual', maxPerCustomer: 1 } },
  { id: 'hook', channel: 'webhook', delay: d(4), config: {} },
  { id: 'retry-2', channel: 'retry', delay: d(5), config: { aggressiveness: 'standard', maxAttempts: 3, newCardTemplate: null } },
  { id: 'nudge', channel: 'email', delay: d(6), conditions: { afterUnansweredEmails: 1 }, config: { tone: 'firm', sender: 'account_manager', template: TEMPLATE } } as StepInput,
];

/**
 * #22: the dry-run plan reads what its steps ask (facts, suppressions, earlier
 * retries and offers, Smart Retries, processing payments, paused collection,
 * the key's write permissions, voice settings and spend) once for all
 * invoices. The plan must say exactly what asking per invoice and step says:
 * the same workspace is planned both ways and the rows compared byte for byte.
 */
describe('dry-run plan: bulk reads give the same plan as one query per invoice', () => {
  let env: Env;
  let bulk: Plan;
  let perRow: Plan;
  const rowOf = (p: Plan, invoiceId: string): PlanRow => p.rows.find((r) => r.invoiceId === invoiceId)!;
  const stepOf = (p: Plan, invoiceId: string, stepId: string) => rowOf(p, invoiceId).steps.find((s) => s.stepId === stepId)!;
  let picked: { invoiceId: string; customerId: string; subscriptionId: string | null; email: string | null }[] = [];

  beforeAll(async () => {
    env = await syncedWorkspace({ seed: 2222, customers: 300 });
    const { call, workspaceId } = env;
    const db = env.core.registry.openDb(workspaceId);
    for (const id of ['default', ...(db.prepare(`SELECT id FROM segments`).pluck().all() as string[])]) {
      await call('strategies.set', { workspaceId, segmentId: id, strategy: { name: 'Every channel', steps: STEPS } });
    }
    // Nine soft-declined invoices of nine customers with an email, the sixth with a subscription (to pause).
    const subOf = db.prepare(`SELECT subscription_id FROM invoices WHERE id = ?`).pluck();
    const seen = new Set<string>();
    const open = (await call('runs.plan', { workspaceId })).rows
      .filter((r) => !r.hardDecline && r.email && !seen.has(r.customerId) && seen.add(r.customerId))
      .map((r) => ({ invoiceId: r.invoiceId, customerId: r.customerId, subscriptionId: subOf.get(r.invoiceId) as string | null, email: r.email }));
    const withSub = open.find((r) => r.subscriptionId)!;
    picked = open.filter((r) => r !== withSub).slice(0, 8);
    picked.splice(5, 0, withSub);
    const [unsub, declined, offered, processing, viaPayment, paused, smart, phoned, attrPhone] = picked;
    const now = env.clock.now();
    // One attempt so far each: only what the test adds reaches a retry cap of 3.
    for (const p of picked) db.prepare(`UPDATE invoices SET attempt_count = 1 WHERE id = ?`).run(p.invoiceId);

    // Unsubscribed in other letter case (the suppression list compares without case).
    await call('suppressions.add', { workspaceId, email: unsub!.email!.toUpperCase(), reason: 'unsubscribed' });
    // An earlier run: two declined pays of one invoice (count toward the retry cap), an offer already made to another customer.
    const outbox = db.prepare(
      `INSERT INTO recovery_outbox (key, run_id, invoice_id, customer_id, step_id, step_index, channel, delay_from, delay_sec, due_at, status, detail, created_at_ms, updated_at_ms, finished_at_ms)
       VALUES (?, 'run_earlier', ?, ?, ?, 0, 'retry', 'first_failure', 0, ?, 'failed', ?, ?, ?, ?)`,
    );
    outbox.run(`run_earlier:${declined!.invoiceId}:r1`, declined!.invoiceId, declined!.customerId, 'r1', now / 1000 - 86_400, 'Retried: Declined (insufficient_funds)', now - 86_400_000, now - 86_400_000, now - 86_400_000);
    outbox.run(`run_earlier:${declined!.invoiceId}:r2`, declined!.invoiceId, declined!.customerId, 'r2', now / 1000 - 3600, 'retried: declined (do_not_honor)', now - 3_600_000, now - 3_600_000, now - 3_600_000);
    db.prepare(
      `INSERT INTO recovery_offers (outbox_key, run_id, customer_id, invoice_id, kind, coupon_id, value_amount, currency, created_at_ms) VALUES (?, 'run_earlier', ?, ?, 'payment_method', NULL, 0, 'usd', ?)`,
    ).run(`run_earlier:${offered!.invoiceId}:other-way`, offered!.customerId, offered!.invoiceId, now - 86_400_000);
    // A bank debit still processing (on the payment intent itself, and through an invoice payment).
    const pi = db.prepare(`INSERT INTO payment_intents (id, customer_id, invoice_id, status, amount, currency, created, raw) VALUES (?, ?, ?, 'processing', 100, 'usd', 0, '{}')`);
    pi.run('pi_processing_1', processing!.customerId, processing!.invoiceId);
    pi.run('pi_processing_2', viaPayment!.customerId, null);
    db.prepare(
      `INSERT INTO invoice_payments (id, invoice_id, payment_intent_id, status, amount_requested, currency, is_default, created, raw) VALUES ('inpay_x', ?, 'pi_processing_2', 'open', 100, 'usd', 1, 0, '{}')`,
    ).run(viaPayment!.invoiceId);
    // Collection paused on a subscription; Stripe's Smart Retries scheduled for another invoice.
    expect(paused!.subscriptionId).not.toBeNull();
    db.prepare(`UPDATE subscriptions SET raw = json_set(raw, '$.pause_collection', json('{"behavior":"void"}')) WHERE id = ?`).run(paused!.subscriptionId);
    db.prepare(`UPDATE invoices SET next_payment_attempt = ? WHERE id = ?`).run(Math.floor(now / 1000) + 3 * 86_400, smart!.invoiceId);
    // The key was edited since connect: no more coupons (the plan probes the key first).
    env.sim.addKey(env.key, ['rak_invoice_write', 'rak_subscription_write']);
    // Calls through the provider API: a phone for two more customers (Stripe metadata, the facts' attributes; Enterprise customers have one in Stripe).
    db.prepare(`UPDATE customers SET metadata = json_set(metadata, '$.phone', ' +15550001111 ') WHERE id = ?`).run(phoned!.customerId);
    db.prepare(`UPDATE customer_facts SET attrs = json_set(attrs, '$.phone', '+15550002222') WHERE customer_id = ?`).run(attrPhone!.customerId);
    await call('whiteglove.voice.set', { workspaceId, provider: 'http', apiBase: 'http://127.0.0.1:9', accountId: 'AC_test', minCustomerValue: 0, dailyBudget: null, perRunBudget: null });
    await call('whiteglove.webhook.set', { workspaceId, url: 'http://127.0.0.1:9/hook' });

    bulk = await call('runs.plan', { workspaceId });
    const channels = new ChannelRegistry(
      createChannels({
        secrets: env.core.ports.secrets, nowMs: () => env.clock.now(), workspaceName: () => 'Northwind',
        stripe: () => Promise.reject(new Error('a dry run writes nothing to Stripe')), fetch: globalThis.fetch,
      }),
    );
    perRow = buildPlan({
      db, workspaceId, mode: 'test', now: Math.floor(now / 1000), nowMs: now, filters: {}, channels, logger: env.core.ports.logger, actor: 'Test Operator', perRowReads: true,
    });
  }, 240_000);
  afterAll(async () => {
    await env.core.close();
    await env.sim.close();
  });

  it('plans every invoice and step exactly as one query per invoice and step does', () => {
    expect(bulk.rows.length).toBeGreaterThan(20);
    expect(JSON.stringify(bulk.rows)).toBe(JSON.stringify(perRow.rows));
    expect(bulk.totals).toEqual(perRow.totals);
    expect(bulk.warnings).toEqual(perRow.warnings);
  });

  it('and the plan shows each of the answers it read once', () => {
    const [unsub, declined, offered, processing, viaPayment, paused, smart, phoned, attrPhone] = picked;
    expect(stepOf(bulk, unsub!.invoiceId, 'notice').skipReason).toBe('unsubscribed (unsubscribed)');
    expect(stepOf(bulk, declined!.invoiceId, 'retry-1').skipReason).toBe('retry cap reached (3 of 3 attempts made)');
    expect(stepOf(bulk, offered!.invoiceId, 'other-way').skipReason).toBe('offer cap reached for this customer');
    expect(stepOf(bulk, processing!.invoiceId, 'retry-1').skipReason).toMatch(/still processing/);
    expect(stepOf(bulk, viaPayment!.invoiceId, 'retry-1').skipReason).toMatch(/still processing/);
    expect(stepOf(bulk, paused!.invoiceId, 'retry-1').skipReason).toMatch(/collection is paused on the subscription \(void\)/);
    expect(stepOf(bulk, smart!.invoiceId, 'retry-1').skipReason).toMatch(/Smart Retries will retry this invoice/);
    expect(bulk.rows.flatMap((r) => r.steps).filter((s) => s.stepId === 'discount').map((s) => s.skipReason)).toContain(
      "the Stripe key lacks 'rak_coupon_write' (Coupons: write); edit the restricted key in the Stripe dashboard",
    );
    const calls = bulk.rows.filter((r) => r.steps.some((s) => s.stepId === 'call' && s.when !== 'skip')).map((r) => r.customerId);
    expect(calls).toEqual(expect.arrayContaining([phoned!.customerId, attrPhone!.customerId]));
    expect(bulk.rows.flatMap((r) => r.steps).filter((s) => s.stepId === 'call').map((s) => s.skipReason)).toContain('no phone number');
    expect(bulk.rows.flatMap((r) => r.steps).filter((s) => s.stepId === 'hook' && s.when !== 'skip').length).toBeGreaterThan(0);
  });
});
