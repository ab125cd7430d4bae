/**
 * The contract between the core and every shell (Electron IPC, browser-console
 * bridge, CLI). Each request has an input and an output schema; each event a
 * payload schema. `createCore` must provide a handler for every request here —
 * its type is derived from this object, so a missing handler is a compile error.
 */
import { z } from 'zod';
import { Currency, Empty, Mode, WorkspaceName, WorkspaceRef } from './base';
import { segmentRequests } from './segments';
import { recoveryRequests, RunSummary } from './recovery';
import { whitegloveRequests } from './whiteglove';
import { experimentRequests } from './experiments';
import { performanceRequests } from './performance';
import { reviewRequests } from './review';
import { exportRequests } from './exports';
import { operatorRequests } from './operators';

export * from './base';
export * from './segments';
export * from './strategies';
export * from './recovery';
export * from './whiteglove';

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

export const contract = {
  'app.info': {
    input: Empty,
    output: z.object({
      version: z.string(),
      shell: z.enum(['electron', 'console', 'cli', 'test']),
      dataDir: z.string(),
      secretsBackend: z.string(),
      // #10: how well the key is protected here, said plainly; and whether the data folder is read-only.
      secretsNote: z.string().nullable().default(null),
      readonly: z.boolean().default(false),
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
    input: z
      .object({
        customers: z.number().int().min(10).max(200_000).default(2000),
        seed: z.number().int().default(42),
        name: z.string().optional(),
        /** #19: replay ~95 days of recovery runs through the engine after the sync (false: the synced data only, faster). */
        history: z.boolean().default(true),
      })
      .strict(),
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
  ...segmentRequests,

  ...recoveryRequests,

  ...whitegloveRequests,

  // ── A/B experiments inside a segment (#20; schemas in shared/experiments.ts) ──
  ...experimentRequests,

  // ── Performance reporting (#19; schemas in shared/performance.ts) ──
  ...performanceRequests,

  // ── Exports (#19; schemas in shared/exports.ts) ──
  ...exportRequests,

  // ── Offline review (#19; schemas in shared/review.ts) ──
  ...reviewRequests,

  // ── Operators, roles, who did what (#23; schemas in shared/operators.ts) ──
  ...operatorRequests,
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
  // ── Strategies and runs (#12) ──
  'runs.progress': z.object({ workspaceId: z.string(), run: RunSummary }),
  'runs.changed': z.object({ workspaceId: z.string(), runId: z.string().nullable() }),
  'strategies.changed': z.object({ workspaceId: z.string(), segmentId: z.string().nullable() }),
  'outbox.changed': z.object({ workspaceId: z.string() }),
  // ── Membership recompute progress (#11) ──
  /** A full membership recompute in slices: `done` of `total` customers (done = total when finished). */
  'segments.recompute': z.object({ workspaceId: z.string(), done: z.number().int(), total: z.number().int() }),
  // ── White-glove outreach (#13) ──
  'queue.changed': z.object({ workspaceId: z.string(), taskId: z.string().nullable() }),
  // ── The demo's history (#19) ──
  /** Replaying the demo history: simulated `day` of `days`, with a line to show ("Building the demo history: day 40 of 95…"). */
  'demo.progress': z.object({ workspaceId: z.string(), day: z.number().int(), days: z.number().int(), message: z.string() }),
  // ── Upgrading a workspace file on open (#22, migration 21) ──
  /** A long upgrade: `done` of `total` for its current `step`, with the line to show ("Upgrading the workspace: shrinking stored Stripe data (n of N)"). */
  'workspaces.upgrade': z.object({ workspaceId: z.string(), step: z.string(), done: z.number().int(), total: z.number().int(), message: z.string() }),
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
