import { spawn } from 'node:child_process';
import fs from 'node:fs';
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

/**
 * Resolves once the process has opened its standard input for reading as a
 * stream: Node then marks fd 0 non-blocking (O_NONBLOCK, 04000, in
 * /proc/PID/fdinfo/0). Reclaim does that when it starts, before it reads a
 * `-` option; where /proc is missing, it resolves at once.
 */
async function stdinOpened(pid: number): Promise<void> {
  for (;;) {
    let info: string;
    try {
      info = fs.readFileSync(`/proc/${pid}/fdinfo/0`, 'utf8');
    } catch {
      return;
    }
    const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1];
    if (!flags || (parseInt(flags, 8) & 0o4000) !== 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `reclaim …` whose input comes late: this process writes `input` to the CLI's
 * standard input only after the CLI has started and set up its input, and
 * `pauseMs` more (a slow producer, like `(sleep 0.5; cat key) | reclaim …`).
 */
export async function runReclaimLateInput(dir: string, args: string[], input: string, pauseMs = 500): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  child.stdin.on('error', () => {});
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
  if (child.pid !== undefined) await stdinOpened(child.pid);
  await new Promise((r) => setTimeout(r, pauseMs));
  child.stdin.end(input);
  return done;
}

/** runReclaim, throwing with its stderr when it does not exit 0; resolves to its stdout. */
export async function reclaimOk(dir: string, args: string[], input = ''): Promise<string> {
  const r = await runReclaim(dir, args, input);
  if (r.code !== 0) throw new Error(`reclaim ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out;
}

/**
 * `(sleep S; cat FILE) | reclaim --data-dir DIR …args` through /bin/sh: another
 * process writes `text` into a real pipe to the CLI's standard input, after a
 * pause (a slow producer) and in one stream of any size.
 */
export function runReclaimFromWriter(dir: string, args: string[], text: string, delaySeconds: number): Promise<CliResult> {
  const file = path.join(dir, `stdin-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  fs.writeFileSync(file, text);
  const script = 'd=$1 f=$2 n=$3 b=$4 r=$5; shift 5; (sleep "$d"; cat "$f") | "$n" "$b" --data-dir "$r" "$@"';
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script, 'sh', String(delaySeconds), file, process.execPath, BIN, dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      fs.rmSync(file, { force: true });
      resolve({ code, signal, out, err });
    });
  });
}

/**
 * `reclaim … | head -c N`: reads `bytes` of the CLI's output, then closes the
 * pipe's read end while the CLI is still writing. With 0 (`reclaim … | true`)
 * the read end is closed before the CLI writes anything.
 */
export function runReclaimClosedEarly(dir: string, args: string[], bytes: number): Promise<CliResult & { read: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let read = '';
    let err = '';
    if (bytes === 0) child.stdout.destroy();
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      read += s;
      if (read.length >= bytes) {
        read = read.slice(0, bytes);
        child.stdout.destroy();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out: read, read, err }));
  });
}
