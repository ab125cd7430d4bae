import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isTrustedSender, secureWebPreferences } from '../../main/electron/policy';

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
