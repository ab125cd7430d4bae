import { afterEach, describe, expect, it } from 'vitest';
import { startSmtp, type Received } from '../recovery/helpers';
import { call, clockedCore, step } from './engine-helpers';
import { NOW, seed } from './helpers';

/** #17 item 16: the account manager's personal email reaches the manager when the customer replies. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The first address of a parsed address header, as the customer's mail program reads it. */
const addr = (m: Received, header: string) => (m.headers.get(header) as { value: { name: string; address: string }[] } | undefined)?.value[0];

async function taskFor(accountManager: string, sendAs?: 'from' | 'reply_to') {
  const smtp = await startSmtp();
  cleanups.push(() => smtp.close());
  const { core } = clockedCore(NOW);
  cleanups.push(() => core.close());
  const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
  await call(core, 'smtp.set', { workspaceId: ws.id, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', fromName: 'Northwind Billing', ratePerMinute: 10_000 });
  if (sendAs) await call(core, 'whiteglove.am.set', { workspaceId: ws.id, sendAs });
  seed(core.registry.openDb(ws.id), [{ id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager }]);
  await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'AM', steps: [step.am('am', 0)] } });
  const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
  await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
  const [task] = (await call(core, 'queue.list', { workspaceId: ws.id })).rows;
  return { core, ws, smtp, taskId: task!.id };
}

describe('personal email from the account manager', () => {
  it('a manager stored as "Name <address>" gets the replies (Reply-To), and the task screen says so', async () => {
    const { core, ws, smtp, taskId } = await taskFor('Alice Wong <alice.wong@example.test>');
    const ctx = await call(core, 'queue.get', { workspaceId: ws.id, taskId });
    expect(ctx.emailDraft).toMatchObject({ repliesGoTo: 'alice.wong@example.test', repliesReachManager: true, fromHeader: 'Alice Wong <billing@northwind.test>' });
    await call(core, 'queue.sendEmail', { workspaceId: ws.id, taskId, subject: 'Quick note', text: 'Hi Ada' });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(addr(mail, 'from')).toEqual({ name: 'Alice Wong', address: 'billing@northwind.test' });
    expect(addr(mail, 'reply-to')?.address).toBe('alice.wong@example.test');
  });

  it('with "send as the manager" set, From is the manager; the workspace address stays the Sender', async () => {
    const { core, ws, smtp, taskId } = await taskFor('alice.wong@example.test', 'from');
    const ctx = await call(core, 'queue.get', { workspaceId: ws.id, taskId });
    expect(ctx.emailDraft).toMatchObject({ fromHeader: 'Alice Wong <alice.wong@example.test>', repliesGoTo: 'alice.wong@example.test' });
    await call(core, 'queue.sendEmail', { workspaceId: ws.id, taskId, subject: 'Quick note', text: 'Hi Ada' });
    const mail = smtp.received[0]!;
    expect(addr(mail, 'from')).toEqual({ name: 'Alice Wong', address: 'alice.wong@example.test' });
    expect(addr(mail, 'sender')?.address).toBe('billing@northwind.test');
    const stored = await call(core, 'outbox.get', { workspaceId: ws.id, id: (await call(core, 'outbox.list', { workspaceId: ws.id })).rows[0]!.id });
    expect(stored.from).toBe('Alice Wong <alice.wong@example.test>');
  });

  it("a run's email step sent as the account manager is from (or replied to) the manager too", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const { core } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    await call(core, 'smtp.set', { workspaceId: ws.id, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', fromName: 'Northwind Billing', ratePerMinute: 10_000 });
    await call(core, 'whiteglove.am.set', { workspaceId: ws.id, sendAs: 'from' });
    seed(core.registry.openDb(ws.id), [{ id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000, accountManager: 'Alice Wong <alice.wong@example.test>' }]);
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'AM email', steps: [step.email('personal', 0)] } });
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    expect(smtp.received).toHaveLength(1);
    expect(addr(smtp.received[0]!, 'from')).toEqual({ name: 'Alice Wong', address: 'alice.wong@example.test' });
    expect(addr(smtp.received[0]!, 'reply-to')?.address).toBe('alice.wong@example.test');
  });

  it('a manager known only by name: the task screen says replies go to the workspace address', async () => {
    const { core, ws, taskId } = await taskFor('Alice Wong');
    const ctx = await call(core, 'queue.get', { workspaceId: ws.id, taskId });
    expect(ctx.emailDraft).toMatchObject({ repliesGoTo: 'billing@northwind.test', repliesReachManager: false, fromHeader: 'Alice Wong <billing@northwind.test>' });
  });
});
