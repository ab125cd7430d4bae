import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';
import { refreshWritePermissions, writePermissionsFor } from '../stripe/write-permissions';
import type { Stripe } from './stripe-client';
import { listStrategies } from './strategies';

/**
 * Before a plan: probes the Stripe write permissions the enabled strategies
 * need (a restricted key can be edited after connect), so the plan skips, with
 * the permission named, every step that would fail. The demo's own key may do
 * everything. A probe that cannot reach Stripe keeps the last answer.
 */
export async function probeWritesForPlan(db: Sqlite, kind: string, stripe: () => Promise<Stripe>, logger: Logger): Promise<void> {
  if (kind === 'demo') return;
  const steps = listStrategies(db).filter((s) => s.enabled).flatMap((s) => s.steps);
  if (!steps.some((s) => writePermissionsFor(s).length > 0)) return;
  try {
    await refreshWritePermissions(db, await stripe(), steps);
  } catch (e) {
    logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not check the Stripe key before planning');
  }
}
