import { spawn } from 'node:child_process';
import path from 'node:path';

/** The `reclaim` command as a user runs it (bin/reclaim.mjs: the build, or the sources through tsx). */
export const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * Runs `reclaim --data-dir DIR …args` as a child process without blocking this
 * process (a local Stripe server or SMTP server in the test keeps answering).
 * `input` is written to its standard input, then it is closed.
 */
export function runReclaim(dir: string, args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** runReclaim, throwing with its stderr when it does not exit 0; resolves to its stdout. */
export async function reclaimOk(dir: string, args: string[], input = ''): Promise<string> {
  const r = await runReclaim(dir, args, input);
  if (r.code !== 0) throw new Error(`reclaim ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}
