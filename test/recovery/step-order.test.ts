import { afterEach, describe, expect, it } from 'vitest';
import { sortByDue, stepOffsets } from '../../shared/step-schedule';
import { call, clockedCore, step } from '../whiteglove/engine-helpers';
import { DAY, NOW, seed } from '../whiteglove/helpers';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * #17 item 11: a step with a delay of 0 placed after a 5-day step was forced
 * behind it (due times were pushed into list order), so only reordering
 * worked. Steps are scheduled by their own delay.
 */
describe('steps fire by their delay, not by their place in the list', () => {
  it('a day-0 step listed after a day-5 step is due now and sent first', async () => {
    const { core, clock } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    // The seeded invoice first failed 3 days ago.
    seed(core.registry.openDb(ws.id), [{ id: 'c01', name: 'Ada', mrr: 150_000, amountAtRisk: 150_000 }]);
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'E', steps: [step.email('reminder', 5), step.email('notice', 0)] } });

    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    const steps = plan.rows[0]!.steps;
    // Started three days late, the sequence moves by three days: notice now, reminder five days after it.
    expect(steps.map((s) => [s.stepId, s.when, s.dueAt - NOW])).toEqual([
      ['reminder', 'later', 5 * DAY],
      ['notice', 'now', 0],
    ]);

    const run = await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    let actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.map((a) => [a.stepId, a.status])).toEqual([
      ['notice', 'succeeded'],
      ['reminder', 'scheduled'],
    ]);
    clock.sec += 5 * DAY;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id })).rows;
    expect(actions.map((a) => a.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('the editor’s sort puts steps in firing order and keeps every due time', () => {
    const steps = [
      { id: 'a', delay: { days: 7, hours: 0, from: 'first_failure' as const } },
      { id: 'b', delay: { days: 1, hours: 0, from: 'previous_step' as const } },
      { id: 'c', delay: { days: 0, hours: 0, from: 'first_failure' as const } },
      { id: 'd', delay: { days: 3, hours: 6, from: 'first_failure' as const } },
    ];
    const sorted = sortByDue(steps);
    expect(sorted.map((s) => s.id)).toEqual(['c', 'd', 'a', 'b']);
    // b still fires a day after a; d keeps its six hours.
    expect(stepOffsets(sorted)).toEqual([0, 3 * DAY + 6 * 3600, 7 * DAY, 8 * DAY]);
    expect(sortByDue(sorted)).toBe(sorted);
  });
});
