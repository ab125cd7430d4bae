import type { Sqlite } from '../db/sqlite';
import { MRR_RULES_SHORT } from '../../../shared/mrr-rules';
import { ADVICE_CODES } from './declines';

/**
 * The catalog of facts a segment rule may use. Every field maps to a column of
 * `customer_facts` (or to one key of its `attrs` JSON); the segment compiler
 * only ever emits columns named here, never strings taken from a rule.
 */

export type FactType = 'money' | 'number' | 'days' | 'string' | 'enum' | 'boolean' | 'tags' | 'date';

export interface FactField {
  /** Name used in rules (`mrr`, `attrs.seats`). */
  name: string;
  label: string;
  type: FactType;
  /** 'days', or the workspace currency code for money (set by catalogFor). */
  unit?: string;
  /** Column of customer_facts. For custom attributes this is 'attrs' and `attrKey` says which key. */
  column: string;
  description: string;
  /** Allowed values (enum). */
  values?: string[];
  /** true: `values` come from the data and are suggestions, any text is accepted. */
  openValues?: boolean;
  /** 'fact' for customer_facts columns; custom attributes keep their attribute_catalog source. */
  source: 'fact' | 'metadata' | 'csv';
  /** Key inside customer_facts.attrs (custom attributes only). */
  attrKey?: string;
  /** Whether the fact can be empty (NULL) for a customer. */
  nullable: boolean;
}

export type Catalog = readonly FactField[];

/** Columns of customer_facts a rule may address: the compiler's whitelist. */
export const FACT_COLUMNS = new Set([
  'customer_id', 'email', 'name', 'currency', 'plan', 'product_id', 'billing_interval', 'subscription_status',
  'mrr', 'tenure_days', 'ltv', 'failures_12m', 'failed_invoices_12m', 'last_decline_code', 'last_decline_hard', 'last_advice_code', 'card_expiry',
  'card_expires_in_days', 'open_past_due_count', 'amount_at_risk', 'days_since_first_failure', 'region',
  'industry', 'account_manager', 'tags', 'attrs', 'created', 'country', 'state', 'preferred_locales', 'tax_exempt',
]);

/** Stripe's customer `tax_exempt` values (Customer.TaxExempt: 'exempt' | 'none' | 'reverse'). */
export const TAX_EXEMPT_VALUES = ['none', 'exempt', 'reverse'];

export const SUBSCRIPTION_STATUSES = [
  'active', 'trialing', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'paused', 'none',
];
export const BILLING_INTERVALS = ['day', 'week', 'month', 'year'];

/** Stripe's documented card decline codes. */
export const DECLINE_CODES = [
  'approve_with_id', 'authentication_required', 'call_issuer', 'card_not_supported', 'card_velocity_exceeded',
  'currency_not_supported', 'do_not_honor', 'do_not_try_again', 'duplicate_transaction', 'expired_card',
  'fraudulent', 'generic_decline', 'incorrect_cvc', 'incorrect_number', 'incorrect_pin', 'incorrect_zip',
  'insufficient_funds', 'invalid_account', 'invalid_amount', 'invalid_cvc', 'invalid_expiry_month',
  'invalid_expiry_year', 'invalid_number', 'invalid_pin', 'issuer_not_available', 'lost_card',
  'merchant_blacklist', 'new_account_information_available', 'no_action_taken', 'not_permitted',
  'offline_pin_required', 'online_or_offline_pin_required', 'pickup_card', 'pin_try_exceeded',
  'processing_error', 'reenter_transaction', 'restricted_card', 'revocation_of_all_authorizations',
  'revocation_of_authorization', 'security_violation', 'service_not_allowed', 'stolen_card',
  'stop_payment_order', 'testmode_decline', 'transaction_not_allowed', 'try_again_later',
  'withdrawal_count_limit_exceeded',
  // bank-debit failure codes (failure_code of ACH / SEPA / Bacs debits)
  'account_closed', 'no_account', 'account_frozen', 'bank_account_restricted', 'bank_account_unusable', 'debit_not_authorized',
  'invalid_account_number',
];

