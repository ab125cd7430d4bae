import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../main/core/ports';
import { createInvokeHandler } from '../../main/electron/ipc-handler';
import { isAllowedExternalUrl, isTrustedSender, secureWebPreferences } from '../../main/electron/policy';
import { testCore } from '../helpers/core';

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
});
