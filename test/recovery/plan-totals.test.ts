import { describe, expect, it } from 'vitest';
import type { PlanRow } from '../../shared/contract';
import { totalsOf } from '../../main/core/recovery/plan';

const row = (invoiceId: string, skipReason: string | null): PlanRow => ({
  invoiceId, invoiceNumber: null, customerId: `cus_${invoiceId}`, customerName: 'A', email: 'a@example.com',
  segmentId: null, segmentName: 'Default', amountDue: 1000, currency: 'usd', amountAtRisk: 1000,
  attemptCount: 1, firstFailureAt: 0, lastDeclineCode: null, hardDecline: false,
  steps: [], skipReason, experimentId: null, arm: null,
});

describe('plan totals', () => {
  it('groups invoices already in a running run under one reason in words (not "already in active run run")', () => {
    const t = totalsOf([row('in_1', 'already in active run run_0a1b'), row('in_2', 'already in active run run_ff00'), row('in_3', null)]);
    expect(t.skipReasons).toEqual([{ reason: 'already in active run', count: 2 }]);
  });
});