/** Common Stripe settlement/presentment currencies (catalogFor adds any others found in the data). */
export const CURRENCIES = [
  'usd', 'eur', 'gbp', 'cad', 'aud', 'nzd', 'jpy', 'chf', 'sek', 'nok', 'dkk', 'isk', 'pln', 'czk', 'huf',
  'ron', 'bgn', 'try', 'ils', 'aed', 'sar', 'qar', 'kwd', 'bhd', 'omr', 'jod', 'egp', 'zar', 'ngn', 'kes',
  'mad', 'inr', 'pkr', 'lkr', 'bdt', 'sgd', 'hkd', 'twd', 'cny', 'krw', 'thb', 'myr', 'idr', 'php', 'vnd',
  'brl', 'mxn', 'ars', 'clp', 'cop', 'pen', 'uyu', 'crc', 'dop', 'gtq', 'ttd', 'jmd', 'uah', 'rsd', 'gel',
  'kzt', 'mdl', 'all', 'mkd', 'bam',
];

const f = (
  name: string, label: string, type: FactType, description: string,
  extra: Partial<FactField> = {},
): FactField => ({ name, label, type, column: name, description, source: 'fact', nullable: true, ...extra });

/** The static facts (enum values of data-driven columns are filled by catalogFor). */
export const FACTS: readonly FactField[] = [
  f('customer_id', 'Customer ID', 'string', 'Stripe customer id (cus_…).', { nullable: false }),
  f('email', 'Email', 'string', 'Customer email address.'),
  f('name', 'Name', 'string', 'Customer name.'),
  f('currency', 'Billing currency', 'enum', "The customer's own billing currency.", { values: CURRENCIES }),
  f('plan', 'Plan', 'enum', 'Product name of the highest-MRR active subscription item.', { values: [], openValues: true }),
  f('product_id', 'Product ID', 'string', 'Stripe product id of the plan.'),
  f('billing_interval', 'Billing interval', 'enum', 'Billing interval of the plan (empty without a subscription).', { values: BILLING_INTERVALS }),
  f('subscription_status', 'Subscription status', 'enum', 'Best status across the customer’s subscriptions.', { values: SUBSCRIPTION_STATUSES }),
  f('mrr', 'MRR', 'money', `Monthly recurring revenue, in the workspace currency, per Stripe's Billing analytics definition. ${MRR_RULES_SHORT}`, { nullable: false }),
  f('tenure_days', 'Tenure', 'days', 'Days since the customer was created.', { unit: 'days', nullable: false }),
  f('ltv', 'Lifetime value', 'money', 'Total paid to date, in the workspace currency.', { nullable: false }),
  f('failures_12m', 'Payment failures (12 months)', 'number', "Failed payment attempts in the last 12 months, Stripe's automatic retries of one invoice included (one invoice retried 4 times counts 4).", { nullable: false }),
  f('failed_invoices_12m', 'Invoices with failed payments (12 months)', 'number', 'Failure episodes in the last 12 months: distinct invoices with at least one failed payment (one invoice retried 4 times counts 1).', { nullable: false }),
  f('last_decline_code', 'Last decline code', 'enum', 'Stripe decline code of the most recent failed payment.', { values: DECLINE_CODES }),
  f('last_decline_hard', 'Last decline was hard', 'boolean', 'Whether the most recent decline will not pass by retrying the same card: lost, stolen or fraud, or the customer must act (new card, CVC, expiry, PIN, 3D Secure, call the bank, closed bank account), or Stripe advised do_not_try_again / confirm_card_data (empty when no decline).'),
  f('last_advice_code', 'Last advice code', 'enum', "Stripe's retry advice on the most recent failed payment (outcome.advice_code): do_not_try_again, try_again_later or confirm_card_data; empty when Stripe gave none.", { values: [...ADVICE_CODES] }),
  f('card_expiry', 'Card expiry (YYYY-MM)', 'string', 'Expiry month of the default card.'),
  f('card_expires_in_days', 'Card expires in', 'days', 'Days until the default card expires (negative when expired).', { unit: 'days' }),
  f('open_past_due_count', 'Open past-due invoices', 'number', 'Number of open, past-due invoices.', { nullable: false }),
  f('amount_at_risk', 'Amount at risk', 'money', 'Total still owed on open past-due invoices, in the workspace currency.', { nullable: false }),
  f('days_since_first_failure', 'Days in dunning', 'days', 'Days since the first failure of the current dunning episode (empty when none).', { unit: 'days' }),
  f('region', 'Region', 'enum', 'Customer region.', { values: [], openValues: true }),
  f('industry', 'Industry', 'enum', 'Customer industry.', { values: [], openValues: true }),
  f('account_manager', 'Account manager', 'enum', 'Assigned account manager.', { values: [], openValues: true }),
  f('tags', 'Tags', 'tags', 'Tags on the customer.', { nullable: false }),
  // From the Stripe customer (#17 item 17): where the customer is, which language, how taxed.
  f('country', 'Country', 'enum', "Country of the Stripe customer's address (ISO 3166-1 alpha-2, e.g. US, DE; empty when no address).", { values: [], openValues: true }),
  f('state', 'State / province', 'enum', "State, county, province or region of the Stripe customer's address (as entered in Stripe, e.g. CA; empty when none).", { values: [], openValues: true }),
  f('preferred_locales', 'Preferred locales', 'tags', "The Stripe customer's preferred locales (languages), ordered by preference, e.g. de-DE, en.", { nullable: false }),
  f('tax_exempt', 'Tax exemption', 'enum', "The Stripe customer's tax exemption: none, exempt or reverse (reverse charge).", { values: TAX_EXEMPT_VALUES }),
  f('created', 'Customer since', 'date', 'When the customer was created in Stripe.', { nullable: false }),
];

