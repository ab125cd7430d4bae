import type { VoiceSettings } from '../../../../../shared/whiteglove';
import type { Sqlite } from '../../../db/sqlite';

export const utcDay = (unixSec: number) => new Date(unixSec * 1000).toISOString().slice(0, 10);

/** Spend so far (final cost where known, otherwise the reservation) today and in one run. */
export function voiceSpend(db: Sqlite, day: string, runId: string): { day: number; run: number } {
  const dayRow = db.prepare(`SELECT COALESCE(SUM(COALESCE(cost, reserved_cost)), 0) AS s FROM voice_calls WHERE provider = 'http' AND day = ?`).get(day) as { s: number };
  const runRow = db.prepare(`SELECT COALESCE(SUM(COALESCE(cost, reserved_cost)), 0) AS s FROM voice_calls WHERE provider = 'http' AND run_id = ?`).get(runId) as { s: number };
  return { day: dayRow.s, run: runRow.s };
}

/** Null when one more call of `cost` fits both caps; otherwise the skip reason. */
export function budgetBlock(s: VoiceSettings, spent: { day: number; run: number }, cost: number): string | null {
  if (s.dailyBudget != null && spent.day + cost > s.dailyBudget) return 'over voice budget (daily cap reached)';
  if (s.perRunBudget != null && spent.run + cost > s.perRunBudget) return 'over voice budget (run cap reached)';
  return null;
}

/** Customer value the threshold compares: the larger of MRR and amount at risk (reporting currency). */
export const customerValue = (c: { mrr: number; amountAtRisk: number }) => Math.max(c.mrr, c.amountAtRisk);

export const UNDER_THRESHOLD = 'under voice threshold';
