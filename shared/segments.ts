/** Customers, facts, custom attributes and segments: schemas and requests (part of the contract in ./contract.ts). */
import { z } from 'zod';
import { WorkspaceRef } from './base';

/**
 * One customer's derived facts. Keys are the facts catalog's field names (the
 * names `reclaim fields` lists and segment rules use), so a row read from any
 * machine output can be turned into a rule as it is. Money: integer minor units
 * in the workspace currency. Two keys are not facts: `attrs` (custom attributes;
 * rules address them as `attrs.<key>`) and `segment` (the winning segment).
 */
export const CustomerFacts = z.object({
  customer_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  currency: z.string().nullable(),
  plan: z.string().nullable(),
  product_id: z.string().nullable(),
  billing_interval: z.string().nullable(),
  subscription_status: z.string().nullable(),
  mrr: z.number().int(),
  tenure_days: z.number().int(),
  ltv: z.number().int(),
  failures_12m: z.number().int(),
  /** Failure episodes: distinct invoices with a failed payment in 12 months (failures_12m counts attempts). */
  failed_invoices_12m: z.number().int().default(0),
  last_decline_code: z.string().nullable(),
  last_decline_hard: z.boolean().nullable(),
  /** Stripe's outcome.advice_code on the last failed payment (do_not_try_again, try_again_later, confirm_card_data). */
  last_advice_code: z.string().nullable().default(null),
  card_expiry: z.string().nullable(),
  card_expires_in_days: z.number().int().nullable(),
  open_past_due_count: z.number().int(),
  amount_at_risk: z.number().int(),
  days_since_first_failure: z.number().int().nullable(),
  region: z.string().nullable(),
  industry: z.string().nullable(),
  account_manager: z.string().nullable(),
  tags: z.array(z.string()),
  /** The Stripe customer's address country (ISO 3166-1 alpha-2) and state; null without an address. */
  country: z.string().nullable().default(null),
  state: z.string().nullable().default(null),
  /** The Stripe customer's preferred locales, in order of preference. */
  preferred_locales: z.array(z.string()).default([]),
  /** Stripe's tax_exempt: none, exempt or reverse. */
  tax_exempt: z.string().nullable().default(null),
  attrs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  created: z.number().int(),
  /** Winning segment (null: Default strategy). */
  segment: z.object({ id: z.string(), name: z.string(), color: z.string() }).nullable(),
});
export type CustomerFacts = z.infer<typeof CustomerFacts>;

/** Keys of a customer row that are not catalog facts (see CustomerFacts). */
export const CUSTOMER_ROW_NON_FACTS = ['attrs', 'segment'] as const;

/** Facts the customers list sorts by (catalog names). */
export const SORTABLE = ['mrr', 'amount_at_risk', 'tenure_days', 'ltv', 'failures_12m', 'email', 'name', 'created', 'days_since_first_failure'] as const;

export const FactField = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(['money', 'number', 'days', 'string', 'enum', 'boolean', 'tags', 'date']),
  unit: z.string().optional(),
  description: z.string().optional(),
  values: z.array(z.string()).optional(),
  source: z.enum(['fact', 'metadata', 'csv']),
  operators: z.array(z.object({ name: z.string(), label: z.string() })),
});
export type FactField = z.infer<typeof FactField>;

/** react-querybuilder RuleGroupType JSON; validated against the catalog on the main side. */
export const RuleJson = z.record(z.string(), z.unknown());


export const Segment = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  color: z.string(),
  rule: RuleJson,
  priority: z.number().int(),
  isDefault: z.boolean(),
  archived: z.boolean(),
  stats: z.object({ members: z.number().int(), mrr: z.number().int(), openInvoices: z.number().int(), amountAtRisk: z.number().int(), wins: z.number().int() }),
});
export type Segment = z.infer<typeof Segment>;

const SegmentInput = z.object({
  name: z.string().trim().min(1, 'Name is required').max(80),
  description: z.string().max(500).default(''),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Colour is a hex value such as #4c6ef5').default('#4c6ef5'),
  rule: RuleJson,
});

export const Preview = z.object({
  count: z.number().int(),
  mrr: z.number().int(),
  amountAtRisk: z.number().int(),
  sample: z.array(z.object({ customer_id: z.string(), email: z.string().nullable(), name: z.string().nullable(), mrr: z.number().int(), plan: z.string().nullable() })),
  tookMs: z.number(),
  /** A valid rule that probably is not what was meant, e.g. an enum value no customer has (`country = XX`). */
  warnings: z.array(z.string()).default([]),
});

export const Explanation: z.ZodType<{ path: string; matched: boolean; description: string; children?: unknown[] }> = z.lazy(() =>
  z.object({ path: z.string(), matched: z.boolean(), description: z.string(), children: z.array(Explanation).optional() }),
);

export const Membership = z.object({
  customer_id: z.string(),
  segments: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), priority: z.number().int(), matched: z.boolean(), explanation: Explanation })),
  winner: z.object({ id: z.string(), name: z.string() }).nullable(),
  why: z.string(),
});
export type Membership = z.infer<typeof Membership>;


/** Workspace MRR settings. Stripe's default counts only `forever` coupons. */
export const MrrSettings = z.object({
  /** true: active `once` / `repeating` coupons reduce MRR too (Stripe's default: false). */
  includeFiniteCoupons: z.boolean(),
  /** "How MRR is computed", one rule per line. */
  rules: z.array(z.string()),
});
export type MrrSettings = z.infer<typeof MrrSettings>;

