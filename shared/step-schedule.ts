import type { Step } from './contract';

/**
 * When a strategy's steps fire (#17.11), shared by the engine and the strategy
 * editor: each step by its own delay, from the invoice's first failure or from
 * the step before it in the list ("previous step"). A delay of 0 fires first
 * wherever the step sits in the list.
 */
type Timed = Pick<Step, 'delay'>;

const delaySec = (s: Timed) => s.delay.days * 86_400 + s.delay.hours * 3_600;

/** Seconds from the first failure to each step, in list order. */
export function stepOffsets(steps: Timed[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const s of steps) {
    const at = (s.delay.from === 'first_failure' ? 0 : prev) + delaySec(s);
    out.push(at);
    prev = at;
  }
  return out;
}

/** Step indexes in the order they fire: by due time, ties in list order. */
export function fireOrder(dues: number[]): number[] {
  return dues.map((_, i) => i).sort((x, y) => dues[x]! - dues[y]! || x - y);
}

/**
 * The steps in the order they fire, each still due at the same time: a
 * "previous step" delay whose previous step changes becomes a delay from the
 * first failure. Unchanged (the same array) when the list is already in order.
 */
export function sortByDue<S extends Timed>(steps: S[]): S[] {
  const off = stepOffsets(steps);
  const order = fireOrder(off);
  if (order.every((i, k) => i === k)) return steps;
  return order.map((i, k) => {
    const s = steps[i]!;
    if (s.delay.from === 'previous_step' && k > 0 && order[k - 1] === i - 1) return s;
    const sec = off[i]!;
    return { ...s, delay: { ...s.delay, from: 'first_failure' as const, days: Math.floor(sec / 86_400), hours: Math.floor((sec % 86_400) / 3_600) } };
  });
}

/** "Day 3", "Day 0 + 2 h": when a step fires, counted from the first failure. */
export function dayLabel(offsetSec: number): string {
  const days = Math.floor(offsetSec / 86_400);
  const hours = Math.floor((offsetSec % 86_400) / 3_600);
  return hours ? `Day ${days} + ${hours} h` : `Day ${days}`;
}
