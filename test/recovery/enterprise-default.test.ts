import { afterAll, describe, expect, it } from 'vitest';
import type { StepInput } from '../../shared/contract';
import { toneTemplate } from '../../main/core/recovery/templates';
import { ensureDefaults } from '../../main/core/segments/service';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock } from './helpers';

/** #17 item 15: existing workspaces whose Enterprise strategy is unedited get the new, immediate default. */
const core = coreAt(tempDir(), mutableClock(1_790_000_000_000));
const call = caller(core);
afterAll(() => core.close());

const am = (id: string, label: string, days: number) =>
  ({ id, label, channel: 'email', delay: { days, hours: 0, from: 'first_failure' }, config: { tone: 'white_glove', sender: 'account_manager', template: toneTemplate('white_glove') } }) as StepInput;
const retry = (id: string, label: string, days: number) =>
  ({ id, label, channel: 'retry', delay: { days, hours: 0, from: 'first_failure' }, config: { aggressiveness: 'gentle', maxAttempts: 5, newCardTemplate: null } }) as StepInput;
/** The Enterprise default as it shipped before: the call on day 3, the AM task on day 4. */
const OLD: StepInput[] = [
  am('personal-email', 'Personal email from the account manager', 0),
  retry('retry-1', 'Retry the invoice', 2),
  { id: 'voice-call', label: 'Voice call', channel: 'voice', delay: { days: 3, hours: 0, from: 'first_failure' }, conditions: { afterUnansweredEmails: 1 }, config: {} } as StepInput,
  { id: 'am-task', label: 'Account-manager task', channel: 'am_task', delay: { days: 4, hours: 0, from: 'first_failure' }, conditions: { lastCallNotAnswered: true }, config: { dueHours: 24 } } as StepInput,
  am('follow-up', 'Personal follow-up', 5),
  retry('retry-2', 'Second retry', 7),
];

describe('Enterprise default strategy', () => {
  it('is immediate when never saved, and when saved without edits; an edited one is kept', async () => {
    const ws = await call('workspaces.create', { name: 'Existing' });
    ensureDefaults(core.registry.openDb(ws.id), 1_790_000_000);
    const enterprise = (await call('segments.list', { workspaceId: ws.id })).segments.find((s) => s.name === 'Enterprise')!;
    const ids = async () => (await call('strategies.get', { workspaceId: ws.id, segmentId: enterprise.id })).steps.map((s) => `${s.id}@${s.delay.days}d${s.delay.hours}h`);
    const NEW = ['personal-email@0d0h', 'voice-call@0d0h', 'am-task@0d1h', 'retry-1@2d0h', 'follow-up@5d0h', 'retry-2@7d0h'];
    expect(await ids()).toEqual(NEW);

    await call('strategies.set', { workspaceId: ws.id, segmentId: enterprise.id, strategy: { name: 'Enterprise strategy', steps: OLD } });
    expect(await ids()).toEqual(NEW);

    const edited = OLD.map((s) => (s.id === 'voice-call' ? { ...s, delay: { days: 2, hours: 0, from: 'first_failure' as const } } : s));
    await call('strategies.set', { workspaceId: ws.id, segmentId: enterprise.id, strategy: { name: 'Enterprise strategy', steps: edited } });
    expect(await ids()).toEqual(['personal-email@0d0h', 'retry-1@2d0h', 'voice-call@2d0h', 'am-task@4d0h', 'follow-up@5d0h', 'retry-2@7d0h']);
  });
});
