import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBridge, type Bridge } from '../../main/bridge/server';
import type { Core } from '../../main/core/api';
import { testCore, tempDir } from '../helpers/core';

/** Raw HTTP so Host and Origin can be set to anything (fetch forbids that). */
function request(
  bridge: Bridge,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; json: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: bridge.port, method: opts.method ?? 'POST', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, json, text });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('browser-console bridge', () => {
  let core: Core;
  let bridge: Bridge;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const staticDir = tempDir();
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Reclaim</title>');
    fs.mkdirSync(path.join(staticDir, 'assets'));
    fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    core = testCore();
    bridge = await startBridge({ core, staticDir });
    auth = { Authorization: `Bearer ${bridge.token}`, 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await bridge.close();
    core.close();
  });

  it('listens on 127.0.0.1 only, with a random port and a long token', () => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.port).toBeGreaterThan(0);
    expect(bridge.token.length).toBeGreaterThanOrEqual(32);
    expect(bridge.url).toBe(`${bridge.origin}/?token=${bridge.token}`);
  });

  it('answers a valid request with the token', async () => {
    const res = await request(bridge, { path: '/api/workspaces.create', headers: auth, body: JSON.stringify({ name: 'Bridge WS' }) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, value: { name: 'Bridge WS', mode: 'test' } });
  });

  it('refuses a missing or wrong token', async () => {
    const missing = await request(bridge, { path: '/api/workspaces.list', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await request(bridge, { path: '/api/workspaces.list', headers: { ...auth, Authorization: `Bearer ${bridge.token.slice(1)}x` }, body: '{}' });
    expect(wrong.status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding), even with the token', async () => {
    const res = await request(bridge, { path: '/api/workspaces.list', headers: { ...auth, Host: `evil.example:${bridge.port}` }, body: '{}' });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a foreign Origin, even with the token', async () => {
    const res = await request(bridge, { path: '/api/workspaces.list', headers: { ...auth, Origin: 'https://evil.example' }, body: '{}' });
    expect(res.status).toBe(403);
    const same = await request(bridge, { path: '/api/workspaces.list', headers: { ...auth, Origin: bridge.origin }, body: '{}' });
    expect(same.status).toBe(200);
  });

  it('refuses a malformed body with a clear error and stays up', async () => {
    const bad = await request(bridge, { path: '/api/workspaces.create', headers: auth, body: '{"name": "x"' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'The request body is not valid JSON' } });
    const invalid = await request(bridge, { path: '/api/workspaces.create', headers: auth, body: JSON.stringify({ name: 42 }) });
    expect(invalid.status).toBe(400);
    expect((invalid.json as { error: { issues: { path: string }[] } }).error.issues[0]?.path).toBe('name');
    const unknown = await request(bridge, { path: '/api/workspaces.explode', headers: auth, body: '{}' });
    expect(unknown.status).toBe(404);
    const after = await request(bridge, { path: '/api/workspaces.list', headers: auth, body: '{}' });
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ ok: true });
  });

  it('serves the console page only with the token, and never outside its folder', async () => {
    expect((await request(bridge, { method: 'GET', path: '/' })).status).toBe(401);
    const page = await request(bridge, { method: 'GET', path: `/?token=${bridge.token}` });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Reclaim</title>');
    expect((await request(bridge, { method: 'GET', path: '/assets/app.js' })).status).toBe(200);
    expect((await request(bridge, { method: 'GET', path: '/../../etc/passwd' })).status).toBe(404);
    expect((await request(bridge, { method: 'GET', path: '/%2e%2e/%2e%2e/etc/passwd' })).status).toBe(404);
  });

  it('pushes events over the socket only to a client with the token and a local origin', async () => {
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/events?token=nope`);
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(refused).toBe('refused');
    const foreign = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/events?token=${bridge.token}`, { origin: 'https://evil.example' });
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(foreign).toBe('refused');

    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/events?token=${bridge.token}`, { origin: bridge.origin });
    await new Promise((r) => ws.on('open', r));
    const message = new Promise<unknown>((resolve) => ws.on('message', (m) => resolve(JSON.parse(String(m)))));
    const created = await request(bridge, { path: '/api/workspaces.create', headers: auth, body: JSON.stringify({ name: 'Evented' }) });
    const id = (created.json as { value: { id: string } }).value.id;
    expect(await message).toEqual({ event: 'workspaces.changed', payload: { ids: [id] } });
    ws.close();
  });
});
