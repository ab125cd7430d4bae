/**
 * "How MRR is computed", shown in the app (customer drawer, fields help) and mirrored in
 * the README. It follows Stripe's Billing analytics definition
 * (https://docs.stripe.com/billing/subscriptions/analytics/glossary and
 * https://support.stripe.com/questions/billing-analytics); the code is
 * main/core/facts/mrr.ts and main/core/facts/stripe-read.ts.
 */
export const MRR_RULES: readonly string[] = [
  'Counts subscriptions that are active or past_due. Trialing, unpaid (Stripe counts these as churned), paused, incomplete and canceled subscriptions count 0.',
  'A subscription whose payment collection is paused (pause_collection, any behavior: void, mark_uncollectible or keep_as_draft) counts 0 until its resumes_at, although Stripe leaves its status active: nothing is collected while it is paused.',
  'Each price is normalised to a month: yearly ÷ 12, every N months ÷ N, weekly × 52 ÷ 12, daily × 365 ÷ 12, times the item quantity.',
  'Metered (usage-based) prices are left out, as in Stripe.',
  'Tiered prices are priced from their tiers at the item quantity: graduated adds up each tier (plus its flat fee), volume prices every unit at the tier the quantity falls in. Prices given only as unit_amount_decimal use that decimal amount.',
  'Discounts: only coupons with duration forever reduce MRR by default; once and repeating coupons can be counted while they last (workspace MRR setting). Item-level discounts apply to their item, then the subscription’s discounts (stacked, in order) to the whole subscription; a customer-level discount applies to subscriptions without discounts of their own. Amount-off coupons come off each invoice and are spread over its billing period.',
  'Tax is not revenue: tax-inclusive prices have their tax removed (inclusive tax rates, or the tax share of the latest invoice under Stripe Tax); tax added on top is never counted.',
  'Amounts use each currency’s minor unit as Stripe does (JPY, KRW, VND… have none; BHD, JOD, KWD, OMR, TND have three) and are converted into the workspace currency with its exchange-rate table, rounded once per customer.',
];

export const MRR_RULES_SHORT =
  'Active and past_due subscriptions only (not trialing or unpaid, nor with payment collection paused), normalised to a month; metered prices excluded; tiered prices from their tiers; only forever coupons reduce it unless the workspace counts once/repeating coupons; tax removed from tax-inclusive prices.';
