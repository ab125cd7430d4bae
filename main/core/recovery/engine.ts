import type { Mode, Step } from '../../../shared/contract';
import { stepOffsets } from '../../../shared/step-schedule';
import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';
import type { ActionContext, Channel, ChannelKind, CustomerInfo, InvoiceInfo } from './channel';
import type { PlanReads } from './plan-reads';

/** The registry of channels the engine can use; adding a channel is one line in channels/index.ts. */
export class ChannelRegistry {
  private readonly byKind = new Map<ChannelKind, Channel>();
  constructor(channels: Channel[]) {
    for (const c of channels) this.byKind.set(c.kind, c);
  }
  get(kind: ChannelKind): Channel | undefined {
    return this.byKind.get(kind);
  }
  kinds(): ChannelKind[] {
    return [...this.byKind.keys()];
  }
}

export const outboxKey = (runId: string, invoiceId: string, stepId: string) => `${runId}:${invoiceId}:${stepId}`;

export const delaySeconds = (step: Step) => step.delay.days * 86_400 + step.delay.hours * 3_600;

/**
 * Planned due times, by each step's own delay (#17.11): from the first failure,
 * or from the step before it in the list ("previous step"). Steps fire in
 * due-time order, not list order: a delay of 0 after a 7-day step fires first.
 * When a run starts after some steps' times have passed (`now`), the whole
 * sequence moves by the same amount so its first step is due now and the
 * spacing between steps is kept (overdue steps are not all fired at once).
 */
export function dueTimes(steps: Step[], firstFailureAt: number, now?: number): number[] {
  const raw = stepOffsets(steps).map((o) => firstFailureAt + o);
  if (now === undefined || raw.length === 0) return raw;
  const shift = Math.max(0, now - Math.min(...raw));
  return raw.map((due) => due + shift);
}

/** Null when the step's conditions hold; otherwise the reason (shown in the plan and the run). */
export function conditionsFail(step: Step, invoice: InvoiceInfo, customer: CustomerInfo, history: ActionContext['history']): string | null {
  const c = step.conditions;
  if (c.declineType === 'soft' && invoice.hardDecline) return `condition: soft declines only (last decline ${invoice.lastDeclineCode ?? 'hard'})`;
  if (c.declineType === 'hard' && !invoice.hardDecline) return 'condition: hard declines only';
  if (c.minAmountAtRisk !== null && customer.amountAtRisk < c.minAmountAtRisk) return 'condition: amount at risk below the minimum';
  if (c.maxAmountAtRisk !== null && customer.amountAtRisk > c.maxAmountAtRisk) return 'condition: amount at risk above the maximum';
  if (c.minFailures12m !== null && customer.failures12m < c.minFailures12m) return `condition: fewer than ${c.minFailures12m} failures in 12 months`;
  if (c.afterUnansweredEmails !== null) {
    const emails = history.filter((h) => h.channel === 'email' && (h.status === 'succeeded' || h.status === 'pending')).length;
    if (emails < c.afterUnansweredEmails) return `condition: needs ${c.afterUnansweredEmails} unanswered email(s) first`;
  }
  // #13: a voice step's outbox row becomes 'succeeded' once the call is answered (see queue/outcomes.ts).
  if (c.lastCallNotAnswered && history.some((h) => h.channel === 'voice' && h.status === 'succeeded')) return 'condition: the call was answered';
  return null;
}

export interface ContextArgs {
  workspaceId: string;
  runId: string;
  step: Step;
  segmentId: string | null;
  segmentName: string;
  invoice: InvoiceInfo;
  customer: CustomerInfo;
  db: Sqlite;
  logger: Logger;
  now: number;
  mode: Mode;
  currency: string;
  actor: string;
  dryRun: boolean;
  history: ActionContext['history'];
  /** A dry-run plan's bulk reads (see ActionContext.reads). */
  reads?: PlanReads;
}

export function actionContext(a: ContextArgs): ActionContext {
  return {
    workspaceId: a.workspaceId,
    runId: a.runId,
    key: outboxKey(a.runId, a.invoice.id, a.step.id),
    stepId: a.step.id,
    customerId: a.customer.id,
    invoiceId: a.invoice.id,
    segmentId: a.segmentId,
    config: a.step.config as Record<string, unknown>,
    db: a.db,
    logger: a.logger,
    now: a.now,
    step: a.step,
    segmentName: a.segmentName,
    invoice: a.invoice,
    customer: a.customer,
    mode: a.mode,
    currency: a.currency,
    actor: a.actor,
    dryRun: a.dryRun,
    history: a.history,
    ...(a.reads ? { reads: a.reads } : {}),
  };
}
