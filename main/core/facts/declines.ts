/**
 * Decline classification. Hard declines will not succeed on retry: the card is
 * lost, stolen, closed, wrong or refused for good — ask for a new card. Soft
 * declines (funds, limits, issuer hiccups) may succeed on a later retry.
 */
export const HARD_DECLINE_CODES = new Set([
  'lost_card', 'stolen_card', 'pickup_card', 'incorrect_number', 'invalid_number', 'expired_card', 'fraudulent',
  'invalid_account', 'restricted_card', 'security_violation', 'do_not_try_again', 'revocation_of_all_authorizations',
  'revocation_of_authorization', 'stop_payment_order', 'merchant_blacklist', 'card_not_supported', 'currency_not_supported',
  'new_account_information_available', 'transaction_not_allowed', 'not_permitted', 'service_not_allowed',
]);

export function isHardDecline(code: string): boolean {
  return HARD_DECLINE_CODES.has(code);
}
