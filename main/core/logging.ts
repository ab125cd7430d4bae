import pino from 'pino';
import type { Logger } from './ports';

/** Anything shaped like a Stripe API key or a bearer token. */
const SECRET_PATTERN = /\b((?:rk|sk|pk)_(?:live|test)_)[A-Za-z0-9]{4,}/g;

/** Replaces key-shaped strings with their prefix and a mask, e.g. rk_live_[redacted]. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_PATTERN, '$1[redacted]');
}

/**
 * pino logger for the Node shells and the Electron main process. Every line is
 * passed through redactSecrets before it is written, whatever field holds it.
 */
export function createLogger(opts: { level?: string; destination?: string | number } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.RECLAIM_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: ['key', '*.key', 'apiKey', '*.apiKey', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
      hooks: { streamWrite: redactSecrets },
    },
    pino.destination({ dest: opts.destination ?? 2, sync: true, mkdir: true }),
  );
}
