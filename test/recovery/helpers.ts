import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Core } from '../../main/core/api';
import { createCore } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { FileSecrets } from '../../main/core/secrets/file-secrets';
import type { Input, Method, Output } from '../../shared/contract';
import { randomTestKey, startStripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';

export interface Received {
  messageId: string;
  to: string;
  toText: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  /** The SMTP envelope's recipients (RCPT TO), which is where mail really goes. */
  rcptTo: string[];
}

/** A real SMTP server on 127.0.0.1 that parses every message with mailparser. */
export async function startSmtp(opts: { delayMs?: number; reject?: (to: string) => number | null } = {}) {
  const received: Received[] = [];
  // Messages the server has taken in full (before any held reply), and who waits for a count.
  let taken = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  // A one-shot hold before the hand-over: the n-th session to reach `stage` is never answered there.
  let hold: { stage: PreHandOver; left: number; resolve: () => void } | null = null;
  const held = (stage: PreHandOver): boolean => {
    if (hold?.stage !== stage || --hold.left > 0) return false;
    hold.resolve();
    hold = null;
    return true;
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    onConnect: (_session, cb) => (held('greeting') ? undefined : cb()),
    onMailFrom: (_address, _session, cb) => (held('mail') ? undefined : cb()),
    onRcptTo(address, _session, cb) {
      if (held('rcpt')) return;
      const code = opts.reject?.(address.address) ?? null;
      if (code) {
        const err = new Error(`mailbox ${address.address} unavailable`) as Error & { responseCode: number };
        err.responseCode = code;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then(async (m) => {
          taken++;
          for (const w of waiters.filter((x) => x.n <= taken)) w.resolve();
          if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
          received.push({
            messageId: m.messageId ?? '',
            to: (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((t) => t.value.map((v) => v.address ?? '')).join(', '),
            toText: Array.isArray(m.to) ? m.to.map((t) => t.text).join(', ') : (m.to?.text ?? ''),
            from: m.from?.text ?? '',
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            headers: m.headers,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          });
          cb();
        })
        .catch((e: Error) => cb(e));
    },
  });
  // A client killed mid-message resets its connection; that is the point of some tests.
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  /** Resolves once the server has taken `n` whole messages (while it still holds the reply when `delayMs` is set). */
  const taking = (n: number) => (taken >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  /** Holds the `nth` session from now that reaches `stage` (the greeting, the reply to MAIL FROM or to RCPT TO); resolves when it is held. */
  const holding = (stage: PreHandOver, nth = 1) => new Promise<void>((resolve) => (hold = { stage, left: nth, resolve }));
  /** Cancels a hold that has not been reached. */
  const release = () => void (hold = null);
  return { port, received, taking, holding, release, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Points of an SMTP session before the message is handed over, where `startSmtp` can hold a session. */
export type PreHandOver = 'greeting' | 'mail' | 'rcpt';

export interface MutableClock {
  now(): number;
  set(ms: number): void;
  advance(seconds: number): void;
}
export function mutableClock(startMs: number): MutableClock {
  let t = startMs;
  return { now: () => t, set: (ms) => (t = ms), advance: (s) => (t += s * 1000) };
}

export function coreAt(dataDir: string, clock: MutableClock | { now(): number }, fetchImpl: typeof fetch = globalThis.fetch): Core {
  return createCore({ clock, secrets: new FileSecrets(dataDir), logger: silentLogger, paths: { dataDir }, fetch: fetchImpl, version: '0.0.0-test', shell: 'test' });
}

export function caller(core: Core) {
  return async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch(core, method, input, core.ports.logger);
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  };
}

/** Points the workspace's email at a local SMTP server (plain, no auth). */
export async function useSmtp(call: ReturnType<typeof caller>, workspaceId: string, port: number): Promise<void> {
  await call('smtp.set', { workspaceId, transport: 'smtp', host: '127.0.0.1', port, tls: 'none', from: 'billing@northwind.test', fromName: 'Northwind Billing', ratePerMinute: 10_000 });
}

/**
 * A workspace synced from the local Stripe server, emailing through a local SMTP server.
 * Stripe's Smart Retries are off unless `smartRetries` (as the plan's warning advises:
 * Reclaim does not retry an invoice while Stripe has a retry scheduled for it).
 */
export async function syncedWorkspace(opts: { seed: number; customers: number; smtpPort?: number; dataDir?: string; smartRetries?: boolean; fetch?: typeof fetch }) {
  const sim = await startStripeSim({ seed: opts.seed, customers: opts.customers, rateLimit: null, smartRetries: opts.smartRetries ?? false });
  const key = randomTestKey();
  sim.addKey(key, 'all');
  const dataDir = opts.dataDir ?? tempDir();
  const clock = mutableClock(sim.now() * 1000);
  const core = coreAt(dataDir, clock, opts.fetch);
  const call = caller(core);
  const { workspace } = await call('workspaces.connect', { key, apiBase: sim.url });
  const { done } = await core.sync.start(workspace.id);
  const outcome = await done!;
  if (outcome.status !== 'completed') throw new Error(outcome.message);
  await call('recovery.settings.set', { workspaceId: workspace.id, operatorName: 'Test Operator', operatorEmail: 'ops@reclaim.test' });
  if (opts.smtpPort) await useSmtp(call, workspace.id, opts.smtpPort);
  return { sim, key, dataDir, clock, core, call, workspaceId: workspace.id };
}
