/**
 * Account-manager task step: the task lands in the white-glove queue with the
 * customer's context; at most one task per outbox key. The action stays
 * 'pending' until the manager logs an outcome in the queue.
 */
import { loadCustomer } from '../../queue/customer';
import { getSettings } from '../../queue/settings';
import { createTask } from '../../queue/tasks';
import type { ActionContext, ActionResult, Channel, PlanEstimate } from '../channel';

export function createAmTaskChannel(): Channel {
  return {
    kind: 'am_task',
    /** One task per key (unique index). */
    idempotent: true,
    estimate(a: ActionContext): PlanEstimate {
      const customer = () => (a.reads ? a.reads.factsOf(a.customerId) : loadCustomer(a.db, a.customerId, a.invoiceId));
      if (!customer()) return { skipReason: 'customer not found' };
      const min = a.config.minCustomerValue;
      if (typeof min === 'number') {
        const c = customer()!;
        if (Math.max(c.mrr, c.amountAtRisk) < min) return { skipReason: 'under account-manager threshold' };
      }
      return { skipReason: null };
    },
    async execute(a: ActionContext): Promise<ActionResult> {
      const est = this.estimate(a);
      const exists = a.db.prepare(`SELECT 1 FROM am_tasks WHERE action_key = ?`).get(a.key);
      if (est.skipReason && !exists) return { status: 'skipped', detail: est.skipReason };
      const { task } = createTask(
        a.db,
        { key: a.key, kind: 'am', runId: a.runId, stepId: a.stepId, customerId: a.customerId, invoiceId: a.invoiceId, segmentId: a.segmentId, config: a.config, now: a.now },
        getSettings(a.db).am,
      );
      return { status: 'pending', detail: task.assignee ? `task for ${task.assignee}` : 'task in the queue (unassigned)', externalId: task.id };
    },
  };
}
