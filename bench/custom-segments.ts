/**
 * Twenty realistic custom segments for the bench (on top of the six defaults):
 * the kinds of rules a recovery team writes — plan and value bands, decline
 * types, card expiry, dunning age, regions, tags, custom attributes, nested
 * AND/OR/NOT. Values fit bench/synthetic-facts.ts so each splits the customers.
 */
export const CUSTOM_SEGMENTS: { name: string; rule: unknown }[] = [
  { name: 'Hard declines', rule: { combinator: 'and', rules: [{ field: 'last_decline_hard', operator: '=', value: true }] } },
  { name: 'Soft declines, paying', rule: { combinator: 'and', rules: [{ field: 'last_decline_hard', operator: '=', value: false }, { field: 'mrr', operator: '>', value: 0 }] } },
  { name: 'Card expiring in 30 days', rule: { combinator: 'and', rules: [{ field: 'card_expires_in_days', operator: 'between', value: [0, 30] }] } },
  { name: 'Card expired', rule: { combinator: 'and', rules: [{ field: 'card_expires_in_days', operator: '<', value: 0 }] } },
  { name: 'Past due, high value', rule: { combinator: 'and', rules: [{ field: 'subscription_status', operator: '=', value: 'past_due' }, { field: 'amount_at_risk', operator: '>=', value: 50000 }] } },
  { name: 'Early dunning', rule: { combinator: 'and', rules: [{ field: 'days_since_first_failure', operator: '<=', value: 7 }] } },
  { name: 'Late dunning', rule: { combinator: 'and', rules: [{ field: 'days_since_first_failure', operator: '>', value: 21 }] } },
  { name: 'EMEA enterprise', rule: { combinator: 'and', rules: [{ field: 'region', operator: '=', value: 'emea' }, { field: 'plan', operator: '=', value: 'Enterprise' }] } },
  { name: 'Americas', rule: { combinator: 'and', rules: [{ field: 'region', operator: 'in', value: ['na', 'latam'] }] } },
  { name: 'Fintech or health', rule: { combinator: 'and', rules: [{ field: 'industry', operator: 'in', value: ['fintech', 'health'] }, { field: 'failures_12m', operator: '>=', value: 1 }] } },
  { name: 'Managed accounts', rule: { combinator: 'and', rules: [{ field: 'account_manager', operator: 'notNull', value: null }] } },
  { name: 'Insufficient funds', rule: { combinator: 'and', rules: [{ field: 'last_decline_code', operator: '=', value: 'insufficient_funds' }] } },
  { name: 'Yearly payers', rule: { combinator: 'and', rules: [{ field: 'billing_interval', operator: '=', value: 'year' }, { field: 'mrr', operator: '>', value: 0 }] } },
  { name: 'Trials', rule: { combinator: 'and', rules: [{ field: 'subscription_status', operator: '=', value: 'trialing' }] } },
  { name: 'VIP tagged', rule: { combinator: 'and', rules: [{ field: 'tags', operator: 'hasAny', value: ['priority', 'partner'] }] } },
  { name: 'Churn risk', rule: { combinator: 'or', rules: [{ field: 'tags', operator: 'hasAny', value: ['churn-risk'] }, { field: 'failures_12m', operator: '>=', value: 3 }] } },
  { name: 'Many seats', rule: { combinator: 'and', rules: [{ field: 'attrs.seats', operator: '>=', value: 5 }] } },
  { name: 'Large companies', rule: { combinator: 'and', rules: [{ field: 'attrs.company_size', operator: '>', value: 1000 }] } },
  { name: 'High LTV, failing', rule: { combinator: 'and', rules: [{ field: 'ltv', operator: '>=', value: 500000 }, { field: 'failures_12m', operator: '>=', value: 1 }] } },
  {
    name: 'Nested: valuable, not NA/EMEA or failing',
    rule: {
      combinator: 'and',
      rules: [
        { field: 'mrr', operator: '>=', value: 19900 },
        { combinator: 'or', rules: [{ field: 'failures_12m', operator: '>=', value: 1 }, { combinator: 'and', not: true, rules: [{ field: 'region', operator: 'in', value: ['na', 'emea'] }] }] },
        { field: 'tenure_days', operator: '>', value: 180 },
      ],
    },
  },
];

/** Registers the attributes the synthetic facts carry (seats, company_size) so rules can use them. */
export const BENCH_ATTRIBUTES = [
  { key: 'seats', type: 'number' },
  { key: 'company_size', type: 'number' },
] as const;
