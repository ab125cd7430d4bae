import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../shared/contract';
import { tempDir } from '../helpers/core';
import { api, rawRequest, startConsoleChild, type ConsoleChild } from '../helpers/console-child';

/**
 * The console process against hostile requests: malformed URLs, traversal,
 * random paths and invalid payloads for every contract method. The process
 * must stay up and answer each one (issue #10, defects 1 and 8).
 */
describe('console bridge under hostile requests (a real `reclaim console` process)', () => {
  let c: ConsoleChild;
  beforeAll(async () => {
    c = await startConsoleChild(tempDir());
  }, 240_000);
  afterAll(async () => c?.stop());

  it('answers malformed percent-encoding with 400 and keeps running', async () => {
    for (const p of ['/%', '/%zz', '/assets/%E0%A4%A', '/api/%', '/api/%zz', '/%%%', '/%C0%AF']) {
      const r = await rawRequest(c.port, { path: p });
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.status, p).toBeLessThan(500);
    }
    expect(c.exited()).toBe(false);
    expect((await api(c, 'workspaces.list', {})).body?.ok).toBe(true);
  });

  it('never serves the page without the token, however the path is spelled', async () => {
    for (const p of ['/%2e%2e%2frenderer%2findex.html', '/index.html', '/./index.html', '/assets/..%2findex.html', '/assets/%2e%2e/index.html', '//index.html', '/INDEX.html', '/%69ndex.html']) {
      const r = await rawRequest(c.port, { path: p });
      expect(r.status, p).not.toBe(200);
      expect(r.text, p).not.toContain('<title>Reclaim');
    }
    const ok = await rawRequest(c.port, { path: `/?token=${c.token}` });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-security-policy']).toContain("default-src 'self'");
    // The page moves the token out of the URL; the cookie it gets opens a reload of the bare URL, and nothing else.
    const cookie = String(ok.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^reclaim_console=/);
    const reload = await rawRequest(c.port, { path: '/', headers: { Cookie: cookie } });
    expect(reload.status).toBe(200);
    expect(reload.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const apiWithCookie = await rawRequest(c.port, { method: 'POST', path: '/api/workspaces.list', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
    expect(apiWithCookie.status).toBe(401);
  });

  it('fuzz: random paths and methods never take the process down', async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
      fc.constantFrom('%', '%zz', '%2e%2e', '..', '%2f', '%00', 'api', 'assets', 'index.html', '%E0%A4%A', '%ff', '?', '#', ';'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 5 }), fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'), async (segs, method) => {
        const p = `/${segs.join('/')}`;
        const r = await rawRequest(c.port, { method, path: p, headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
        expect(r.status).toBeGreaterThan(0);
        expect(r.status).toBeLessThan(500);
        expect(c.exited()).toBe(false);
      }),
      { numRuns: 150 },
    );
  }, 240_000);

  it('fuzz: every contract method with invalid payloads gives a clear error and changes nothing', async () => {
    const created = await api(c, 'workspaces.create', { name: 'Fuzz target' });
    expect(created.body?.ok).toBe(true);
    const before = JSON.stringify((await api(c, 'workspaces.list', {})).body?.value);
    const methods = Object.keys(contract);
    const junk = fc.oneof(
      fc.constant('{'),
      fc.constant('null'),
      fc.constant('[]'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.record({ workspaceId: fc.oneof(fc.string(), fc.constant('ws_ffffffffffffffff'), fc.constant('../../etc')), id: fc.string(), rule: fc.jsonValue({ maxDepth: 4 }), csv: fc.string(), json: fc.string() }).map((v) => JSON.stringify(v)),
    );
    const readOnlyOrHarmless = new Set(['workspaces.create', 'demo.create', 'workspaces.connect', 'sync.start']);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods.filter((m) => !readOnlyOrHarmless.has(m))), junk, async (method, body) => {
        const r = await api(c, method, body);
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).not.toBe(500);
        expect(r.body).not.toBeNull();
        if (r.body && !r.body.ok) {
          expect(r.body.error!.message.length).toBeGreaterThan(0);
          expect(r.body.error!.message).not.toMatch(/\n\s+at /);
        }
        expect(c.exited()).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(JSON.stringify((await api(c, 'workspaces.list', {})).body?.value)).toBe(before);
  }, 240_000);
});
