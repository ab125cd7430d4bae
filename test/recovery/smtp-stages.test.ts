import { spawn } from 'node:child_process';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock } from './helpers';
import { CUSTOMERS, NOW, seedWorkspace } from './fixture';

/**
 * Issue #18.1: a run killed (SIGKILL) while its email is on the way to the mail
 * server. Before the message was handed over (the server held the greeting,
 * MAIL FROM or RCPT TO), the resumed run sends it: the customer gets it once.
 * After the whole message reached the server (its reply held), it is not sent
 * again: still once.
 */
type Hold = 'greeting' | 'mail' | 'rcpt' | 'reply' | null;

async function holdingSmtp() {
  let hold: Hold = null;
  let reached: (() => void) | null = null;
  const received: string[] = [];
  const stop = (at: Hold) => {
    if (hold !== at) return false;
    reached?.();
    return true;
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onConnect: (_s, cb) => (stop('greeting') ? undefined : cb()),
    onMailFrom: (_a, _s, cb) => (stop('mail') ? undefined : cb()),
    onRcptTo: (_a, _s, cb) => (stop('rcpt') ? undefined : cb()),
    onData(stream, _s, cb) {
      simpleParser(stream)
        .then((m) => {
          received.push(m.messageId ?? '');
          if (!stop('reply')) cb();
        })
        .catch((e: Error) => cb(e));
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.server.address() as { port: number }).port,
    received,
    /** Holds the next session at `at`; resolves when a client got there. */
    holdAt(at: Hold): Promise<void> {
      hold = at;
      return new Promise<void>((r) => (reached = r));
    },
    release: () => (hold = null),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const CHILD = path.join(__dirname, 'run-child.ts');

describe('a run killed mid-send over SMTP, then resumed', () => {
  let smtp: Awaited<ReturnType<typeof holdingSmtp>>;
  beforeAll(async () => {
    smtp = await holdingSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  async function killedAt(hold: Exclude<Hold, null>) {
    smtp.release();
    smtp.received.length = 0;
    const dataDir = tempDir();
    const clock = mutableClock(NOW * 1000);
    let core = coreAt(dataDir, clock);
    let call = caller(core);
    const workspaceId = (await call('workspaces.create', { name: `Killed at ${hold}` })).id;
    seedWorkspace(core, workspaceId, CUSTOMERS);
    await call('smtp.set', { workspaceId, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', ratePerMinute: 10_000 });
    const plan = await call('runs.plan', { workspaceId, customerIds: ['cus_new'] });
    await core.close();

    const reached = smtp.holdAt(hold);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, workspaceId, 'start', plan.planId], {
      env: { ...process.env, RUN_NOW_MS: String(clock.now()) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // The child exiting first (it failed before reaching the server) is a failure, not a hang.
    expect(await Promise.race([reached.then(() => 'held'), exited.then(() => 'exited first')])).toBe('held');
    child.kill('SIGKILL');
    await exited;
    smtp.release();

    core = coreAt(dataDir, clock);
    call = caller(core);
    const runId = (await call('runs.list', { workspaceId })).at(0)!.id;
    const before = (await call('runs.actions', { workspaceId, runId, limit: 100 })).rows.find((a) => a.stepId === 'welcome-help')!;
    expect(before.status).toBe('in_flight');
    await call('runs.resume', { workspaceId, runId, wait: true });
    const action = (await call('runs.actions', { workspaceId, runId, limit: 100 })).rows.find((a) => a.stepId === 'welcome-help')!;
    await core.close();
    return { action, received: [...smtp.received] };
  }

  it.each([
    ['greeting', 'before the connection opened'],
    ['mail', 'connected, before MAIL FROM was answered'],
    ['rcpt', 'connected, before RCPT TO was answered'],
  ] as const)('killed while the server held the %s (%s): sent when the run resumes, once', async (hold, _when) => {
    const { action, received } = await killedAt(hold);
    expect(action.status).toBe('succeeded');
    expect(action.detail).toMatch(/^sent to ada@lovelace\.test/);
    expect(received).toEqual([action.externalId]);
  }, 60_000);

  it('killed after the server took the whole message (its reply held): not sent again, the server has it once', async () => {
    const { action, received } = await killedAt('reply');
    expect(action.status).toBe('failed');
    expect(action.detail).toBe(
      'interrupted while sending over SMTP after the whole message was handed to the mail server, before it confirmed; not sent again, so the customer never gets it twice',
    );
    expect(received).toHaveLength(1);
  }, 60_000);
});