/** Columns whose enum values are read from the data, and static enums extended by the data. */
const DATA_ENUMS = ['plan', 'region', 'industry', 'account_manager', 'country', 'state'] as const;
const EXTENDED_ENUMS = ['currency', 'last_decline_code', 'subscription_status', 'billing_interval'] as const;
export const MAX_ENUM_VALUES = 200;

/** Custom attribute keys: safe inside a quoted JSON path `$."<key>"`. */
export const ATTR_KEY_RE = /^[A-Za-z0-9_.\- ]{1,64}$/;

export function isValidAttrKey(key: string): boolean {
  return ATTR_KEY_RE.test(key);
}

/** JSON path of an attribute key; throws on a key that could escape the quotes. */
export function attrJsonPath(key: string): string {
  if (!isValidAttrKey(key)) throw new Error(`invalid attribute key ${JSON.stringify(key)}`);
  return `$."${key}"`;
}

function distinctValues(db: Sqlite, column: string): string[] {
  if (!FACT_COLUMNS.has(column)) throw new Error(`not a fact column: ${column}`);
  const rows = db
    .prepare(
      `SELECT "${column}" AS v, count(*) AS n FROM customer_facts WHERE "${column}" IS NOT NULL AND "${column}" <> ''
       GROUP BY "${column}" ORDER BY n DESC, v LIMIT ${MAX_ENUM_VALUES}`,
    )
    .all() as { v: string }[];
  return rows.map((r) => r.v);
}

/** Distinct elements of a JSON-array fact column (e.g. preferred_locales), most frequent first. */
function distinctListValues(db: Sqlite, column: string): string[] {
  if (!FACT_COLUMNS.has(column)) throw new Error(`not a fact column: ${column}`);
  const rows = db
    .prepare(
      `SELECT t.value AS v, count(*) AS n FROM customer_facts f, json_each(CASE WHEN json_valid(f."${column}") AND json_type(f."${column}") = 'array' THEN f."${column}" ELSE '[]' END) AS t
       WHERE t.type = 'text' GROUP BY t.value ORDER BY n DESC, v LIMIT ${MAX_ENUM_VALUES}`,
    )
    .all() as { v: string }[];
  return rows.map((r) => r.v).sort((a, b) => a.localeCompare(b));
}

