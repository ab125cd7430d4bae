import type { PerformanceFilters, PerformanceGroup, PerformanceReport } from '../../../shared/performance';
import { CHANNEL_WORDS } from '../../../shared/words';
import type { ChannelKind } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';
import { converter } from '../facts/compute';
import { attributionSource, groupBy, HOLDOUT_VARIANT, NO_ACTION, NO_EXPERIMENT, NO_RUN } from './attribution';
import { cohortRows, DAY_SEC, declineOf, isoDay, outcomeOf } from './cohort';
import { compareWithBaseline } from './compare';
import { METRIC_DEFINITIONS } from './definitions';
import { curveOf, figuresOf, type ReportInvoice } from './figures';
import { overTime } from './periods';

/**
 * The performance report (#19) of one workspace database: pure over the data,
 * no Stripe, no network, no writes (review mode runs it on a read-only copy).
 * What each figure counts is METRIC_DEFINITIONS (./definitions.ts).
 */
export interface ReportWorkspace { id: string; name: string; kind: string; mode: string; currency: string }

const DEFAULT_DAYS = 90;

/** A real calendar day as YYYY-MM-DD, else a one-line error naming it. */
function checkDay(value: string, which: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw badRequest(`The ${which} date "${value.slice(0, 20)}" is not a day of the calendar; write it as YYYY-MM-DD, e.g. 2026-09-01.`);
  }
  return ms / 1000;
}

/** The filters with their defaults: the 90 days up to today (UTC). */
export function resolveFilters(f: Partial<PerformanceFilters>, nowMs: number): PerformanceReport['filters'] {
  const today = isoDay(Math.floor(nowMs / 1000));
  const to = f.to ?? today;
  const toSec = checkDay(to, 'end');
  const from = f.from ?? isoDay(toSec - DEFAULT_DAYS * DAY_SEC);
  const fromSec = checkDay(from, 'start');
  if (fromSec > toSec) throw badRequest(`The start date ${from} is after the end date ${to}; choose a start on or before the end.`);
  return { windowDays: f.windowDays ?? 30, from, to, segments: f.segments ?? [], variants: f.variants ?? [] };
}

function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, 1)).toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

const channelLabel = (c: string) => (c === NO_ACTION ? 'No action' : (CHANNEL_WORDS[c as ChannelKind] ?? c));
const DECLINE_LABELS: Record<string, string> = { hard: 'Hard decline', soft: 'Soft decline', unknown: 'Unknown decline' };

/** Every invoice that ever entered the cohort, with its outcome and attribution (before any filter). */
export function reportInvoices(db: Sqlite, currency: string, windowDays: number, nowMs: number): ReportInvoice[] {
  const nowSec = Math.floor(nowMs / 1000);
  const toWs = converter(db, currency.toLowerCase());
  const conv = (amount: number, cur: string) => Math.round(toWs(amount, cur));
  const src = attributionSource(db, currency);
  return cohortRows(db).map((r) => {
    const outcome = outcomeOf(r, windowDays, nowSec);
    const a = src.attribute(r.id, r.customerId, outcome.paidAfterSec !== null ? r.firstFailure + outcome.paidAfterSec : null);
    const cutoff = outcome.recovered ? r.firstFailure + outcome.paidAfterSec! : Math.min(nowSec, r.firstFailure + windowDays * DAY_SEC);
    const day = isoDay(r.firstFailure);
    return {
      id: r.id, customerId: r.customerId, firstFailure: r.firstFailure, day, month: day.slice(0, 7), outcome,
      amountDue: conv(r.amountDue, r.currency), amountPaid: conv(r.amountPaid, r.currency), amountRemaining: conv(r.amountRemaining, r.currency),
      decline: declineOf(r), segment: a.segment, variant: a.variant, channel: src.channel(r.id, cutoff),
      costVoice: a.spends.filter((s) => s.kind === 'voice').reduce((s, x) => s + x.amount, 0),
      costOffers: a.spends.filter((s) => s.kind === 'offer').reduce((s, x) => s + x.amount, 0),
      spends: a.spends,
    };
  });
}

function groups(list: ReportInvoice[], keyOf: (i: ReportInvoice) => string, labelOf: (key: string, first: ReportInvoice) => string, order: (a: string, b: string) => number, windowDays: number, nowMs: number): PerformanceGroup[] {
  const by = groupBy(list, keyOf);
  return [...by.keys()].sort(order).map((key) => ({ key, label: labelOf(key, by.get(key)![0]!), ...figuresOf(by.get(key)!, windowDays, nowMs) }));
}