export const segmentRequests = {
  'customers.list': {
    input: WorkspaceRef.extend({
      search: z.string().max(200).optional(),
      segmentId: z.string().optional(),
      sort: z.enum(SORTABLE).default('amount_at_risk'),
      dir: z.enum(['asc', 'desc']).default('desc'),
      /** Rows to skip: reads and discards them, so far-in pages are slower (the CLI's --offset). */
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
      /** The `next` of the previous page (same sort): the page after it, by index at any depth (offset is ignored). */
      after: z.string().max(2000).optional(),
    }).strict(),
    /** next: the cursor of the page after this one (null on the last page). */
    output: z.object({ total: z.number().int(), rows: z.array(CustomerFacts), next: z.string().nullable() }),
  },
  'customers.get': {
    input: WorkspaceRef.extend({ customerId: z.string().min(1) }).strict(),
    output: z.object({
      facts: CustomerFacts,
      stripeUrl: z.string(),
      subscriptions: z.array(z.object({ id: z.string(), status: z.string(), plan: z.string().nullable(), mrr: z.number().int(), currency: z.string(), created: z.number().int(), url: z.string() })),
      invoices: z.array(z.object({ id: z.string(), status: z.string(), amountDue: z.number().int(), amountRemaining: z.number().int(), currency: z.string(), attemptCount: z.number().int(), nextPaymentAttempt: z.number().int().nullable(), created: z.number().int(), hostedInvoiceUrl: z.string().nullable(), url: z.string() })),
      charges: z.array(z.object({ id: z.string(), status: z.string(), amount: z.number().int(), amountRefunded: z.number().int(), currency: z.string(), failureCode: z.string().nullable(), declineCode: z.string().nullable(), adviceCode: z.string().nullable().default(null), hard: z.boolean().nullable(), created: z.number().int(), url: z.string() })),
    }),
  },
  'facts.catalog': {
    input: WorkspaceRef.strict(),
    output: z.array(FactField),
  },
  'attributes.previewCsv': {
    input: WorkspaceRef.extend({ csv: z.string().max(50_000_000), match: z.enum(['id', 'email']).default('id') }).strict(),
    output: z.object({
      columns: z.array(z.object({ key: z.string(), type: z.enum(['number', 'string', 'boolean']) })),
      rows: z.number().int(),
      matched: z.number().int(),
      errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
      // #10: existing attributes whose type the import would change, and the segments using them.
      typeChanges: z.array(z.object({ key: z.string(), from: z.string(), to: z.string(), segments: z.array(z.string()) })).default([]),
    }),
  },
  'attributes.importCsv': {
    input: WorkspaceRef.extend({
      csv: z.string().max(50_000_000),
      match: z.enum(['id', 'email']).default('id'),
      // #10: an import that changes an attribute's type is refused unless confirmed.
      allowTypeChange: z.boolean().default(false),
    }).strict(),
    output: z.object({ imported: z.number().int(), columns: z.array(z.string()) }),
  },
  'segments.list': {
    input: WorkspaceRef.extend({ includeArchived: z.boolean().default(false) }).strict(),
    output: z.object({ segments: z.array(Segment), overlap: z.array(z.array(z.number().int())), defaultWins: z.number().int(), total: z.number().int() }),
  },
  /** `warnings`: as in segments.preview (the segment is saved all the same). */
  'segments.create': { input: WorkspaceRef.extend(SegmentInput.shape).strict(), output: Segment.extend({ warnings: z.array(z.string()).default([]) }) },
  'segments.update': {
    input: WorkspaceRef.extend({ id: z.string(), ...SegmentInput.partial().shape }).strict(),
    output: Segment.extend({ warnings: z.array(z.string()).default([]) }),
  },
  'segments.duplicate': { input: WorkspaceRef.extend({ id: z.string() }).strict(), output: Segment },
  'segments.archive': { input: WorkspaceRef.extend({ id: z.string(), archived: z.boolean().default(true) }).strict(), output: Segment },
  'segments.remove': { input: WorkspaceRef.extend({ id: z.string() }).strict(), output: z.object({ removed: z.literal(true), id: z.string() }) },
  'segments.reorder': { input: WorkspaceRef.extend({ ids: z.array(z.string()).min(1) }).strict(), output: z.array(Segment) },
  'segments.preview': { input: WorkspaceRef.extend({ rule: RuleJson }).strict(), output: Preview },
  'segments.evaluate': {
    input: WorkspaceRef.extend({ rule: RuleJson, limit: z.number().int().min(0).max(1_000_000).default(100_000) }).strict(),
    output: z.object({ count: z.number().int(), mrr: z.number().int(), amountAtRisk: z.number().int(), ids: z.array(z.string()), warnings: z.array(z.string()).default([]) }),
  },
  'segments.membership': { input: WorkspaceRef.extend({ customerId: z.string() }).strict(), output: Membership },
  'segments.export': { input: WorkspaceRef.strict(), output: z.object({ json: z.string() }) },
  'segments.import': { input: WorkspaceRef.extend({ json: z.string().max(5_000_000) }).strict(), output: z.object({ imported: z.number().int() }) },

  // ── Facts: MRR settings (#9) ──
  /** How MRR is computed in this workspace: the setting and the rules, as shown to users. */
  'facts.mrrSettings': { input: WorkspaceRef.strict(), output: MrrSettings },
  /** Change whether once/repeating coupons reduce MRR; facts and segment membership are recomputed. */
  'facts.setMrrSettings': { input: WorkspaceRef.extend({ includeFiniteCoupons: z.boolean() }).strict(), output: MrrSettings },

} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;
