/**
 * Decline classification, from the charge's decline code (`outcome.reason` /
 * `decline_code`, else `failure_code`) and Stripe's retry guidance in
 * `outcome.advice_code` (https://docs.stripe.com/declines/codes and
 * https://docs.stripe.com/api/charges/object#charge_object-outcome-advice_code:
 * `do_not_try_again`, `try_again_later`, `confirm_card_data`).
 *
 * - `do_not_retry`: the card is reported lost/stolen/picked up, suspected fraud, or the
 *   customer revoked the authorisation — retrying is pointless and can be penalised by
 *   the networks; a person should decide what to say (Stripe asks not to reveal these
 *   reasons to the customer).
 * - `ask_new_card`: the same card will not pass without the customer acting — new card
 *   number, expiry, CVC or PIN, 3D Secure (`authentication_required`: an off-session retry
 *   cannot authenticate), calling the bank, or a closed/blocked bank account.
 * - `retry`: funds, limits and issuer hiccups; a later retry may succeed.
 *
 * Order: a `do_not_retry` code wins; then `advice_code` do_not_try_again /
 * confirm_card_data; then the codes that need the customer; `try_again_later` and
 * everything else retry.
 */
export type RetryAdvice = 'retry' | 'ask_new_card' | 'do_not_retry';

export const DO_NOT_RETRY_CODES = new Set([
  'lost_card', 'stolen_card', 'pickup_card', 'fraudulent', 'merchant_blacklist', 'security_violation', 'restricted_card',
  'revocation_of_all_authorizations', 'revocation_of_authorization', 'stop_payment_order', 'debit_not_authorized',
]);

export const CUSTOMER_ACTION_CODES = new Set([
  // Stripe's hard declines that need a different card or account
  'incorrect_number', 'invalid_number', 'expired_card', 'invalid_account', 'card_not_supported', 'currency_not_supported',
  'new_account_information_available', 'transaction_not_allowed', 'not_permitted', 'service_not_allowed', 'do_not_try_again',
  // the customer must confirm card data or authenticate
  'authentication_required', 'incorrect_cvc', 'invalid_cvc', 'invalid_expiry_month', 'invalid_expiry_year', 'incorrect_pin', 'invalid_pin',
  'pin_try_exceeded', 'offline_pin_required', 'online_or_offline_pin_required', 'call_issuer', 'incorrect_zip', 'incorrect_address',
  // bank-debit failures (ACH, SEPA, Bacs, BECS): the account cannot be debited as it is
  'account_closed', 'no_account', 'account_frozen', 'bank_account_restricted', 'bank_account_unusable', 'bank_account_declined',
  'invalid_account_number', 'debit_blocked', 'debit_disputed', 'payment_method_microdeposit_verification_attempts_exceeded',
]);

/** Kept for callers of the older name: every code that does not retry on its own. */
export const HARD_DECLINE_CODES = new Set([...DO_NOT_RETRY_CODES, ...CUSTOMER_ACTION_CODES]);
export const ADVICE_CODES = ['do_not_try_again', 'try_again_later', 'confirm_card_data'] as const;

export interface ChargeDeclineFacts {
  /** decline_code (or outcome.reason); the failure_code is used when absent. */
  declineCode?: string | null;
  failureCode?: string | null;
  /** outcome.advice_code */
  adviceCode?: string | null;
}

export function retryAdvice(f: ChargeDeclineFacts): RetryAdvice {
  const codes = [f.declineCode, f.failureCode].filter((c): c is string => typeof c === 'string' && c !== '');
  if (codes.some((c) => DO_NOT_RETRY_CODES.has(c))) return 'do_not_retry';
  if (f.adviceCode === 'do_not_try_again' || f.adviceCode === 'confirm_card_data') return 'ask_new_card';
  if (codes.some((c) => CUSTOMER_ACTION_CODES.has(c))) return 'ask_new_card';
  return 'retry';
}

/** Hard = will not succeed by retrying the same payment method later. */
export function isHardDecline(code: string, adviceCode: string | null = null): boolean {
  return retryAdvice({ declineCode: code, adviceCode }) !== 'retry';
}

/**
 * SQL for the decline code of a failed charge `c` (joined to its PaymentIntent `p`),
 * derived when facts are computed rather than when the charge is written: the sync
 * writes charges and PaymentIntents in parallel, so a charge stored before its
 * PaymentIntent would otherwise keep the generic `card_declined` for good.
 * Order: the issuer's reason on the charge (`outcome.reason` of an `issuer_declined`
 * outcome); the PaymentIntent's `last_payment_error.decline_code` when that error is
 * about this charge ("For card errors, the ID of the failed charge", Stripe's doc on
 * `last_payment_error.charge`) or names no charge; then the charge's `failure_code`.
 * An empty string is no code.
 */
export function chargeDeclineSql(c: string, p: string): string {
  return `coalesce(
    nullif(CASE WHEN ${c}.outcome_type = 'issuer_declined' THEN json_extract(${c}.raw, '$.outcome.reason') END, ''),
    nullif(CASE WHEN coalesce(json_extract(${p}.raw, '$.last_payment_error.charge'), ${c}.id) = ${c}.id THEN ${p}.last_decline_code END, ''),
    nullif(${c}.decline_code, ''),
    nullif(${c}.failure_code, ''))`;
}
