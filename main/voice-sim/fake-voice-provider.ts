/**
 * A local fake telephony provider with the shape of a Twilio-like REST API
 * (see main/core/recovery/channels/voice/http-provider.ts), on 127.0.0.1.
 * Tests and the demo start it; nobody is ever called.
 *
 * - POST /2010-04-01/Accounts/:account/Calls.json (form: To, From, Twiml) with
 *   Basic auth; `Idempotency-Key` makes a repeated request return the same call.
 * - GET  /2010-04-01/Accounts/:account/Calls/:sid.json: every read advances the
 *   call one state (queued → ringing → in-progress → completed, or → no-answer /
 *   busy / failed), so tests progress it deterministically, without timers.
 * - The outcome per dialled number is scripted with `setOutcome`.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeOutcome = 'answered' | 'no-answer' | 'busy' | 'failed';

export interface FakeCall {
  sid: string;
  to: string;
  from: string;
  twiml: string;
  tags: Record<string, string>;
  idempotencyKey: string | null;
  outcome: FakeOutcome;
  /** Index into the call's state path. */
  step: number;
  createdAt: number;
}

export interface FakeVoiceProvider {
  url: string;
  accountId: string;
  authToken: string;
  /** Every call created (one per distinct idempotency key). */
  calls: FakeCall[];
  /** Every POST received, duplicates included. */
  posts: number;
  setOutcome(to: string, outcome: FakeOutcome): void;
  /** The next `n` POSTs create the call but answer 500, as if the answer were lost on the way. */
  loseNextAnswers(n: number): void;
  close(): Promise<void>;
}

const PATHS: Record<FakeOutcome, string[]> = {
  answered: ['queued', 'ringing', 'in-progress', 'completed'],
  'no-answer': ['queued', 'ringing', 'no-answer'],
  busy: ['queued', 'busy'],
  failed: ['queued', 'failed'],
};

export async function startFakeVoiceProvider(
  opts: { port?: number; defaultOutcome?: FakeOutcome; talkSeconds?: number; pricePerMinute?: number; accountId?: string; authToken?: string; /** Answer POSTs this late (tests widen crash windows). */ delayMs?: number; /** Outcome per dialled number when not scripted with setOutcome. */ outcomeFor?: (to: string) => FakeOutcome } = {},
): Promise<FakeVoiceProvider> {
  const accountId = opts.accountId ?? `AC${crypto.randomBytes(16).toString('hex')}`;
  const authToken = opts.authToken ?? crypto.randomBytes(16).toString('hex');
  const talk = opts.talkSeconds ?? 95;
  const perMinute = opts.pricePerMinute ?? 0.25;
  const outcomes = new Map<string, FakeOutcome>();
  const calls: FakeCall[] = [];
  const byKey = new Map<string, FakeCall>();
  const bySid = new Map<string, FakeCall>();
  let lose = 0;
  const state = { posts: 0 };

  const view = (c: FakeCall) => {
    const status = PATHS[c.outcome][c.step]!;
    const done = c.step === PATHS[c.outcome].length - 1;
    const duration = c.outcome === 'answered' && done ? talk : 0;
    const minutes = Math.ceil(duration / 60);
    const price = done ? (c.outcome === 'answered' ? -(minutes * perMinute) : 0).toFixed(4) : null;
    return {
      sid: c.sid, account_sid: accountId, to: c.to, from: c.from, status,
      duration: done ? String(duration) : null, price, price_unit: 'USD',
      date_created: new Date(c.createdAt).toUTCString(), tags: c.tags,
    };
  };

  const send = (res: http.ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls(?:\/([^/]+))?\.json$/.exec(url.pathname);
      if (!m) return send(res, 404, { code: 20404, message: 'The requested resource was not found' });
      const expected = `Basic ${Buffer.from(`${accountId}:${authToken}`).toString('base64')}`;
      if (decodeURIComponent(m[1]!) !== accountId || req.headers.authorization !== expected) {
        return send(res, 401, { code: 20003, message: 'Authenticate' });
      }
      if (req.method === 'POST' && !m[2]) {
        state.posts++;
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const to = form.get('To');
        const from = form.get('From');
        if (!to || !from) return send(res, 400, { code: 21201, message: "A 'To' and a 'From' number are required" });
        const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
        let call = key ? byKey.get(key) : undefined;
        const existed = Boolean(call);
        if (!call) {
          const tags: Record<string, string> = {};
          for (const [k, v] of form) if (k.startsWith('Tag.')) tags[k.slice(4)] = v;
          call = {
            sid: `CA${crypto.randomBytes(16).toString('hex')}`, to, from, twiml: form.get('Twiml') ?? '', tags,
            idempotencyKey: key, outcome: outcomes.get(to) ?? opts.outcomeFor?.(to) ?? opts.defaultOutcome ?? 'answered', step: 0, createdAt: Date.now(),
          };
          calls.push(call);
          bySid.set(call.sid, call);
          if (key) byKey.set(key, call);
        }
        if (lose > 0) {
          lose--;
          return send(res, 500, { code: 20500, message: 'Internal Server Error' });
        }
        const answer = view(call);
        if (opts.delayMs) return void setTimeout(() => send(res, existed ? 200 : 201, answer), opts.delayMs);
        return send(res, existed ? 200 : 201, answer);
      }
      if (req.method === 'GET' && m[2]) {
        const call = bySid.get(decodeURIComponent(m[2]));
        if (!call) return send(res, 404, { code: 20404, message: 'No such call' });
        call.step = Math.min(call.step + 1, PATHS[call.outcome].length - 1);
        return send(res, 200, view(call));
      }
      return send(res, 405, { code: 20004, message: 'Method not allowed' });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accountId,
    authToken,
    calls,
    get posts() {
      return state.posts;
    },
    setOutcome: (to, outcome) => void outcomes.set(to, outcome),
    loseNextAnswers: (n) => void (lose = n),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
