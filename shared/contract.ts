/**
 * The contract between the core and every shell (Electron IPC, browser-console
 * bridge, CLI). Each request has an input and an output schema; each event a
 * payload schema. `createCore` must provide a handler for every request here —
 * its type is derived from this object, so a missing handler is a compile error.
 */
import { z } from 'zod';

export const Mode = z.enum(['test', 'live']);
export type Mode = z.infer<typeof Mode>;

export const WorkspaceKind = z.enum(['stripe', 'demo']);

/** What the UI may know about the Stripe key: never the key itself. */
export const KeyInfo = z.object({
  configured: z.boolean(),
  mode: Mode,
  /** e.g. "rk_live_…a1b2" */
  masked: z.string(),
  last4: z.string(),
});

export const Workspace = z.object({
  id: z.string(),
  name: z.string(),
  kind: WorkspaceKind,
  mode: Mode,
  stripeAccountId: z.string().nullable(),
  currency: z.string(),
  key: KeyInfo.nullable(),
  createdAt: z.number().int(),
  lastSyncAt: z.number().int().nullable(),
});
export type Workspace = z.infer<typeof Workspace>;

const WorkspaceName = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(80, 'Name is at most 80 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'Name must not contain control characters');

const Currency = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}$/, 'Currency is a three-letter ISO code such as usd');

const Empty = z.object({}).strict();
const WorkspaceRef = z.object({ workspaceId: z.string().min(1) });

/** One customer's derived facts. Money: integer minor units in the workspace currency. */
export const CustomerFacts = z.object({
  customerId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  currency: z.string().nullable(),
  plan: z.string().nullable(),
  billingInterval: z.string().nullable(),
  subscriptionStatus: z.string().nullable(),
  mrr: z.number().int(),
  tenureDays: z.number().int(),
  ltv: z.number().int(),
  failures12m: z.number().int(),
  lastDeclineCode: z.string().nullable(),
  lastDeclineHard: z.boolean().nullable(),
  cardExpiry: z.string().nullable(),
  cardExpiresInDays: z.number().int().nullable(),
  openPastDueCount: z.number().int(),
  amountAtRisk: z.number().int(),
  daysSinceFirstFailure: z.number().int().nullable(),
  region: z.string().nullable(),
  industry: z.string().nullable(),
  accountManager: z.string().nullable(),
  tags: z.array(z.string()),
  attrs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  created: z.number().int(),
  /** Winning segment (null: Default strategy). */
  segment: z.object({ id: z.string(), name: z.string(), color: z.string() }).nullable(),
});
export type CustomerFacts = z.infer<typeof CustomerFacts>;

export const SORTABLE = ['mrr', 'amountAtRisk', 'tenureDays', 'ltv', 'failures12m', 'email', 'name', 'created', 'daysSinceFirstFailure'] as const;

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

export const SyncProgress = z.object({
  workspaceId: z.string(),
  phase: z.enum(['starting', 'backfill', 'events', 'facts', 'done', 'canceled', 'failed']),
  resource: z.string().nullable(),
  synced: z.number().int(),
  total: z.number().int().nullable(),
  ratePerSec: z.number(),
  etaSec: z.number().nullable(),
  message: z.string().nullable(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

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
  sample: z.array(z.object({ customerId: z.string(), email: z.string().nullable(), name: z.string().nullable(), mrr: z.number().int(), plan: z.string().nullable() })),
  tookMs: z.number(),
});

export const Explanation: z.ZodType<{ path: string; matched: boolean; description: string; children?: unknown[] }> = z.lazy(() =>
  z.object({ path: z.string(), matched: z.boolean(), description: z.string(), children: z.array(Explanation).optional() }),
);

export const Membership = z.object({
  customerId: z.string(),
  segments: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), priority: z.number().int(), matched: z.boolean(), explanation: Explanation })),
  winner: z.object({ id: z.string(), name: z.string() }).nullable(),
  why: z.string(),
});
export type Membership = z.infer<typeof Membership>;