/** The catalog for one workspace: static facts, enum values from the data, custom attributes. */
export function catalogFor(db: Sqlite): FactField[] {
  const currencyRow = db.prepare(`SELECT value FROM meta WHERE key = 'currency'`).get() as { value: string } | undefined;
  const currency = (currencyRow?.value ?? 'usd').toLowerCase();
  const fields: FactField[] = FACTS.map((field) => {
    const copy: FactField = { ...field, ...(field.values ? { values: [...field.values] } : {}) };
    if (copy.type === 'money') copy.unit = currency;
    if ((DATA_ENUMS as readonly string[]).includes(copy.name)) {
      copy.values = distinctValues(db, copy.column).sort((a, b) => a.localeCompare(b));
    } else if (copy.name === 'preferred_locales') {
      copy.values = distinctListValues(db, copy.column);
    } else if ((EXTENDED_ENUMS as readonly string[]).includes(copy.name)) {
      const known = new Set(copy.values!.map((v) => v.toLowerCase()));
      const extra = distinctValues(db, copy.column).filter((v) => !known.has(v.toLowerCase()));
      copy.values = [...copy.values!, ...extra];
    }
    return copy;
  });
  const attrs = db.prepare(`SELECT key, type, source, label FROM attribute_catalog ORDER BY label, key`).all() as {
    key: string; type: 'number' | 'string' | 'boolean'; source: 'metadata' | 'csv'; label: string;
  }[];
  for (const a of attrs) {
    if (!isValidAttrKey(a.key)) continue;
    fields.push({
      name: `attrs.${a.key}`,
      label: a.label || a.key,
      type: a.type,
      column: 'attrs',
      attrKey: a.key,
      description: `Custom attribute "${a.key}".`,
      source: a.source,
      nullable: true,
    });
  }
  return fields;
}

export interface OperatorDef {
  name: string;
  value: string;
  label: string;
}

const OP_LABELS: Record<string, string> = {
  '=': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥',
  between: 'between', notBetween: 'not between', null: 'is empty', notNull: 'is not empty',
  contains: 'contains', beginsWith: 'begins with', endsWith: 'ends with', doesNotContain: 'does not contain',
  in: 'is one of', notIn: 'is not one of', before: 'before', after: 'after',
  withinLastDays: 'within the last N days', hasAny: 'has any of', hasAll: 'has all of', hasNone: 'has none of',
};

const OPS_BY_TYPE: Record<FactType, string[]> = {
  money: ['=', '!=', '<', '<=', '>', '>=', 'between', 'notBetween', 'null', 'notNull'],
  number: ['=', '!=', '<', '<=', '>', '>=', 'between', 'notBetween', 'null', 'notNull'],
  days: ['=', '!=', '<', '<=', '>', '>=', 'between', 'notBetween', 'null', 'notNull'],
  string: ['=', '!=', 'contains', 'beginsWith', 'endsWith', 'doesNotContain', 'in', 'notIn', 'null', 'notNull'],
  enum: ['in', 'notIn', '=', '!=', 'null', 'notNull'],
  date: ['before', 'after', 'between', 'withinLastDays', 'null', 'notNull'],
  boolean: ['=', 'null', 'notNull'],
  tags: ['hasAny', 'hasAll', 'hasNone'],
};

/** Operators allowed for a fact type, as react-querybuilder operator objects. */
export function operatorsFor(type: FactType): OperatorDef[] {
  return OPS_BY_TYPE[type].map((name) => ({ name, value: name, label: OP_LABELS[name] ?? name }));
}

export function isOperatorAllowed(type: FactType, op: string): boolean {
  return OPS_BY_TYPE[type].includes(op);
}

export function operatorLabel(op: string): string {
  return OP_LABELS[op] ?? op;
}

const byNameCache = new WeakMap<Catalog, Map<string, FactField>>();

/** Looks a field up by name (cached per catalog array). */
export function fieldByName(catalog: Catalog, name: string): FactField | undefined {
  let map = byNameCache.get(catalog);
  if (!map) {
    map = new Map(catalog.map((c) => [c.name, c]));
    byNameCache.set(catalog, map);
  }
  return map.get(name);
}
