/**
 * Stripe's codes as a recovery specialist reads them (#21): "Insufficient
 * funds", not `insufficient_funds`; "Past due", not `past_due`. The code itself
 * stays where people filter by it (the rule builder's "Last decline code") and
 * in a tooltip beside these words.
 */

const DECLINE_WORDS: Record<string, string> = {
  generic_decline: 'Declined, no reason given',
  do_not_honor: 'Do not honor (bank declined)',
  testmode_decline: 'Test-mode decline',
  pickup_card: 'Card to be picked up (reported)',
  merchant_blacklist: 'Blocked by the card issuer',
  card_velocity_exceeded: 'Card limit reached',
  withdrawal_count_limit_exceeded: 'Withdrawal limit reached',
  new_account_information_available: 'New card details available',
  reenter_transaction: 'Try the payment again',
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
