import type { CallState, CallStatus, PlaceCall, VoiceProvider } from './provider';
import { VoiceProviderError } from './provider';

/**
 * An adapter for a Twilio-shaped REST API:
 *   POST {base}/2010-04-01/Accounts/{account}/Calls.json   form: To, From, Twiml, StatusCallback?
 *   GET  {base}/2010-04-01/Accounts/{account}/Calls/{sid}.json
 * Basic auth (account id : auth token). Provider statuses queued | ringing |
 * in-progress | completed | busy | no-answer | failed | canceled map onto ours;
 * `price` is a negative decimal string in `price_unit` (e.g. "-0.0130", "USD").
 * The request id goes in `Idempotency-Key` (the local fake provider honours it;
 * point a real provider's equivalent header at it when adapting).
 */
export interface HttpVoiceOptions {
  apiBase: string;
  accountId: string;
  authToken: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

interface ProviderCall {
  sid: string;
  status: string;
  duration: string | null;
  price: string | null;
  price_unit: string | null;
}

const FINAL_PROVIDER = new Set(['completed', 'busy', 'no-answer', 'canceled', 'failed']);

export function mapStatus(status: string, durationSec: number): CallStatus {
  switch (status) {
    case 'queued':
    case 'initiated':
      return 'queued';
    case 'ringing':
      return 'ringing';
    case 'in-progress':
      return 'answered';
    case 'completed':
      return durationSec > 0 ? 'answered' : 'no-answer';
    case 'busy':
    case 'no-answer':
    case 'canceled':
      return 'no-answer';
    default:
      return 'failed';
  }
}

/** "-0.0130" USD → 2 (cents, rounded up: a fraction of a cent is still spent). */
export function priceToMinor(price: string | null): number | null {
  if (price == null || price === '') return null;
  const n = Math.abs(Number(price));
  if (!Number.isFinite(n)) return null;
  return Math.ceil(Math.round(n * 1e6) / 1e4);
}

export class HttpVoiceProvider implements VoiceProvider {
  readonly name = 'http';
  constructor(private readonly o: HttpVoiceOptions) {}

  private url(path: string): string {
    return `${this.o.apiBase.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(this.o.accountId)}${path}`;
  }

  private async request(path: string, init: RequestInit): Promise<ProviderCall> {
    const auth = Buffer.from(`${this.o.accountId}:${this.o.authToken}`).toString('base64');
    let res: Response;
    try {
      res = await this.o.fetch(this.url(path), {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Basic ${auth}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (e) {
      throw new VoiceProviderError(`The voice provider could not be reached (${(e as Error).message}).`, true);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new VoiceProviderError('The voice provider rejected the account id or auth token.', false);
    if (res.status === 429 || res.status >= 500) throw new VoiceProviderError(`The voice provider answered ${res.status}; will try again.`, true);
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        /* not JSON */
      }
      throw new VoiceProviderError(`The voice provider refused the call: ${message}`, false);
    }
    try {
      return JSON.parse(text) as ProviderCall;
    } catch {
      throw new VoiceProviderError('The voice provider sent an unreadable answer.', true);
    }
  }

  private state(c: ProviderCall): CallState {
    const durationSec = Number(c.duration ?? 0) || 0;
    const final = FINAL_PROVIDER.has(c.status);
    return {
      id: c.sid,
      status: mapStatus(c.status, durationSec),
      final,
      durationSec,
      cost: final ? (priceToMinor(c.price) ?? 0) : null,
      currency: (c.price_unit ?? 'usd').toLowerCase(),
    };
  }

  async place(call: PlaceCall): Promise<CallState> {
    const body = new URLSearchParams({ To: call.to, From: call.from, Twiml: `<Response><Say>${escapeXml(call.script)}</Say></Response>` });
    for (const [k, v] of Object.entries(call.tags)) body.set(`Tag.${k}`, v);
    const c = await this.request('/Calls.json', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': call.requestId },
      body: body.toString(),
    });
    return this.state(c);
  }

  async status(callId: string): Promise<CallState> {
    return this.state(await this.request(`/Calls/${encodeURIComponent(callId)}.json`, { method: 'GET' }));
  }
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
