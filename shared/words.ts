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

/** "Step 1, email “Payment notice”": a strategy step as people name it in messages (#21), never its id or a schema path. */
export function stepTitle(index: number, step: { channel?: unknown; label?: unknown; config?: unknown }): string {
  const channel = CHANNEL_WORDS[step.channel as ChannelKind];
  const kind = channel ? (channel === 'Stripe retry' ? channel : channel[0]!.toLowerCase() + channel.slice(1)) : 'step';
  const subject = (step.config as { template?: { subject?: unknown } } | undefined)?.template?.subject;
  const name = typeof step.label === 'string' && step.label.trim() ? step.label.trim() : step.channel === 'email' && typeof subject === 'string' ? subject : '';
  return `Step ${index + 1}, ${kind}${name ? ` “${name}”` : ''}`;
}
