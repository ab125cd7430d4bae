import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BIN = path.join(ROOT, 'bin/reclaim.mjs');
export const OP_CHILD = path.join(ROOT, 'test/harness/children/op-child.ts');

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface Running {
  child: ChildProcess;
  /** Resolves when the child has printed this line (or exited: then false). */
  waitFor(line: string): Promise<boolean>;
  done: Promise<Done>;
}

export function run(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; node?: string[] } = {}): Running {
  const child = spawn(process.execPath, [...(opts.node ?? []), ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { line: string; resolve: (v: boolean) => void }[] = [];
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of [...waiters]) {
      if (!out.split('\n').includes(w.line)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(true);
    }
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin!.end(opts.input ?? '');
  const done = new Promise<Done>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(false);
      resolve({ code, signal, out, err });
    }),
  );
  return {
    child,
    done,
    waitFor: (line) => (out.split('\n').includes(line) ? Promise.resolve(true) : child.exitCode !== null ? Promise.resolve(false) : new Promise((resolve) => waiters.push({ line, resolve }))),
  };
}

/** `reclaim …` as a user runs it. */
export const cli = (dataDir: string, args: string[], opts: { input?: string } = {}) => run([BIN, '--data-dir', dataDir, ...args], opts);

/** The op child (tsx) for crash trials. */
export const opChild = (dataDir: string, workspaceId: string, op: string, arg?: string, env?: NodeJS.ProcessEnv) =>
  run([OP_CHILD, dataDir, workspaceId, op, ...(arg !== undefined ? [arg] : [])], { node: ['--import', 'tsx'], ...(env ? { env } : {}) });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
