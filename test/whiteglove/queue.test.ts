import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAmTaskChannel } from '../../main/core/recovery/channels/am-task';
import { taskContext } from '../../main/core/queue/context';
import { updateSettings } from '../../main/core/queue/settings';
import { holdFor, listTasks, logOutcome } from '../../main/core/queue/tasks';
import type { Sqlite } from '../../main/core/db/sqlite';
import { workspaceDb } from '../segments/helpers';
import { actionFor, DAY, NOW, seed } from './helpers';

let ws: ReturnType<typeof workspaceDb>;
let db: Sqlite;
beforeEach(() => {
  ws = workspaceDb();
  db = ws.db;
  seed(db, [
    { id: 'c01', name: 'Ada Lovelace', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'alice.wong@example.test' },
    { id: 'c02', mrr: 90_000, amountAtRisk: 400_000, declineCode: 'stolen_card' },
    { id: 'c03', mrr: 60_000, amountAtRisk: 60_000 },
    { id: 'c04', mrr: 2_900, amountAtRisk: 2_900, segment: 'Starter' },
  ]);
  updateSettings(db, 'am', { managers: ['bruno.diaz@example.test', 'chen.li@example.test'], dueHours: 24, slaHours: 4 });
});
afterEach(() => ws.close());

const am = createAmTaskChannel();

async function createAll(now = NOW) {
  for (const id of ['c01', 'c02', 'c03', 'c04']) await am.execute(actionFor(db, { customerId: id, channel: 'am_task', now }));
}

describe('account-manager queue', () => {
  it('assigns the customer’s account manager, else round-robin, and orders by amount at risk', async () => {
    await createAll();
    const tasks = listTasks(db, { now: NOW });
    expect(tasks.map((t) => [t.customerId, t.assignee, t.amountAtRisk])).toEqual([
      ['c02', 'bruno.diaz@example.test', 400_000],
      ['c01', 'alice.wong@example.test', 150_000],
      ['c03', 'chen.li@example.test', 60_000],
      ['c04', 'bruno.diaz@example.test', 2_900],
    ]);
    expect(tasks[0]).toMatchObject({ dueAt: NOW + 24 * 3600, slaAt: NOW + 4 * 3600, overdue: false, status: 'open', kind: 'am' });
    // Running the step again (after a crash) creates nothing new.
    await createAll();
    expect(listTasks(db, { now: NOW, status: 'all' })).toHaveLength(4);
  });

  it('filters mine, overdue and segment', async () => {
    await createAll();
    expect(listTasks(db, { now: NOW, mine: 'BRUNO.DIAZ@example.test' }).map((t) => t.customerId)).toEqual(['c02', 'c04']);
    expect(listTasks(db, { now: NOW + 23 * 3600, overdue: true })).toHaveLength(0);
    const late = listTasks(db, { now: NOW + 25 * 3600, overdue: true });
    expect(late).toHaveLength(4);
    expect(late.every((t) => t.overdue && t.slaBreached)).toBe(true);
    expect(listTasks(db, { now: NOW, segmentId: 'seg_starter' }).map((t) => t.customerId)).toEqual(['c04']);
  });

  it('"promised to pay" closes the task and holds the invoice until the promised day; "no answer" keeps it open', async () => {
    await createAll();
    const [c02] = listTasks(db, { now: NOW });
    expect(() => logOutcome(db, c02!.id, { outcome: 'promised', now: NOW })).toThrow(/needs the promised date/);
    expect(() => logOutcome(db, c02!.id, { outcome: 'promised', promisedDate: '2020-01-01', now: NOW })).toThrow(/in the past/);
    const date = new Date((NOW + 5 * DAY) * 1000).toISOString().slice(0, 10);
    logOutcome(db, c02!.id, { outcome: 'no_answer', note: 'voicemail', by: 'bruno.diaz@example.test', now: NOW + 60 });
    expect(listTasks(db, { now: NOW }).find((t) => t.id === c02!.id)?.status).toBe('open');
    logOutcome(db, c02!.id, { outcome: 'promised', promisedDate: date, note: 'paying Friday', by: 'bruno.diaz@example.test', now: NOW + 120 });
    const done = listTasks(db, { now: NOW, status: 'all' }).find((t) => t.id === c02!.id)!;
    expect(done).toMatchObject({ status: 'done', outcome: 'promised', promisedDate: date });
    expect(holdFor(db, 'in_c02', NOW + 4 * DAY)?.reason).toBe(`Promised to pay by ${date}`);
    expect(holdFor(db, 'in_c02', NOW + 6 * DAY)).toBeNull();
    expect(holdFor(db, 'in_c01', NOW)).toBeNull();
  });

  it('puts the whole context on one screen', async () => {
    await createAll();
    const c01 = listTasks(db, { now: NOW }).find((t) => t.customerId === 'c01')!;
    logOutcome(db, c01.id, { outcome: 'reached', note: 'will update the card', by: 'alice.wong@example.test', now: NOW + 30 });
    const ctx = taskContext(db, c01.id, NOW + 60);
    expect(ctx.facts).toMatchObject({ customer_id: 'c01', mrr: 150_000, account_manager: 'alice.wong@example.test' });
    expect(ctx.openInvoices).toEqual([expect.objectContaining({ id: 'in_c01', number: 'INV-C01', amountRemaining: 150_000 })]);
    expect(ctx.payments).toEqual([expect.objectContaining({ id: 'ch_c01', status: 'failed', declineCode: 'insufficient_funds', hard: false })]);
    expect(ctx.task.segment?.name).toBe('Enterprise');
    expect(ctx.segmentWhy).toMatch(/./);
    expect(ctx.callScript).toContain('Hello Ada, this is Alice Wong calling about invoice INV-C01');
    expect(ctx.emailDraft).toMatchObject({ from: 'alice.wong@example.test', to: 'c01@example.test', subject: 'About invoice INV-C01' });
    expect(ctx.emailDraft.text).toContain('$1,500.00');
    expect(ctx.emailDraft.text).toContain('https://invoice.stripe.test/i/c01');
    expect(ctx.emailDraft.text.trim().endsWith('Alice Wong')).toBe(true);
    expect(ctx.log).toEqual([{ at: NOW + 30, outcome: 'reached', promisedDate: null, note: 'will update the card', by: 'alice.wong@example.test' }]);
    expect(ctx.timeline.map((e) => e.title)).toEqual(['Reached', 'Account-manager task created', 'Payment failed (insufficient_funds)']);
  });

  it('renders a hostile customer name as text in the draft', async () => {
    db.prepare(`UPDATE customer_facts SET name = ? WHERE customer_id = 'c03'`).run('{{ 7 | times: 6 }}{% raw %}');
    await am.execute(actionFor(db, { customerId: 'c03', channel: 'am_task' }));
    const t = listTasks(db, { now: NOW })[0]!;
    const ctx = taskContext(db, t.id, NOW);
    expect(ctx.emailDraft.text).toContain('Hi {{');
    expect(ctx.emailDraft.text).not.toContain('42');
  });
});
