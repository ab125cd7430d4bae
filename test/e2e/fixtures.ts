import { test as base } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
async function startConsole(dataDir: string, use: (s: ConsoleServer) => Promise<void>): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/reclaim.mjs'), '--data-dir', dataDir, '--json', 'console', '--no-demo'], {
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
}

/** A small demo workspace, built once per worker with the real CLI (generator → local Stripe server → sync). */
let demoTemplate: string | null = null;
function demoDataDir(): string {
  if (!demoTemplate) {
    demoTemplate = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-e2e-demo-'));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/reclaim.mjs'), '--data-dir', demoTemplate, 'demo', '--customers', '300', '--seed', '7', '--no-history'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`reclaim demo failed: ${r.stderr}`);
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-e2e-'));
  fs.cpSync(demoTemplate, copy, { recursive: true });
  return copy;
}

export const test = base.extend<{ server: ConsoleServer; demo: ConsoleServer }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object
  server: async ({}, use) => startConsole(fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-e2e-')), use),
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object
  demo: async ({}, use) => startConsole(demoDataDir(), use),
});

export { expect } from '@playwright/test';
