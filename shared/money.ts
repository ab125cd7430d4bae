/** Money is integer minor units everywhere; these convert for display, entry and between currencies. */

/**
 * Decimal places of a currency's minor unit *as Stripe's API counts them*
 * (https://docs.stripe.com/currencies#minor-units, "Zero-decimal currencies" and
 * "Three-decimal currencies"). Stripe differs from ISO 4217 / CLDR in places:
 * ISK, HUF and TWD amounts are sent with two decimals ("special cases" on the same
 * page), UGX is zero-decimal. Every other currency Stripe supports has two.
 */
export const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
export const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** Decimal places of a currency's minor unit in Stripe amounts (usd 2, jpy 0, kwd 3). */
export function minorExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

export function formatMoney(minor: number, currency: string, opts: { compact?: boolean } = {}): string {
  const code = currency.toUpperCase();
  const exp = minorExponent(code);
  const major = minor / 10 ** exp;
  // Compact only from a thousand up ("$14K"); below, exact: "$81.20", never "$81.2".
  const compact = Boolean(opts.compact && Math.abs(major) >= 1000);
  try {
    return numberFormat(code, exp, compact).format(major);
  } catch {
    return `${major.toFixed(exp)} ${code}`;
  }
}

/** One Intl.NumberFormat per currency and style: making one costs ≈ 45× formatting with it (Node, 20k calls) (#22, the Customers table formats 4 amounts a row). */
const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(code: string, exp: number, compact: boolean): Intl.NumberFormat {
  const key = `${code}:${compact ? 'c' : 'x'}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en', {
      style: 'currency',
      currency: code,
      ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : { minimumFractionDigits: exp, maximumFractionDigits: exp }),
    });
    formats.set(key, f);
  }
  return f;
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

/**
 * Converts an amount in `from` minor units into `to` minor units, given how many
 * major units of each currency one major unit of a common base buys (`perBase`).
 * Not rounded: callers round once, at the end.
 */
export function convertMinorExact(amount: number, from: string, to: string, perBase: (currency: string) => number): number {
  if (from.toLowerCase() === to.toLowerCase()) return amount;
  const major = toMajor(amount, from);
  return (major / perBase(from)) * perBase(to) * 10 ** minorExponent(to);
}
