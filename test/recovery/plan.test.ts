import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlanRow } from '../../shared/contract';
import * as segments from '../../main/core/segments/service';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock } from './helpers';
import { CUSTOMERS, DAY, NOW, seedWorkspace } from './fixture';

const core = coreAt(tempDir(), mutableClock(NOW * 1000));
const call = caller(core);
let workspaceId: string;
let plan: Plan;
const row = (id: string): PlanRow => plan.rows.find((r) => r.customerId === id)!;
const shape = (r: PlanRow) => r.steps.map((s) => [s.stepId, s.channel, s.when, s.dueAt - NOW, s.skipReason]);

describe('dry-run plan of a small hand-built workspace', () => {
  beforeAll(async () => {
    workspaceId = (await call('workspaces.create', { name: 'Plan fixture' })).id;
    seedWorkspace(core, workspaceId, CUSTOMERS);
    await call('suppressions.add', { workspaceId, email: 'unsub@x.test', reason: 'unsubscribed' });
    plan = await call('runs.plan', { workspaceId });
  });
  afterAll(() => core.close());

  it('puts the product page’s three customers in the segments it describes, with their strategies', async () => {
    const winner = async (id: string) => (await call('segments.membership', { workspaceId, customerId: id })).winner?.name;
    // $999/month enterprise → Enterprise: personal email from "their" account manager first.
    expect(await winner('cus_ent')).toBe('Enterprise');
    const ent = await call('strategies.get', { workspaceId, segmentId: row('cus_ent').segmentId! });
    expect(ent.steps[0]).toMatchObject({ channel: 'email', config: { tone: 'white_glove', sender: 'account_manager' } });
    // $29/month in their second month → New Customer: warm onboarding email, not the Starter one.
    expect(await winner('cus_new')).toBe('New Customer');
    const fresh = await call('strategies.get', { workspaceId, segmentId: row('cus_new').segmentId! });
    expect(fresh.steps[0]).toMatchObject({ channel: 'email', config: { tone: 'warm' } });
    // Third failure this year → At-Risk: card update, then offers (payment method, annual, discount).
    expect(await winner('cus_risk')).toBe('At-Risk');
    const risk = await call('strategies.get', { workspaceId, segmentId: row('cus_risk').segmentId! });
    expect(risk.steps.filter((s) => s.channel === 'offer').map((s) => s.channel === 'offer' && s.config.kind)).toEqual(['payment_method', 'annual', 'coupon']);
  });

  it('lists every open failed invoice (not the paid one) with its segment', () => {
    expect(plan.rows.map((r) => [r.customerId, r.segmentName]).sort()).toEqual(
      [
        ['cus_cap', 'Growth'], ['cus_default', 'Default'], ['cus_ent', 'Enterprise'], ['cus_new', 'New Customer'],
        ['cus_noemail', 'Starter'], ['cus_risk', 'At-Risk'], ['cus_unsub', 'Loyal Customer'],
      ].sort(),
    );
  });

  it('schedules each step from the first failure, keeping the spacing when the run starts late', () => {
    expect(shape(row('cus_ent'))).toEqual([
      // #17 item 15: personal email and voice call at once, the account-manager task the same day (an hour later).
      ['personal-email', 'email', 'now', 0, null], ['voice-call', 'voice', 'now', 0, null], ['am-task', 'am_task', 'later', 3600, null],
      ['retry-1', 'retry', 'later', 2 * DAY, null], ['follow-up', 'email', 'later', 5 * DAY, null], ['retry-2', 'retry', 'later', 7 * DAY, null],
    ]);
    // Failed three days ago: day 0 is due now, day 3 keeps its three days' distance.
    expect(shape(row('cus_new'))).toEqual([
      ['welcome-help', 'email', 'now', 0, null], ['retry-1', 'retry', 'later', 3 * DAY, null],
      ['reminder', 'email', 'later', 6 * DAY, null], ['retry-2', 'retry', 'later', 9 * DAY, null],
    ]);
    expect(shape(row('cus_default'))).toEqual([
      ['notice', 'email', 'now', 0, null], ['retry-1', 'retry', 'later', 3 * DAY, null], ['reminder', 'email', 'later', 7 * DAY, null],
    ]);
  });

  it('never retries a hard decline: the retry asks for a new card, and says so', () => {
    const r = row('cus_risk');
    expect(r.hardDecline).toBe(true);
    expect(shape(r)).toEqual([
      ['card-update', 'email', 'now', 0, null], ['retry-1', 'email', 'later', 3 * DAY, null],
      ['offer-payment-method', 'offer', 'later', 5 * DAY, null], ['offer-annual', 'offer', 'later', 8 * DAY, null],
      ['offer-discount', 'offer', 'later', 12 * DAY, null],
    ]);
    expect(r.steps[1]!.note).toMatch(/hard decline \(stolen_card\).*new card/);
    expect(r.steps[4]!.estimatedCost).toEqual({ amount: 580, currency: 'usd' });
  });

  it('names the skip reasons: no email address, retry cap, unsubscribed', () => {
    expect(shape(row('cus_noemail'))).toEqual([
      ['notice', 'email', 'skip', 0, 'no email address'], ['retry-1', 'retry', 'later', 1 * DAY, null], ['retry-2', 'retry', 'later', 3 * DAY, null],
      ['reminder', 'email', 'skip', 5 * DAY, 'no email address'], ['retry-3', 'retry', 'later', 7 * DAY, null],
    ]);
    expect(shape(row('cus_cap'))).toEqual([
      ['notice', 'email', 'now', 0, null], ['retry-1', 'retry', 'skip', 2 * DAY, 'retry cap reached (4 of 4 attempts made)'],
      ['retry-2', 'retry', 'skip', 5 * DAY, 'retry cap reached (4 of 4 attempts made)'], ['reminder', 'email', 'later', 7 * DAY, null],
    ]);
    expect(shape(row('cus_unsub'))).toEqual([
      ['notice', 'email', 'skip', 0, 'unsubscribed (unsubscribed)'], ['retry-1', 'retry', 'later', 3 * DAY, null],
      ['reminder', 'email', 'skip', 7 * DAY, 'unsubscribed (unsubscribed)'], ['retry-2', 'retry', 'later', 10 * DAY, null],
    ]);
  });

  it('totals by segment and channel', () => {
    const t = plan.totals;
    expect([t.invoices, t.customers, t.actionsNow, t.actionsLater, t.skipped, t.estimatedCost]).toEqual([7, 7, 6, 19, 6, 580]);
    expect(t.amountAtRisk).toBe(99900 + 2900 + 2900 + 2900 + 19900 + 19900 + 4900);
    const ch = Object.fromEntries(t.byChannel.map((c) => [c.channel, [c.now, c.later, c.skipped]]));
    expect(ch).toEqual({ email: [5, 5, 4], retry: [0, 10, 2], offer: [0, 3, 0], voice: [1, 0, 0], am_task: [0, 1, 0] });
    const seg = Object.fromEntries(t.bySegment.map((s) => [s.segmentName, [s.invoices, s.actions, s.skipped]]));
    expect(seg).toEqual({ Enterprise: [1, 6, 0], 'New Customer': [1, 4, 0], 'At-Risk': [1, 5, 0], Starter: [1, 3, 2], Growth: [1, 2, 2], 'Loyal Customer': [1, 2, 2], Default: [1, 3, 0] });
    expect(plan.warnings.join(' ')).toMatch(/Smart Retries/);
    expect(plan.warnings.join(' ')).toMatch(/captured/);
  });

  it('filters by segment (and the Default strategy) and exports JSON', async () => {
    const atRisk = row('cus_risk').segmentId!;
    const some = await call('runs.plan', { workspaceId, segmentIds: [atRisk, 'default'] });
    expect(some.rows.map((r) => r.customerId).sort()).toEqual(['cus_default', 'cus_risk']);
    const json = await call('runs.planExport', { workspaceId, planId: some.planId, format: 'json' });
    expect((JSON.parse(json.text) as Plan).rows).toHaveLength(2);
  });
});

