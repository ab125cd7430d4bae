import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpFailure } from '../../main/core/recovery/mailer';
import { faultySmtp } from '../harness/lib/smtp-faults';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock, type MutableClock } from './helpers';
import { CUSTOMERS, NOW, seedWorkspace } from './fixture';

// A real SMTP server behind a proxy that refuses, cuts or stalls connections (test/harness/lib/smtp-faults.ts).
describe('SMTP refusals and drops during a run', () => {
  const core = coreAt(tempDir(), mutableClock(NOW * 1000));
  const clock = core.ports.clock as MutableClock;
  const call = caller(core);
  let smtp: Awaited<ReturnType<typeof faultySmtp>>;

  beforeAll(async () => {
    smtp = await faultySmtp();
  });
  afterAll(async () => {
    await core.close();
    await smtp.close();
  });

  async function emailOnce(name: string) {
    clock.set(NOW * 1000);
    const workspaceId = (await call('workspaces.create', { name })).id;
    seedWorkspace(core, workspaceId, CUSTOMERS);
    await call('smtp.set', { workspaceId, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', ratePerMinute: 10_000 });
    const plan = await call('runs.plan', { workspaceId, customerIds: ['cus_new'] });
    const run = await call('runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });
    const action = async () => (await call('runs.actions', { workspaceId, runId: run.id, limit: 100 })).rows.find((a) => a.stepId === 'welcome-help')!;
    return { workspaceId, action };
  }

  it('a connection cut after the server took the message is not sent again (the customer never gets it twice)', async () => {
    smtp.received.length = 0;
    await smtp.set('drop-after-data');
    const { workspaceId, action } = await emailOnce('Cut after data');
    let a = await action();
    expect(a.status).toBe('failed');
    expect(a.detail).toMatch(/^The connection to the mail server at 127\.0\.0\.1:\d+ broke after the message was handed over.*may have been delivered, so it is not sent again/);
    await smtp.heal();
    clock.advance(20 * 60);
    await call('runs.tick', { workspaceId });
    a = await action();
    expect(a.status).toBe('failed');
    // The server did get it, exactly once; the address is not treated as a bounce.
    expect(smtp.received.map((m) => m.to)).toEqual(['ada@lovelace.test']);
    expect(await call('suppressions.list', { workspaceId })).toEqual([]);
  });

  it('a server that is not listening is named plainly, and the email goes out once it is back', async () => {
    smtp.received.length = 0;
    await smtp.set('down');
    const { workspaceId, action } = await emailOnce('Down');
    let a = await action();
    expect(a.status).toBe('scheduled');
    expect(a.detail).toMatch(/^The mail server at 127\.0\.0\.1:\d+ could not be reached: it refused the connection .* \(will try again\)$/);
    expect(a.detail).not.toMatch(/ECONNREFUSED|Error/);
    await smtp.heal();
    clock.advance(20 * 60);
    await call('runs.tick', { workspaceId });
    a = await action();
    expect(a.status).toBe('succeeded');
    expect(smtp.received.map((m) => m.to)).toEqual(['ada@lovelace.test']);
  });

  it('a temporary refusal (451) is tried again without suppressing the address', async () => {
    smtp.received.length = 0;
    await smtp.set({ reject: 451 });
    const { workspaceId, action } = await emailOnce('Greylisted');
    expect((await action()).detail).toMatch(/^The mail server refused the message: 451 .*\(will try again\)$/);
    expect(await call('suppressions.list', { workspaceId })).toEqual([]);
    await smtp.heal();
    clock.advance(20 * 60);
    await call('runs.tick', { workspaceId });
    expect((await action()).status).toBe('succeeded');
    expect(smtp.received).toHaveLength(1);
  });
});

// The classification on nodemailer's error shapes (smtp-connection `_formatError`) for replies the proxy cannot produce.
describe('smtpFailure', () => {
  it('a 5xx to the login or to the content is final but is not a bounce of the customer address', () => {
    const auth = smtpFailure(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed', command: 'AUTH PLAIN' }), 'mail.test:587', false);
    expect([auth.permanent, auth.final]).toEqual([false, false]);
    expect(auth.message).toBe('The mail server at mail.test:587 did not accept the user name and password (535 5.7.8 Authentication failed); check the SMTP settings');
    const content = smtpFailure(Object.assign(new Error('Message failed'), { code: 'EMESSAGE', responseCode: 554, response: '554 5.6.0 Message rejected', command: 'DATA' }), 'mail.test:587', true);
    expect([content.permanent, content.final]).toEqual([false, true]);
    const rcpt = smtpFailure(Object.assign(new Error("Can't send mail"), { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 No such user', command: 'RCPT TO' }), 'mail.test:587', false);
    expect([rcpt.permanent, rcpt.final]).toEqual([true, true]);
  });
});
