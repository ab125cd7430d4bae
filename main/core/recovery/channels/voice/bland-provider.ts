import type { CallState, CallStatus, PlaceCall, VoiceProvider } from './provider';
import { VoiceProviderError } from './provider';

/**
 * An adapter for Bland AI, an AI voice-agent platform (#17 item 15), as its
 * public API reference documents it (docs.bland.ai, API v1):
 *
 *   POST {base}/v1/calls        header `authorization: <API key>`; JSON body:
 *        phone_number (E.164), task (the prompt: "instructions, relevant
 *        information, and examples of the ideal conversation flow"),
 *        request_data (facts the agent may use, also `{{name}}` in the task),
 *        from (a number you own, optional), metadata (echoed back),
 *        answered_by_enabled (human / voicemail detection), max_duration (minutes).
 *        Answer: { status: 'success', call_id } or { status: 'error', message }.
 *   GET  {base}/v1/calls/{call_id}   Call Details: `queue_status` (new, queued,
 *        allocated, started, complete, pre_queue_error, queue_error, call_error,
 *        complete_error), `completed`, `answered_by` (human, voicemail, unknown,
 *        no-answer, null), `call_length` (minutes), `price` (USD), `error_message`.
 *
 * Outcome: a completed call answered by a human (or `unknown`, "most likely a
 * human") is 'answered'; voicemail or no-answer is 'no-answer'; an error status is
 * 'failed'. Bland documents no idempotency key: the request id is sent in
 * `metadata` so a call can be matched by hand, but a crash between Bland's answer
 * and our record of it could place the call twice (the Twilio-shaped adapter
 * does not have that gap).
 */
export interface BlandOptions {
  apiBase: string;
  apiKey: string;
  fromNumber: string | null;
  fetch: typeof fetch;
  timeoutMs?: number;
}

interface BlandCall {
  call_id?: string;
  c_id?: string;
  queue_status?: string | null;
  status?: string | null;
  completed?: boolean | null;
  answered_by?: string | null;
  call_length?: number | null;
  price?: number | null;
  error_message?: string | null;
}

const ERROR_STATUSES = new Set(['pre_queue_error', 'queue_error', 'call_error']);

export function blandState(id: string, c: BlandCall): CallState {
  const queue = c.queue_status ?? c.status ?? 'queued';
  const durationSec = Math.round((c.call_length ?? 0) * 60);
  const cost = typeof c.price === 'number' && Number.isFinite(c.price) ? Math.ceil(Math.round(c.price * 1e6) / 1e4) : 0;
  if (ERROR_STATUSES.has(queue)) return { id, status: 'failed', final: true, durationSec, cost, currency: 'usd' };
  const done = c.completed === true || queue === 'complete' || queue === 'completed' || queue === 'complete_error';
  if (!done) {
    const status: CallStatus = queue === 'started' ? 'answered' : queue === 'allocated' ? 'ringing' : 'queued';
    return { id, status, final: false, durationSec, cost: null, currency: 'usd' };
  }
  const by = c.answered_by ?? null;
  const status: CallStatus = by === 'voicemail' || by === 'no-answer' ? 'no-answer' : by === 'human' || by === 'unknown' || durationSec > 0 ? 'answered' : 'no-answer';
  return { id, status, final: true, durationSec, cost, currency: 'usd' };
}

/** The agent's prompt: who it is, what it wants, what it must not do; the script as its opening. */
export function blandTask(call: PlaceCall): string {
  const v = call.context ?? {};
  return [
    `You are calling ${v.customer_name || 'the customer'} on behalf of ${v.account_manager || 'their account manager'} at ${v.business || 'the company'}, about a failed payment.`,
    `Invoice {{invoice_number}} for {{amount}} did not go through. Goal: help them pay or update their card today, using the pay link {{pay_link}} (it was also sent by email; offer to resend it).`,
    'Be brief and warm. Never ask for or accept card numbers over the phone: the pay link is the only way to pay. If they ask for a person, say their account manager will follow up today.',
    `Open with: "${call.script.replace(/"/g, "'")}"`,
  ].join('\n');
}

export class BlandVoiceProvider implements VoiceProvider {
  readonly name = 'bland';
  constructor(private readonly o: BlandOptions) {}

  private async request(path: string, init: RequestInit): Promise<BlandCall & { message?: string }> {
    let res: Response;
    try {
      res = await this.o.fetch(`${this.o.apiBase.replace(/\/$/, '')}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: this.o.apiKey, accept: 'application/json' },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (e) {
      throw new VoiceProviderError(`Bland AI could not be reached (${(e as Error).message}).`, true);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new VoiceProviderError('Bland AI rejected the API key.', false);
    if (res.status === 429 || res.status >= 500) throw new VoiceProviderError(`Bland AI answered ${res.status}; will try again.`, true);
    type Answer = BlandCall & { status?: string; message?: string; errors?: { message?: string }[] };
    const body = ((): Answer | null => {
      try {
        return JSON.parse(text) as Answer;
      } catch {
        if (res.ok) throw new VoiceProviderError('Bland AI sent an unreadable answer.', true);
        return null;
      }
    })();
    if (!res.ok || body?.status === 'error') {
      const why = body?.message ?? body?.errors?.[0]?.message ?? `HTTP ${res.status}`;
      throw new VoiceProviderError(`Bland AI refused the call: ${why}`, false);
    }
    return body ?? {};
  }

  async place(call: PlaceCall): Promise<CallState> {
    const body = {
      phone_number: call.to,
      task: blandTask(call),
      request_data: call.context ?? {},
      ...(this.o.fromNumber ? { from: this.o.fromNumber } : {}),
      metadata: { ...call.tags, reclaim_request_id: call.requestId },
      answered_by_enabled: true,
      max_duration: 6,
    };
    const r = await this.request('/v1/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const id = r.call_id ?? r.c_id;
    if (!id) throw new VoiceProviderError('Bland AI accepted the call but sent no call_id.', true);
    return { id, status: 'queued', final: false, durationSec: 0, cost: null, currency: 'usd' };
  }

  async status(callId: string): Promise<CallState> {
    return blandState(callId, await this.request(`/v1/calls/${encodeURIComponent(callId)}`, { method: 'GET' }));
  }
}
