/**
 * The voice provider seam. The voice channel decides whether a call may be
 * placed (threshold, budgets) and records it; a provider only talks to the
 * telephony service. `requestId` is derived from the outbox key and sent as the
 * provider's idempotency key, so placing the same call twice (after a crash
 * between the request and our record of its answer) yields one call.
 */
export type CallStatus = 'queued' | 'ringing' | 'answered' | 'no-answer' | 'failed';

export interface PlaceCall {
  requestId: string;
  to: string;
  from: string;
  /** Spoken with text-to-speech when the call is answered. */
  script: string;
  /** Opaque tags echoed back by the provider (customer, invoice). */
  tags: Record<string, string>;
  /** The customer's context for an AI voice agent (name, amount, invoice, pay link, account manager, business). */
  context?: Record<string, string>;
}

export interface CallState {
  id: string;
  status: CallStatus;
  /** True once the provider will not change the call any more (cost is then known). */
  final: boolean;
  /** Seconds talked; 0 until answered. */
  durationSec: number;
  /** Final price in minor units, null until the provider knows it. */
  cost: number | null;
  currency: string;
}

export interface VoiceProvider {
  readonly name: string;
  place(call: PlaceCall): Promise<CallState>;
  status(callId: string): Promise<CallState>;
}

/** A provider error the channel reports as a failed action (retryable when the service hiccupped). */
export class VoiceProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'VoiceProviderError';
  }
}
