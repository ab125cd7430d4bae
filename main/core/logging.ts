import path from 'node:path';
import pino from 'pino';
import { secureDir, secureFile } from './db/files';
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
  if (typeof opts.destination === 'string') {
    // The log names customers and workspaces: 0600 in a 0700 folder, existing files tightened too.
    secureDir(path.dirname(opts.destination));
    const file = pino.destination({ dest: opts.destination, sync: true, mkdir: true, mode: 0o600 });
    secureFile(opts.destination);
    // A full disk (or a folder turned read-only) must not turn a log line into a failed request.
    const dest = {
      write(line: string) {
        try {
          file.write(line);
        } catch {
          /* the line is lost; the request goes on */
        }
      },
    } as unknown as pino.DestinationStream;
    return build(opts.level, dest);
  }
  return build(opts.level, pino.destination({ dest: opts.destination ?? 2, sync: true }));
}

function build(level: string | undefined, dest: pino.DestinationStream): Logger {
  return pino(
    {
      level: level ?? process.env.RECLAIM_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: ['key', '*.key', 'apiKey', '*.apiKey', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' },
      hooks: { streamWrite: redactSecrets },
    },
    dest,
  );
}
