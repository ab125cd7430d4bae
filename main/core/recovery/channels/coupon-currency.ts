import { formatMoney } from '../../../../shared/money';
import type { OfferConfig } from '../../../../shared/contract';

/**
 * A fixed-amount coupon is money in one currency: Stripe's `amount_off` is "A
 * positive integer representing the amount to subtract from an invoice total"
 * in the coupon's `currency`, in that currency's smallest unit (cents for USD,
 * yen for JPY, fils for KWD). 1000 entered as $10.00 is ¥1,000 on a JPY
 * invoice, so Reclaim never reuses the number across currencies and never
 * converts at a rate the merchant did not choose: the strategy names the
 * currency of its amount (`amountCurrency`, else the workspace currency) and,
 * per other currency, its own amount (`currencyAmounts`, Stripe's
 * `currency_options`). An invoice in a currency without an amount is not
 * offered the coupon, and the plan says why.
 */
export type CouponAmount = { params: { amount_off: number; currency: string }; amount: number } | { skip: string };

export function couponAmount(c: Pick<OfferConfig, 'amountOff' | 'amountCurrency' | 'currencyAmounts'>, invoiceCurrency: string, workspaceCurrency: string): CouponAmount | null {
  if (!c.amountOff) return null;
  const cur = invoiceCurrency.toLowerCase();
  const base = (c.amountCurrency ?? workspaceCurrency).toLowerCase();
  const amount = cur === base ? c.amountOff : (c.currencyAmounts ?? {})[cur];
  if (!amount) return { skip: `the offer is ${formatMoney(c.amountOff, base)} off and has no amount for ${cur.toUpperCase()} invoices (set one in the strategy; Reclaim does not convert)` };
  return { params: { amount_off: amount, currency: cur }, amount };
}
