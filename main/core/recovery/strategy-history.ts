import type { StepInput } from '../../../shared/contract';
import { toneTemplate } from './templates';

/**
 * Built-in strategies as earlier versions shipped them, so a stored strategy that
 * is still exactly an old default (saved without edits) moves to the current
 * default (#17 item 15), while an edited one is left alone.
 */
const d = (days: number) => ({ days, hours: 0, from: 'first_failure' as const });
const amEmail = (id: string, label: string, days: number): StepInput =>
  ({ id, label, channel: 'email', delay: d(days), config: { tone: 'white_glove', sender: 'account_manager', template: toneTemplate('white_glove') } }) as StepInput;
const retry = (id: string, label: string, days: number): StepInput =>
  ({ id, label, channel: 'retry', delay: d(days), config: { aggressiveness: 'gentle', maxAttempts: 5, newCardTemplate: null } }) as StepInput;

export const PREVIOUS_DEFAULTS: Record<string, StepInput[][]> = {
  // Until #17 item 15: the call on day 3 after an unanswered email, the AM task on day 4.
  Enterprise: [
    [
      amEmail('personal-email', 'Personal email from the account manager', 0),
      retry('retry-1', 'Retry the invoice', 2),
      { id: 'voice-call', label: 'Voice call', channel: 'voice', delay: d(3), conditions: { afterUnansweredEmails: 1 }, config: {} } as StepInput,
      { id: 'am-task', label: 'Account-manager task', channel: 'am_task', delay: d(4), conditions: { lastCallNotAnswered: true }, config: { dueHours: 24 } } as StepInput,
      amEmail('follow-up', 'Personal follow-up', 5),
      retry('retry-2', 'Second retry', 7),
    ],
  ],
};
