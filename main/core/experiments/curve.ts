/**
 * Recovery curves per arm (#20): the share of entered invoices recovered by
 * day since entry, Kaplan–Meier style. An invoice still open (its run still
 * working it, or the run canceled before it closed) is censored at the day it
 * was last observed, not counted as a failure; an invoice that can no longer
 * be recovered by the experiment (voided, uncollectible, its run completed
 * unpaid) stays in the at-risk set for the whole window.
 *
 *   S(d) = Π_{t ≤ d} (1 − r_t / n_t),  recovered share by day d = 1 − S(d)
 *
 * r_t = invoices recovered on day t, n_t = invoices at risk on day t (not
 * recovered before t and not censored before t; one censored on day t is
 * still at risk on t). Day t = whole days since the invoice entered the run.
 */
export type CurveItem =
  /** Recovered `afterMs` after it entered. */
  | { kind: 'recovered'; afterMs: number }
  /** Still open, observed for `observedMs` since it entered: censored then. */
  | { kind: 'open'; observedMs: number }
  /** Closed unrecovered (or its run ended unpaid), `observedMs` since it entered: never recovers. */
  | { kind: 'lost'; observedMs: number };

export interface CurvePoint {
  day: number;
  /** 1 − S(day): Kaplan–Meier share recovered by the end of this day. */
  recovered: number;
  atRisk: number;
  recoveredToday: number;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.max(0, Math.floor(ms / DAY_MS));

/**
 * The curve for days 0..min(window, the last day any invoice was observed);
 * empty without invoices.
 */
export function recoveryCurve(items: CurveItem[], windowDays: number): CurvePoint[] {
  if (!items.length) return [];
  const last = Math.min(windowDays, Math.max(...items.map((i) => dayOf(i.kind === 'recovered' ? i.afterMs : i.observedMs))));
  const events = new Array<number>(last + 1).fill(0);
  const leaves = new Array<number>(last + 2).fill(0); // leave the risk set after day d (recovered or censored on d)
  for (const i of items) {
    if (i.kind === 'lost') continue;
    const d = dayOf(i.kind === 'recovered' ? i.afterMs : i.observedMs);
    if (d > last) continue; // beyond the window: at risk throughout
    if (i.kind === 'recovered') events[d]!++;
    leaves[d]!++;
  }
  const out: CurvePoint[] = [];
  let atRisk = items.length;
  let survival = 1;
  for (let d = 0; d <= last; d++) {
    if (atRisk > 0) survival *= 1 - events[d]! / atRisk;
    out.push({ day: d, recovered: 1 - survival, atRisk, recoveredToday: events[d]! });
    atRisk -= leaves[d]!;
  }
  return out;
}

/** What results read per run item to place it on the curve. */
export interface CurveRow {
  recovered: number | boolean;
  joinedAtMs: number;
  /** The invoice's `status_transitions.paid_at` (seconds), when Stripe gave one. */
  paidAt: number | null;
  /** When the run stopped the item (its audit entry), ms. */
  stoppedAtMs: number | null;
  itemState: string;
  stopReason: string | null;
  runStatus: string;
  runUpdatedAtMs: number;
}

/**
 * Recovered: at the payment time (else when the run stopped it as paid).
 * Censored: still worked by a running or paused run (observed until now), or
 * its run was canceled (observed until the cancel). Anything else (voided,
 * uncollectible, closed, or its run completed unpaid) cannot be recovered by
 * the experiment any more.
 */
export function curveItemOf(r: CurveRow, nowMs: number): CurveItem {
  if (r.recovered) return { kind: 'recovered', afterMs: (r.paidAt !== null ? r.paidAt * 1000 : (r.stoppedAtMs ?? nowMs)) - r.joinedAtMs };
  if (r.stopReason === 'run canceled') return { kind: 'open', observedMs: r.runUpdatedAtMs - r.joinedAtMs };
  if (r.itemState === 'active' && (r.runStatus === 'running' || r.runStatus === 'paused')) return { kind: 'open', observedMs: nowMs - r.joinedAtMs };
  return { kind: 'lost', observedMs: nowMs - r.joinedAtMs };
}