describe('default priority for existing workspaces', () => {
  it('moves the old tier-first order to the new one only where the user never reordered', () => {
    const db = core.registry.openDb(workspaceId);
    const old = ['Enterprise', 'Growth', 'Starter', 'New Customer', 'Loyal Customer', 'At-Risk'];
    const byName = new Map(segments.list(db).map((s) => [s.name, s.id]));
    segments.reorder(db, old.map((n) => byName.get(n)!));
    db.prepare(`DELETE FROM meta WHERE key = 'segments.default_order_v2'`).run();
    expect(segments.upgradeDefaultOrder(db, NOW)).toBe(true);
    expect(segments.list(db).map((s) => s.name)).toEqual(['Enterprise', 'At-Risk', 'New Customer', 'Loyal Customer', 'Growth', 'Starter']);
    // A user who reordered keeps their order.
    const mine = ['Growth', 'Enterprise', 'Starter', 'New Customer', 'Loyal Customer', 'At-Risk'];
    segments.reorder(db, mine.map((n) => byName.get(n)!));
    db.prepare(`DELETE FROM meta WHERE key = 'segments.default_order_v2'`).run();
    expect(segments.upgradeDefaultOrder(db, NOW)).toBe(false);
    expect(segments.list(db).map((s) => s.name)).toEqual(mine);
  });
});
