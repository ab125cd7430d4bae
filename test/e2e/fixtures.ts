import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ConsoleServer {
  url: string;
  origin: string;
  dataDir: string;
  /** Runs the real CLI against the same data folder. */
  cli(args: string[]): Promise<{ code: number | null; out: string }>;
}

/** The real `reclaim console`, on a fresh data folder, for each test. */
export const test = base.extend<{ server: ConsoleServer }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object
  server: async ({}, use) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-e2e-'));
    const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/reclaim.mjs'), '--data-dir', dataDir, '--json', 'console'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      const rl = readline.createInterface({ input: child.stdout! });
      rl.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`reclaim console exited early (${code})`)));
    });
    const { url } = JSON.parse(first) as { url: string };
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, [path.join(ROOT, 'bin/reclaim.mjs'), '--data-dir', dataDir, ...args], { cwd: ROOT });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', (code) => resolve({ code, out }));
      });
    await use({ url, origin: new URL(url).origin, dataDir, cli });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  },
});

export { expect } from '@playwright/test';
