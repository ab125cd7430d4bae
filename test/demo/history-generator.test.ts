import { describe, expect, it } from 'vitest';
import { DAY, DEMO_HISTORY, generateBusiness, type SimData } from '../../main/stripe-sim/generator';

const NOW = 1_793_491_200;

/** First failed charge per invoice (charge → PaymentIntent → invoice payment → invoice). */
function firstFailures(d: SimData): Map<string, number> {
  const invoiceOf = new Map(d.invoice_payments.map((p) => [(p.payment as { payment_intent: string }).payment_intent, p.invoice as string]));
  const m = new Map<string, number>();
  for (const c of d.charges) {
    if (c.status !== 'failed') continue;
    const inv = invoiceOf.get(c.payment_intent as string)!;
    m.set(inv, Math.min(m.get(inv) ?? Infinity, c.created));
  }
  return m;
}

describe('demo history data (#19 item 1)', () => {
  const plain = generateBusiness({ seed: 42, customers: 600, now: NOW });
  const hist = generateBusiness({ seed: 42, customers: 600, now: NOW, history: DEMO_HISTORY });

  it('leaves failed invoices open whose first failures spread over the last ~100 days', () => {
    const first = firstFailures(hist);
    const wasOpen = new Set(plain.invoices.filter((i) => i.status === 'open').map((i) => i.id));
    const open = hist.invoices.filter((i) => i.status === 'open' && !wasOpen.has(i.id)).map((i) => first.get(i.id)!);
    expect(open.length).toBeGreaterThan(50);
    const ages = open.map((at) => (NOW - at) / DAY);
    // Every two-week slice of the last 98 days has open failures to act on.
    for (let from = 0; from < 98; from += 14) expect(ages.filter((a) => a >= from && a < from + 14).length, `days ${from}–${from + 14} ago`).toBeGreaterThan(3);
    expect(Math.max(...ages)).toBeLessThanOrEqual(DEMO_HISTORY.days + 1);
  });

  it('keeps invoices Stripe recovered on its own in the window (recovered without action)', () => {
    const first = firstFailures(hist);
    const since = NOW - 95 * DAY;
    const failedInWindow = hist.invoices.filter((i) => (first.get(i.id) ?? 0) >= since);
    const recovered = failedInWindow.filter((i) => i.status === 'paid');
    const share = recovered.length / failedInWindow.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.6);
  });

  it('changes nothing else: same customers, subscriptions and invoice ids as without history', () => {
    expect(hist.customers.map((c) => c.id)).toEqual(plain.customers.map((c) => c.id));
    expect(hist.subscriptions.map((s) => [s.id, s.status])).toEqual(plain.subscriptions.map((s) => [s.id, s.status]));
    expect(hist.invoices.map((i) => [i.id, i.amount_due])).toEqual(plain.invoices.map((i) => [i.id, i.amount_due]));
    const changed = hist.invoices.filter((i, k) => i.status !== plain.invoices[k]!.status);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((i, k) => i.status === 'open' && i.created >= NOW - DEMO_HISTORY.days * DAY && k >= 0)).toBe(true);
  });
});
