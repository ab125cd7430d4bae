import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBridge } from '../../main/bridge/server';
import { silentLogger } from '../../main/core/ports';
import { createInvokeHandler } from '../../main/electron/ipc-handler';
import { menuTemplate } from '../../main/electron/menu';
import { isAllowedExternalUrl, isRendererNavigation, isTrustedSender, secureWebPreferences } from '../../main/electron/policy';
import { consoleCsp, ELECTRON_CSP, metaCsp } from '../../shared/csp';
import { tempDir, testCore } from '../helpers/core';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('Electron security policy', () => {
  it('opens only https Stripe URLs in the browser', () => {
    expect(isAllowedExternalUrl('https://dashboard.stripe.com/test/customers/cus_123')).toBe(true);
    expect(isAllowedExternalUrl('https://invoice.stripe.com/i/acct_1/test_abc')).toBe(true);
    for (const bad of [
      'http://dashboard.stripe.com/',
      'https://dashboard.stripe.com.evil.example/',
      'https://evil.example/?https://dashboard.stripe.com',
      'https://user:pw@dashboard.stripe.com/',
      'https://dashboard.stripe.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(bad), bad).toBe(false);
    }
  });

  it('answers IPC only from the renderer page itself', () => {
    const renderer = 'file:///opt/Reclaim/resources/app.asar/dist/renderer/index.html';
    expect(isTrustedSender(renderer, renderer)).toBe(true);
    expect(isTrustedSender(`${renderer}#/segments`, renderer)).toBe(true);
    expect(isTrustedSender('file:///tmp/evil.html', renderer)).toBe(false);
    expect(isTrustedSender('https://dashboard.stripe.com/', renderer)).toBe(false);
    expect(isTrustedSender(undefined, renderer)).toBe(false);
    expect(isTrustedSender('devtools://devtools/bundled/inspector.html', renderer)).toBe(false);
  });

  it('the IPC handler answers the renderer page with envelopes, refuses other frames without touching data, never throws', async () => {
    const core = testCore();
    const renderer = 'file:///opt/Reclaim/resources/app.asar/dist/renderer/index.html';
    const invoke = createInvokeHandler({ core, rendererUrl: renderer, logger: silentLogger });
    const ours = { senderFrame: { url: `${renderer}#/segments` } };
    try {
      const created = await invoke(ours, 'workspaces.create', { name: 'Mine' });
      expect(created.ok).toBe(true);
      for (const event of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///tmp/x.html' } }, { senderFrame: null }, {}, null, undefined]) {
        const r = await invoke(event, 'workspaces.create', { name: 'Foreign' });
        expect(r, JSON.stringify(event) ?? 'undefined').toEqual({ ok: false, error: { code: 'forbidden', message: 'Refused: request from an untrusted page' } });
      }
      const list = await invoke(ours, 'workspaces.list', {});
      expect(list.ok && (list.value as { name: string }[]).map((w) => w.name)).toEqual(['Mine']);
      expect(await invoke(ours, 42, {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(await invoke(ours, 'no.such', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
      const bad = await invoke(ours, 'segments.create', { workspaceId: null, rule: [[[]]] });
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    } finally {
      await core.close();
    }
  });

  it('creates windows isolated and sandboxed, without Node', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  // ── #18 item 10 ──
  it('lets a frame navigate or be redirected only to the renderer page', () => {
    const renderer = 'file:///opt/Reclaim/resources/app.asar/dist/renderer/index.html';
    expect(isRendererNavigation(renderer, renderer)).toBe(true);
    expect(isRendererNavigation(`${renderer}#/runs`, renderer)).toBe(true);
    for (const url of ['https://evil.example/', 'https://dashboard.stripe.com/', 'file:///tmp/evil.html', 'file:///opt/Reclaim/resources/app.asar/dist/renderer/other.html', 'data:text/html,<script>1</script>', 'javascript:alert(1)', 'http://169.254.169.254/', '', undefined]) {
      expect(isRendererNavigation(url, renderer), String(url)).toBe(false);
    }
  });

  it('a packaged build has no DevTools: none in the menu, and windows cannot open them', () => {
    const roles = (items: unknown[]): string[] =>
      items.flatMap((i) => {
        const m = i as { role?: string; submenu?: unknown[] };
        return [...(m.role ? [m.role] : []), ...(Array.isArray(m.submenu) ? roles(m.submenu) : [])];
      });
    for (const isMac of [false, true]) {
      const packaged = roles(menuTemplate({ isMac, isPackaged: true, send: () => {} }));
      expect(packaged).not.toContain('toggleDevTools');
      expect(packaged).toContain('reload');
      expect(roles(menuTemplate({ isMac, isPackaged: false, send: () => {} }))).toContain('toggleDevTools');
    }
    expect(secureWebPreferences('/p.cjs', { packaged: true }).devTools).toBe(false);
    expect(secureWebPreferences('/p.cjs').devTools).toBe(true);
  });

  it('the Electron renderer page allows no WebSocket; the console bridge serves it with its own policy that allows only its socket', async () => {
    const html = fs.readFileSync(path.join(ROOT, 'renderer/index.html'), 'utf8');
    expect(metaCsp(html)).toBe(ELECTRON_CSP);
    expect(ELECTRON_CSP).not.toMatch(/ws:|wss:|\*/);
    expect(ELECTRON_CSP).toMatch(/connect-src 'self'(;|$)/);

    const staticDir = tempDir();
    fs.writeFileSync(path.join(staticDir, 'index.html'), html);
    const core = testCore();
    const bridge = await startBridge({ core, staticDir });
    try {
      const res = await fetch(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
      const page = await res.text();
      const header = res.headers.get('content-security-policy') ?? '';
      expect(header).toBe(consoleCsp(bridge.port));
      expect(header).toContain(`connect-src 'self' ws://127.0.0.1:${bridge.port} ws://localhost:${bridge.port}`);
      expect(header).not.toContain('ws://127.0.0.1:*');
      // The page's meta policy agrees with the header (both apply), so the console's socket is not blocked by it.
      expect(metaCsp(page)).toContain(`ws://127.0.0.1:${bridge.port}`);
      expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(page));
    } finally {
      await bridge.close();
      await core.close();
    }
  });
});
