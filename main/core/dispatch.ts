import type { z } from 'zod';
import { contract, isMethod, type Envelope, type Method } from '../../shared/contract';
import type { Core } from './api';
import { UserError } from './errors';
import { requestProblem } from './issue-words';
import type { Logger } from './ports';

export function formatIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
}

/**
 * The single entry point every transport uses: looks the method up in the
 * contract, validates the input, runs the handler, and wraps the result (or a
 * user-facing error) in an envelope. Unexpected errors are logged and reported
 * without internals.
 */
export async function dispatch(core: Core, method: string, rawInput: unknown, logger: Logger): Promise<Envelope<unknown>> {
  if (!isMethod(method)) {
    return { ok: false, error: { code: 'not_found', message: `Unknown request "${method.slice(0, 80)}"` } };
  }
  const spec = contract[method];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    return {
      ok: false,
      // #21: the message a person reads names places and fields in words; `issues` keeps the paths for programs.
      error: { code: 'bad_request', message: requestProblem(method, parsed.error.issues, rawInput ?? {}), issues },
    };
  }
  try {
    const handler = core.handlers[method] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value: (spec.output as z.ZodType).parse(value) };
  } catch (err) {
    if (err instanceof UserError) {
      return { ok: false, error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } };
    }
    const known = storageProblem(err, core);
    if (known) {
      logger.warn({ method, err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'request refused by storage');
      return { ok: false, error: { code: 'unavailable', message: known } };
    }
    logger.error({ method, err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'request failed');
    return { ok: false, error: { code: 'internal', message: `Reclaim could not complete "${method as Method}". The details are in the log.` } };
  }
}

/**
 * Storage failures the user can act on, said plainly (nothing of the request
 * was saved: SQLite rolls the transaction back).
 */
export function storageProblem(err: unknown, core: Pick<Core, 'registry'>): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return core.registry.readonly ? core.registry.readonlyMessage() : `The data folder ${core.registry.dataDir} cannot be written (read-only); nothing was saved.`;
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE') {
    return `The disk holding ${core.registry.dataDir} is full; nothing was saved. Free some space and try again.`;
  }
  if (code.startsWith('SQLITE_BUSY')) {
    return 'The workspace is busy in another Reclaim process (a long write); nothing was saved. Try again in a moment.';
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return 'The workspace file is damaged (not a readable SQLite database); restore it from a backup.';
  }
  return null;
}