export const contract = {
  'app.info': {
    input: Empty,
    output: z.object({
      version: z.string(),
      shell: z.enum(['electron', 'console', 'cli', 'test']),
      dataDir: z.string(),
      secretsBackend: z.string(),
    }),
  },
  'workspaces.list': {
    input: Empty,
    output: z.array(Workspace),
  },
  'workspaces.create': {
    input: z
      .object({
        name: WorkspaceName,
        mode: Mode.default('test'),
        currency: Currency.default('usd'),
      })
      .strict(),
    output: Workspace,
  },
  'workspaces.rename': {
    input: z.object({ id: z.string().min(1), name: WorkspaceName }).strict(),
    output: Workspace,
  },
  'workspaces.remove': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ removed: z.literal(true), id: z.string() }),
  },
  'workspaces.connect': {
    input: z
      .object({
        key: z.string().trim().min(1, 'Paste a restricted key (rk_live_… or rk_test_…)').max(300),
        /** Stripe API base; only for the local Stripe server in tests and demos. */
        apiBase: z.string().url().optional(),
        name: WorkspaceName.optional(),
        workspaceId: z.string().optional(),
      })
      .strict(),
    output: z.object({ workspace: Workspace, warning: z.string().nullable() }),
  },
  'workspaces.disconnect': {
    input: WorkspaceRef.strict(),
    output: Workspace,
  },
  'demo.create': {
    input: z.object({ customers: z.number().int().min(10).max(200_000).default(2000), seed: z.number().int().default(42), name: z.string().optional() }).strict(),
    output: Workspace,
  },
  'sync.start': {
    input: WorkspaceRef.strict(),
    output: z.object({ started: z.boolean(), message: z.string() }),
  },
  'sync.cancel': {
    input: WorkspaceRef.strict(),
    output: z.object({ canceled: z.boolean() }),
  },
  'sync.status': {
    input: WorkspaceRef.strict(),
    output: z.object({ running: z.boolean(), last: SyncProgress.nullable(), lastSyncAt: z.number().int().nullable(), customers: z.number().int() }),
  },
  'customers.list': {
    input: WorkspaceRef.extend({
      search: z.string().max(200).optional(),
      segmentId: z.string().optional(),
      sort: z.enum(SORTABLE).default('amountAtRisk'),
      dir: z.enum(['asc', 'desc']).default('desc'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(100),
    }).strict(),
    output: z.object({ total: z.number().int(), rows: z.array(CustomerFacts) }),
  },
  'customers.get': {
    input: WorkspaceRef.extend({ customerId: z.string().min(1) }).strict(),
    output: z.object({
      facts: CustomerFacts,
      stripeUrl: z.string(),
      subscriptions: z.array(z.object({ id: z.string(), status: z.string(), plan: z.string().nullable(), mrr: z.number().int(), currency: z.string(), created: z.number().int(), url: z.string() })),
      invoices: z.array(z.object({ id: z.string(), status: z.string(), amountDue: z.number().int(), amountRemaining: z.number().int(), currency: z.string(), attemptCount: z.number().int(), nextPaymentAttempt: z.number().int().nullable(), created: z.number().int(), hostedInvoiceUrl: z.string().nullable(), url: z.string() })),
      charges: z.array(z.object({ id: z.string(), status: z.string(), amount: z.number().int(), amountRefunded: z.number().int(), currency: z.string(), failureCode: z.string().nullable(), declineCode: z.string().nullable(), hard: z.boolean().nullable(), created: z.number().int(), url: z.string() })),
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
    }),
  },
  'attributes.importCsv': {
    input: WorkspaceRef.extend({ csv: z.string().max(50_000_000), match: z.enum(['id', 'email']).default('id') }).strict(),
    output: z.object({ imported: z.number().int(), columns: z.array(z.string()) }),
  },
  'segments.list': {
    input: WorkspaceRef.extend({ includeArchived: z.boolean().default(false) }).strict(),
    output: z.object({ segments: z.array(Segment), overlap: z.array(z.array(z.number().int())), defaultWins: z.number().int(), total: z.number().int() }),
  },
  'segments.create': { input: WorkspaceRef.extend(SegmentInput.shape).strict(), output: Segment },
  'segments.update': {
    input: WorkspaceRef.extend({ id: z.string(), ...SegmentInput.partial().shape }).strict(),
    output: Segment,
  },
  'segments.duplicate': { input: WorkspaceRef.extend({ id: z.string() }).strict(), output: Segment },
  'segments.archive': { input: WorkspaceRef.extend({ id: z.string(), archived: z.boolean().default(true) }).strict(), output: Segment },
  'segments.remove': { input: WorkspaceRef.extend({ id: z.string() }).strict(), output: z.object({ removed: z.literal(true), id: z.string() }) },
  'segments.reorder': { input: WorkspaceRef.extend({ ids: z.array(z.string()).min(1) }).strict(), output: z.array(Segment) },
  'segments.preview': { input: WorkspaceRef.extend({ rule: RuleJson }).strict(), output: Preview },
  'segments.evaluate': {
    input: WorkspaceRef.extend({ rule: RuleJson, limit: z.number().int().min(0).max(1_000_000).default(100_000) }).strict(),
    output: z.object({ count: z.number().int(), mrr: z.number().int(), amountAtRisk: z.number().int(), ids: z.array(z.string()) }),
  },
  'segments.membership': { input: WorkspaceRef.extend({ customerId: z.string() }).strict(), output: Membership },
  'segments.export': { input: WorkspaceRef.strict(), output: z.object({ json: z.string() }) },
  'segments.import': { input: WorkspaceRef.extend({ json: z.string().max(5_000_000) }).strict(), output: z.object({ imported: z.number().int() }) },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export type Contract = typeof contract;
export type Method = keyof Contract;
/** What a caller sends (defaults not yet applied). */
export type Input<M extends Method> = z.input<Contract[M]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

export const events = {
  'workspaces.changed': z.object({ ids: z.array(z.string()) }),
  'sync.progress': SyncProgress,
  'segments.changed': z.object({ workspaceId: z.string() }),
  // ── Membership recompute progress (#11) ──
  /** A full membership recompute in slices: `done` of `total` customers (done = total when finished). */
  'segments.recompute': z.object({ workspaceId: z.string(), done: z.number().int(), total: z.number().int() }),
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methods = Object.keys(contract) as Method[];
export const isMethod = (name: string): name is Method => Object.prototype.hasOwnProperty.call(contract, name);

/** One reply envelope for every transport. */
export type ErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'unavailable' | 'internal';
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Field-level problems for bad_request, e.g. [{ path: 'name', message: 'Name is required' }] */
  issues?: { path: string; message: string }[];
}
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** The object every renderer gets, whatever the transport. */
export interface ReclaimClient {
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  readonly transport: 'ipc' | 'http';
}

export class ClientError extends Error {
  readonly code: ErrorCode;
  readonly issues: { path: string; message: string }[] | undefined;
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'ClientError';
    this.code = body.code;
    this.issues = body.issues;
  }
}

/** Turns an envelope into a value or a thrown ClientError. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new ClientError(envelope.error);
}
