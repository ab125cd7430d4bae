import type { PerformanceReport } from '../../../shared/performance';
import { DAY_SEC, isoDay } from './cohort';
import type { ReportInvoice } from './figures';

/**
 * Weeks (starting Monday, UTC) of recovered revenue by payment week and cost by
 * the week it was spent, from the week of the range's start to the week the
 * last window closes (or this week), every week listed even when empty.
 */
export function mondayOf(sec: number): string {
  const dow = (new Date(sec * 1000).getUTCDay() + 6) % 7;
  return isoDay(Math.floor(sec / DAY_SEC) * DAY_SEC - dow * DAY_SEC);
}

const secOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

export function overTime(list: ReportInvoice[], f: PerformanceReport['filters'], nowMs: number): PerformanceReport['overTime'] {
  const weeks = new Map<string, { start: string; amountRecovered: number; recovered: number; cost: number }>();
  const week = (sec: number) => {
    const start = mondayOf(sec);
    let w = weeks.get(start);
    if (!w) weeks.set(start, (w = { start, amountRecovered: 0, recovered: 0, cost: 0 }));
    return w;
  };
  const first = secOf(f.from);
  const last = Math.max(first, Math.min(Math.floor(nowMs / 1000), secOf(f.to) + f.windowDays * DAY_SEC));
  for (let s = secOf(mondayOf(first)); s <= last; s += 7 * DAY_SEC) week(s);
  for (const i of list) {
    if (i.outcome.recovered) {
      const w = week(i.firstFailure + i.outcome.paidAfterSec!);
      w.amountRecovered += i.amountPaid;
      w.recovered += 1;
    }
    for (const s of i.spends) week(Math.floor(s.atMs / 1000)).cost += s.amount;
  }
  return [...weeks.values()].sort((a, b) => a.start.localeCompare(b.start));
}
