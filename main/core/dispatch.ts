import type { z } from 'zod';
import { contract, isMethod, type Envelope, type Method } from '../../shared/contract';
import type { Core } from './api';
import { UserError } from './errors';
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
      error: { code: 'bad_request', message: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues },
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
    logger.error({ method, err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'request failed');
    return { ok: false, error: { code: 'internal', message: `Reclaim could not complete "${method as Method}". The details are in the log.` } };
  }
}
