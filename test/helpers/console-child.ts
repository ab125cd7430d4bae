import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { tempDir } from './core';

export const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');

export interface ConsoleChild {
  child: ChildProcess;
  port: number;
  token: string;
  exited: () => boolean;
  stop: () => Promise<void>;
}

/** A minimal built console (the page and one asset) so the bridge serves static files without a vite build. */
export function fakeRenderer(): string {
  const dir = tempDir('reclaim-renderer-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Reclaim</title>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  return dir;
}

/** `reclaim console` in its own process, the way a user starts it. */
export async function startConsoleChild(dataDir: string, rendererDir = fakeRenderer()): Promise<ConsoleChild> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, '--json', 'console', '--no-demo'], {
    env: { ...process.env, RECLAIM_RENDERER_DIR: rendererDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`console exited (${code}): ${stderr}`)));
  });
  const info = JSON.parse(first) as { port: number; token: string };
  return {
    child,
    port: info.port,
    token: info.token,
    exited: () => exited,
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Raw HTTP (any path bytes, any headers); resolves even when the server drops the connection. */
export function rawRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: { Host: `127.0.0.1:${port}`, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', () => resolve({ status: -1, text: '', headers: {} }));
    });
    req.on('error', () => resolve({ status: -1, text: '', headers: {} }));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Calls one contract method over the bridge. */
export async function api(c: ConsoleChild, method: string, input: unknown): Promise<{ status: number; body: { ok: boolean; value?: unknown; error?: { code: string; message: string } } | null }> {
  const r = await rawRequest(c.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' },
    body: typeof input === 'string' ? input : JSON.stringify(input),
  });
  let body = null;
  try {
    body = JSON.parse(r.text) as never;
  } catch {
    body = null;
  }
  return { status: r.status, body };
}
