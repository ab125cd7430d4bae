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
