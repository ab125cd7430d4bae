/**
 * Stripe's codes as a recovery specialist reads them (#21): "Insufficient
 * funds", not `insufficient_funds`; "Past due", not `past_due`. The code itself
 * stays where people filter by it (the rule builder's "Last decline code") and
 * in a tooltip beside these words.
 */

const DECLINE_WORDS: Record<string, string> = {
  // Short enough for the customers table's column; the tooltip says hard or soft.
  testmode_decline: 'Test-mode decline',
  merchant_blacklist: 'Blocked by issuer',
  card_velocity_exceeded: 'Card limit reached',
  withdrawal_count_limit_exceeded: 'Withdrawal limit',
  new_account_information_available: 'New card details',
  revocation_of_all_authorizations: 'Payments revoked',
  revocation_of_authorization: 'Payment revoked',
  authentication_required: '3D Secure required',
  currency_not_supported: 'Currency unsupported',
  duplicate_transaction: 'Duplicate payment',
  transaction_not_allowed: 'Payment not allowed',
  bank_account_restricted: 'Bank account limited',
  bank_account_unusable: 'Account unusable',
  invalid_account_number: 'Bad account number',
  online_or_offline_pin_required: 'PIN required',
  reenter_transaction: 'Re-enter payment',
};

const UPPER = new Set(['cvc', 'pin', 'zip', 'id']);

/** "insufficient_funds" → "Insufficient funds", "incorrect_cvc" → "Incorrect CVC". */
export function codeWords(code: string): string {
  const words = code
    .split('_')
    .filter(Boolean)
    .map((w) => (UPPER.has(w) ? w.toUpperCase() : w));
  const s = words.join(' ');
  return s ? s[0]!.toUpperCase() + s.slice(1) : code;
}

/** A Stripe decline (or bank-debit failure) code in words. */
export function declineWords(code: string): string {
  return DECLINE_WORDS[code] ?? codeWords(code);
}

const STATUS_WORDS: Record<string, string> = {
  incomplete_expired: 'Incomplete, expired',
};

/** A subscription status in words: "past_due" → "Past due". */
export function subscriptionStatusWords(status: string): string {
  return STATUS_WORDS[status] ?? codeWords(status);
}
