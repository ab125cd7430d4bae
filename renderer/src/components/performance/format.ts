import { formatMoney, minorExponent } from '../../../../shared/money';

/** How the Performance page writes shares, intervals, days and differences (the tables and the charts agree). */
export const pct = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);

/** "38.1–52.0%" (a 95% interval of a share). */
export const interval = (low: number | null, high: number | null): string => (low === null || high === null ? '—' : `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`);

export const days = (d: number | null): string => (d === null ? '—' : `${Number.isInteger(d) ? d : d.toFixed(1)} d`);

/** A difference of two shares in percentage points: "+12.0 pts". */
export const points = (x: number | null): string => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pts`);

/** "[−2.1, +8.4] pts" */
export const pointsInterval = (low: number | null, high: number | null): string => {
  if (low === null || high === null) return '—';
  const p = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
  return `[${p(low)}, ${p(high)}] pts`;
};

/** Relative lift "+25% vs baseline" style: rate / baselineRate − 1. */
export const lift = (x: number | null): string => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)}%`);

export const count = (n: number): string => n.toLocaleString('en');

/** A chart value in major units (charts plot major units) written as money: "$1,234.50", or "$1.2K" on an axis. */
export const majorMoney = (major: number, currency: string, compact = false): string =>
  formatMoney(Math.round(major * 10 ** minorExponent(currency)), currency, { compact });
