import type { PerformanceFilters } from '../../../../shared/performance';

/** The filters a user chose (unset dates = the report's defaults), as kept in the URL. */
export interface ChosenFilters {
  windowDays: number;
  from?: string;
  to?: string;
  segments: string[];
  variants: string[];
}

export const WINDOWS = [30, 60, 90] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `window=60&from=2026-09-01&to=2026-11-30&segment=Enterprise&segment=New&variant=exp/b` → filters; anything unreadable is left at its default. */
export function filtersFromQuery(q: URLSearchParams): ChosenFilters {
  const w = Number(q.get('window'));
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  return {
    windowDays: Number.isInteger(w) && w >= 1 && w <= 365 ? w : 30,
    ...(DATE.test(from) ? { from } : {}),
    ...(DATE.test(to) ? { to } : {}),
    segments: q.getAll('segment').filter(Boolean),
    variants: q.getAll('variant').filter(Boolean),
  };
}

export function filtersToQuery(f: ChosenFilters): URLSearchParams {
  const q = new URLSearchParams();
  if (f.windowDays !== 30) q.set('window', String(f.windowDays));
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  for (const s of f.segments) q.append('segment', s);
  for (const v of f.variants) q.append('variant', v);
  return q;
}

/** The request's filter fields. */
export function toRequest(f: ChosenFilters): PerformanceFilters {
  return { windowDays: f.windowDays, segments: f.segments, variants: f.variants, ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) };
}
