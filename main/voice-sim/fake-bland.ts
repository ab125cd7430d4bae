/**
 * A local stand-in for Bland AI's call API (main/core/recovery/channels/voice/bland-provider.ts
 * cites the documented shape), on 127.0.0.1. Tests start it; nobody is ever called.
 *
 * - POST /v1/calls: `authorization: <API key>`; JSON body with `phone_number` and `task`
 *   required (else 400 `{ status: 'error', message }`); answers `{ status: 'success', call_id }`.
 * - GET /v1/calls/:id: Call Details. Every read advances the call one state
 *   (queued → started → complete), so tests progress it without timers. A complete call
 *   has `completed: true`, `answered_by` (human | voicemail | no-answer, scripted per number
 *   with `setOutcome`), `call_length` in minutes and `price` in USD.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type BlandOutcome = 'human' | 'voicemail' | 'no-answer';

export interface FakeBlandCall {
  callId: string;
  body: Record<string, unknown>;
  outcome: BlandOutcome;
  reads: number;
}

export interface FakeBland {
  url: string;
  apiKey: string;
  calls: FakeBlandCall[];
  setOutcome(phone: string, outcome: BlandOutcome): void;
  close(): Promise<void>;
}

export async function startFakeBland(opts: { apiKey?: string } = {}): Promise<FakeBland> {
  const apiKey = opts.apiKey ?? `org_${crypto.randomBytes(16).toString('hex')}`;
  const calls: FakeBlandCall[] = [];
  const outcomes = new Map<string, BlandOutcome>();
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== apiKey) return send(res, 401, { status: 'error', message: 'Invalid API key' });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'POST' && url.pathname === '/v1/calls') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return send(res, 400, { status: 'error', message: 'Invalid JSON' });
        }
        if (typeof body.phone_number !== 'string' || !body.phone_number) return send(res, 400, { status: 'error', message: 'Missing required parameter: phone_number' });
        if (typeof body.task !== 'string' || !body.task) return send(res, 400, { status: 'error', message: 'Missing required parameter: task' });
        const call: FakeBlandCall = { callId: crypto.randomUUID(), body, outcome: outcomes.get(body.phone_number) ?? 'human', reads: 0 };
        calls.push(call);
        return send(res, 200, { status: 'success', call_id: call.callId });
      }
      const m = /^\/v1\/calls\/([\w-]+)$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const call = calls.find((c) => c.callId === m[1]);
        if (!call) return send(res, 404, { status: 'error', message: 'Call not found' });
        call.reads++;
        const queue = call.reads === 1 ? 'queued' : call.reads === 2 && call.outcome !== 'no-answer' ? 'started' : 'complete';
        const done = queue === 'complete';
        const minutes = !done ? 0 : call.outcome === 'human' ? 1.5 : call.outcome === 'voicemail' ? 0.3 : 0;
        return send(res, 200, {
          call_id: call.callId, to: call.body.phone_number, from: call.body.from ?? null, request_data: call.body.request_data ?? {}, metadata: call.body.metadata ?? {},
          queue_status: queue, status: done ? 'completed' : queue, completed: done, answered_by: done ? call.outcome : null,
          call_length: minutes, price: done ? Math.round(minutes * 0.09 * 1e4) / 1e4 : null, error_message: null,
        });
      }
      send(res, 404, { status: 'error', message: 'Not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    calls,
    setOutcome: (phone, outcome) => outcomes.set(phone, outcome),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
