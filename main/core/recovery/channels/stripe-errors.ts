/**
 * What a Stripe error means for a recovery step. A 4xx is Stripe's final word
 * on that request (bad parameters, a missing permission, a declined card, a
 * closed invoice): the step is not tried again, and asking again with the same
 * Idempotency-Key would only replay the same answer for 24 hours. Only a
 * conflict (409, except a key still in use), a rate limit (429), a 5xx or no
 * answer at all is worth another attempt, under a new key (Stripe saves even a
 * 500 under the first). Such an attempt cannot act twice: an invoice is paid
 * once, the coupon id is fixed per action, and an offer already applied is
 * recognised (./coupon-apply.ts).
 */
export interface StripeFailure {
  /** HTTP status, null when Stripe never answered. */
  status: number | null;
  type: string;
  code: string | null;
  /** The issuer's decline code; Stripe's empty string means none. */
  declineCode: string | null;
  message: string;
  /** The restricted-key permission a 403 names ("Having the 'rak_…' permission would allow this request to continue"). */
  permission: string | null;
  /** True when trying again (with a new attempt) could change the answer. */
  retryable: boolean;
  charge: string | null;
}

const PERMISSION_IN_403 = /Having the '(rak_[a-z_]+)' permission/;

export function stripeFailure(e: unknown): StripeFailure {
  const err = (e ?? {}) as { statusCode?: number; type?: string; code?: string; decline_code?: string; message?: string; raw?: { charge?: string } };
  const status = typeof err.statusCode === 'number' ? err.statusCode : null;
  const message = err.message ?? String(e);
  return {
    status,
    type: err.type ?? 'Error',
    code: err.code || null,
    declineCode: err.decline_code || null,
    message,
    permission: status === 403 ? (PERMISSION_IN_403.exec(message)?.[1] ?? null) : null,
    // A 409 for a key still in use means the first request may yet act: not a new attempt under a new key.
    retryable: status === null || status === 429 || status >= 500 || (status === 409 && err.code !== 'idempotency_key_in_use'),
    charge: err.raw?.charge || null,
  };
}

/** One line for the run's detail column: what Stripe said, and whether Reclaim tries again. */
export function describeFailure(what: string, f: StripeFailure): string {
  const why = f.permission ? `the Stripe key lacks the '${f.permission}' permission` : f.status ? `Stripe answered ${f.status}: ${f.message}` : `Stripe did not answer: ${f.message}`;
  return `${what}: ${why}`;
}
