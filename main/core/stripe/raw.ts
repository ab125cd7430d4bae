/**
 * What a synced row keeps of the Stripe object in its `raw` column (issue #22, database size).
 *
 * The typed columns carry what the pages, the segments and the runs read; `raw` is kept so
 * new facts can be derived without a re-sync, and for the few fields read from it directly
 * (json_extract in SQL, the MRR and tax readers in facts/stripe-read.ts). It used to be the
 * whole object: invoices held 2.3 KB each, one row a 4 KB page.
 *
 * - Every object: fields whose value is null are not stored. A missing field reads as null
 *   both in SQL (`json_extract` gives NULL) and in the readers (`?? null`, `obj()`); empty
 *   arrays and objects are kept (an empty `discounts[]` means "no discount", unlike none).
 * - The payment history (invoices, invoice payments, payment intents, charges, refunds —
 *   ~30 objects a customer, 90% of the bytes): only the fields below, the ones recovery
 *   and its reports read or may read next (amounts, states, decline details, tax totals,
 *   times). Dropped: invoice lines, addresses and names repeated from the customer, URLs,
 *   statement descriptors, Stripe's internal settings.
 * - Subscription items: the legacy `plan` (a copy of `price`, which is kept).
 *
 * The same function serves the sync's writers (stripe/map.ts) and the migration that
 * shrinks existing workspaces (./shrink-raw.ts), so both store the same thing.
 */
type O = Record<string, unknown>;

const HISTORY: Record<string, readonly string[]> = {
  invoice: [
    'id', 'object', 'customer', 'parent', 'status', 'currency', 'amount_due', 'amount_paid', 'amount_remaining', 'amount_overpaid', 'attempt_count', 'attempted',
    'auto_advance', 'next_payment_attempt', 'due_date', 'created', 'effective_at', 'number', 'status_transitions', 'total', 'subtotal', 'total_excluding_tax',
    'total_taxes', 'total_tax_amounts', 'total_discount_amounts', 'discounts', 'billing_reason', 'collection_method', 'period_start', 'period_end',
    'default_payment_method', 'last_finalization_error', 'starting_balance', 'ending_balance', 'livemode', 'metadata',
  ],
  invoice_payment: ['id', 'object', 'invoice', 'payment', 'status', 'status_transitions', 'amount_paid', 'amount_requested', 'currency', 'is_default', 'created', 'livemode'],
  payment_intent: [
    'id', 'object', 'customer', 'amount', 'amount_received', 'currency', 'status', 'created', 'canceled_at', 'cancellation_reason', 'last_payment_error',
    'latest_charge', 'payment_method', 'next_action', 'livemode', 'metadata',
  ],
  charge: [
    'id', 'object', 'customer', 'payment_intent', 'payment_method', 'amount', 'amount_captured', 'amount_refunded', 'currency', 'status', 'paid', 'captured',
    'refunded', 'disputed', 'failure_code', 'failure_message', 'outcome', 'payment_method_details', 'created', 'livemode', 'metadata',
  ],
  refund: ['id', 'object', 'charge', 'payment_intent', 'amount', 'currency', 'status', 'reason', 'failure_reason', 'created', 'livemode', 'metadata'],
};

/** The decline details of a payment error; its `payment_method` (a whole object in Stripe's answer) becomes its id. */
const ERROR_FIELDS = ['type', 'code', 'decline_code', 'advice_code', 'network_advice_code', 'network_decline_code', 'message', 'charge'];
const CARD_FIELDS = ['brand', 'country', 'exp_month', 'exp_year', 'funding', 'last4', 'network', 'wallet'];

const isObj = (v: unknown): v is O => v !== null && typeof v === 'object' && !Array.isArray(v);

function pick(o: O, keys: readonly string[]): O {
  const out: O = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out;
}

function paymentError(e: unknown): unknown {
  if (!isObj(e)) return e;
  const out = pick(e, ERROR_FIELDS);
  const pm = e.payment_method;
  if (typeof pm === 'string') out.payment_method = pm;
  else if (isObj(pm) && typeof pm.id === 'string') out.payment_method = pm.id;
  return out;
}

function history(kind: string, o: O): O {
  const out = pick(o, HISTORY[kind]!);
  if (kind === 'payment_intent' && out.last_payment_error !== undefined) out.last_payment_error = paymentError(out.last_payment_error);
  if (kind === 'charge' && isObj(out.payment_method_details)) {
    const d = out.payment_method_details;
    out.payment_method_details = isObj(d.card) ? { type: d.type, card: pick(d.card, CARD_FIELDS) } : { type: d.type };
  }
  return out;
}

/** Drops null-valued fields (kept as null inside arrays, where position matters). */
const dropNulls = (_key: string, v: unknown): unknown => (v === null ? undefined : v);

function withoutPlans(sub: O): O {
  const items = sub.items;
  if (!isObj(items) || !Array.isArray(items.data) || !items.data.some((i) => isObj(i) && 'plan' in i)) return sub;
  return { ...sub, items: { ...items, data: items.data.map((i: unknown) => (isObj(i) && 'plan' in i ? { ...i, plan: undefined } : i)) } };
}

/** The JSON text stored in `raw` for a Stripe object (by its `object` field). */
export function storedRaw(o: object): string {
  const loose = o as O;
  const kind = typeof loose.object === 'string' ? loose.object : '';
  const kept = kind in HISTORY ? history(kind, loose) : kind === 'subscription' ? withoutPlans(loose) : loose;
  return JSON.stringify(kept, dropNulls);
}

