import type { Mode, Step } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import type { Logger } from '../ports';
import type { ActionContext, Channel, ChannelKind, CustomerInfo, InvoiceInfo } from './channel';

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
 * Planned due times: each step from the first failure or from the previous
 * step. When a run starts after some steps' times have passed (`now`), the
 * sequence keeps its spacing from now instead of firing every overdue step at
 * once: due'(i) = max(due(i), due'(i-1) + (due(i) − due(i-1))), due'(0) = max(due(0), now).
 */
export function dueTimes(steps: Step[], firstFailureAt: number, now?: number): number[] {
  const raw: number[] = [];
  let prev = firstFailureAt;
  for (const s of steps) {
    const due = (s.delay.from === 'first_failure' ? firstFailureAt : prev) + delaySeconds(s);
    raw.push(due);
    prev = due;
  }
  if (now === undefined) return raw;
  const out: number[] = [];
  raw.forEach((due, i) => {
    const gap = i === 0 ? 0 : Math.max(0, due - raw[i - 1]!);
    out.push(Math.max(due, i === 0 ? now : out[i - 1]! + gap));
  });
  return out;
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
  };
}