/** Alphabetical, with the given "nothing" key last. */
const lastly = (none: string) => (a: string, b: string) => (a === none ? 1 : b === none ? -1 : a.localeCompare(b));

export function performanceReport(db: Sqlite, ws: ReportWorkspace, filters: Partial<PerformanceFilters>, nowMs: number): PerformanceReport {
  const f = resolveFilters(filters, nowMs);
  const W = f.windowDays;
  const all = reportInvoices(db, ws.currency, W, nowMs);
  const inRange = all.filter((i) => i.day >= f.from && i.day <= f.to);
  const list = inRange.filter((i) => (!f.segments.length || f.segments.includes(i.segment)) && (!f.variants.length || f.variants.includes(i.variant.key)));

  const bySegment = groups(list, (i) => i.segment, (k) => k, lastly(NO_RUN), W, nowMs);
  const curves = [
    { key: 'all', label: 'All invoices', list },
    ...bySegment.map((g) => ({ key: g.key, label: g.label, list: list.filter((i) => i.segment === g.key && !i.outcome.voided) })),
  ].map((c) => ({ key: c.key, label: c.label, points: curveOf(c.list.filter((i) => !i.outcome.voided), W, nowMs).map((p) => ({ day: p.day, recovered: p.recovered, atRisk: p.atRisk })) }));

  const months = [...new Set(list.map((i) => i.month))].sort();
  const cohortHeatmap = months.flatMap((m) => {
    const curve = curveOf(list.filter((i) => i.month === m && !i.outcome.voided), W, nowMs);
    return Array.from({ length: W }, (_, day) => ({ cohort: m, day, recovered: curve[day]?.recovered ?? null }));
  });

  // Baseline: held-out customers (Default strategy) if any, else the invoices no run worked on; segment/variant filters ignored.
  const holdout = inRange.filter((i) => i.variant.key === HOLDOUT_VARIANT.key);
  const noRun = inRange.filter((i) => i.segment === NO_RUN);
  const base = holdout.some((i) => !i.outcome.voided)
    ? { label: 'Default strategy (segmentation holdout)', list: holdout, isBase: (i: ReportInvoice) => i.variant.key === HOLDOUT_VARIANT.key }
    : noRun.some((i) => !i.outcome.voided)
      ? { label: 'No run (invoices no run worked on)', list: noRun, isBase: (i: ReportInvoice) => i.segment === NO_RUN }
      : null;
  let baseline: PerformanceReport['baseline'] = null;
  if (base) {
    const figures = figuresOf(base.list, W, nowMs);
    const comparisons = bySegment
      .map((g) => ({ g, mine: figuresOf(list.filter((i) => i.segment === g.key && !base.isBase(i)), W, nowMs) }))
      .filter((x) => x.mine.invoices > 0)
      .map((x) => compareWithBaseline(x.g.key, x.g.label, x.mine, figures));
    baseline = { label: base.label, figures, comparisons };
  }

  const variants = new Map<string, string>();
  for (const i of all) variants.set(i.variant.key, i.variant.label);
  return {
    workspace: { id: ws.id, name: ws.name, kind: ws.kind, mode: ws.mode, currency: ws.currency },
    generatedAtMs: Math.floor(nowMs),
    simulated: ws.kind === 'demo',
    filters: f,
    totals: figuresOf(list, W, nowMs),
    bySegment,
    byVariant: groups(list, (i) => i.variant.key, (_, i) => i.variant.label, lastly(NO_EXPERIMENT.key), W, nowMs),
    byCohort: groups(list, (i) => i.month, monthLabel, (a, b) => a.localeCompare(b), W, nowMs),
    byDecline: groups(list, (i) => i.decline, (k) => DECLINE_LABELS[k] ?? k, (a, b) => ['hard', 'soft', 'unknown'].indexOf(a) - ['hard', 'soft', 'unknown'].indexOf(b), W, nowMs),
    byChannel: groups(list, (i) => i.channel, channelLabel, lastly(NO_ACTION), W, nowMs),
    overTime: overTime(list.filter((i) => !i.outcome.voided), f, nowMs),
    curves,
    cohortHeatmap,
    baseline,
    available: {
      segments: [...new Set(all.map((i) => i.segment))].sort(lastly(NO_RUN)),
      variants: [...variants.keys()].sort(lastly(NO_EXPERIMENT.key)).map((key) => ({ key, label: variants.get(key)! })),
    },
    definitions: METRIC_DEFINITIONS.map((d) => ({ ...d })),
  };
}
