import type { ChannelKind } from './contract';

/** A channel as people say it, for timelines, the audit log and messages (never `am_task`). */
export const CHANNEL_WORDS: Record<ChannelKind, string> = {
  email: 'Email',
  retry: 'Stripe retry',
  offer: 'Offer',
  voice: 'Voice call',
  am_task: 'Account-manager task',
  webhook: 'Webhook',
};

/** An outbox status as people say it. */
export const ACTION_STATUS_WORDS: Record<string, string> = {
  scheduled: 'scheduled',
  in_flight: 'in progress',
  pending: 'waiting for an outcome',
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
  canceled: 'cancelled',
};

/** "Account-manager task (step “am-task”)": what a step did, in words. */
export function stepWords(channel: string, stepId: string): string {
  return `${CHANNEL_WORDS[channel as ChannelKind] ?? channel} (step “${stepId}”)`;
}
