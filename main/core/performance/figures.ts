import type { PerformanceFigures } from '../../../shared/performance';
import { recoveryCurve, type CurveItem, type CurvePoint } from '../experiments/curve';
import { wilson } from './compare';
import type { Outcome } from './cohort';

/**
 * The figures of one group of cohort invoices (definitions in ./definitions.ts).
 */
export interface ReportInvoice {
  id: string;
  customerId: string;
  /** Unix seconds of the first failure, its UTC day and month. */
  firstFailure: number;
  day: string;
  month: string;
  outcome: Outcome;
  /** Workspace currency, minor units. */
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  decline: 'hard' | 'soft' | 'unknown';
  segment: string;
  variant: { key: string; label: string };
  /** Channel that acted last before the payment (or the window's end / now); `none` without one. */
  channel: string;
  costVoice: number;
  costOffers: number;
  spends: { atMs: number; amount: number }[];
}

const DAY_MS = 86_400_000;

/** Where an invoice sits on the recovery curve. */
export function curveItem(i: ReportInvoice, nowMs: number): CurveItem {
  const o = i.outcome;
  if (o.paidAfterSec !== null) return { kind: 'recovered', afterMs: o.paidAfterSec * 1000 };
  if (o.censored) return { kind: 'open', observedMs: Math.max(0, nowMs - i.firstFailure * 1000) };
  return { kind: 'lost', observedMs: Math.max(0, nowMs - i.firstFailure * 1000) };
}

/** Days 0..window−1 (day 0 = the first 24 hours): recovered within the window = by the end of day window−1. */
export function curveOf(list: ReportInvoice[], windowDays: number, nowMs: number): CurvePoint[] {
  return recoveryCurve(list.map((i) => curveItem(i, nowMs)), windowDays - 1);
}

/** The first day the curve reaches `share`, null when it does not. */
export function dayReaching(curve: CurvePoint[], share: number): number | null {
  return curve.find((p) => p.recovered >= share - 1e-12)?.day ?? null;
}

/** Figures of a group; `all` includes voided invoices, which only count in `voided`. */
export function figuresOf(all: ReportInvoice[], windowDays: number, nowMs: number): PerformanceFigures {
  const voided = all.filter((i) => i.outcome.voided).length;
  const list = all.filter((i) => !i.outcome.voided);
  const sum = (xs: ReportInvoice[], f: (i: ReportInvoice) => number) => xs.reduce((s, i) => s + f(i), 0);
  const rec = list.filter((i) => i.outcome.recovered);
  const partial = list.filter((i) => i.outcome.partial);
  const invoices = list.length;
  const ci = wilson(rec.length, invoices);
  const amountDue = sum(list, (i) => i.amountDue);
  const amountRecovered = sum(rec, (i) => i.amountPaid);
  const costVoice = sum(list, (i) => i.costVoice);
  const costOffers = sum(list, (i) => i.costOffers);
  const curve = curveOf(list, windowDays, nowMs);
  return {
    invoices,
    recovered: rec.length,
    partial: partial.length,
    voided,
    uncollectible: list.filter((i) => i.outcome.uncollectible).length,
    open: list.filter((i) => i.outcome.censored).length,
    rate: invoices ? rec.length / invoices : null,
    rateLow: ci?.low ?? null,
    rateHigh: ci?.high ?? null,
    amountDue,
    amountRecovered,
    amountPartial: sum(partial, (i) => i.amountPaid),
    rateByAmount: invoices && amountDue > 0 ? amountRecovered / amountDue : null,
    amountAtRisk: sum(list.filter((i) => i.outcome.openNow), (i) => i.amountRemaining),
    medianDays: dayReaching(curve, 0.5),
    p90Days: dayReaching(curve, 0.9),
    costVoice,
    costOffers,
    net: amountRecovered - costVoice - costOffers,
    recoveredWithoutAction: rec.filter((i) => i.channel === 'none').length,
  };
}

export { DAY_MS };
