/** Money is integer minor units everywhere; these convert for display and entry. */

const exponentCache = new Map<string, number>();

/** Decimal places of a currency's minor unit (usd 2, jpy 0, bhd 3). */
export function minorExponent(currency: string): number {
  const code = currency.toUpperCase();
  let exp = exponentCache.get(code);
  if (exp === undefined) {
    try {
      exp = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      exp = 2;
    }
    exponentCache.set(code, exp);
  }
  return exp;
}

export function formatMoney(minor: number, currency: string, opts: { compact?: boolean } = {}): string {
  const code = currency.toUpperCase();
  const major = minor / 10 ** minorExponent(code);
  try {
    return new Intl.NumberFormat('en', {
      style: 'currency',
      currency: code,
      ...(opts.compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
    }).format(major);
  } catch {
    return `${major.toFixed(2)} ${code}`;
  }
}

/** "500" or "1,299.50" typed by a person → minor units; null when not a number. */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text.replace(/[\s,]/g, '').replace(/^[^\d.-]+/, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 10 ** minorExponent(currency));
}

export function toMajor(minor: number, currency: string): number {
  return minor / 10 ** minorExponent(currency);
}
