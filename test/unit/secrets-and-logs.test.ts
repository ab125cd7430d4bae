import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets } from '../../main/core/logging';
import { FileSecrets } from '../../main/core/secrets/file-secrets';
import { tempDir } from '../helpers/core';

const fakeKey = () => `rk_test_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

describe('secrets at rest', () => {
  it('round-trips, never stores the plain key, and keeps files private (0600)', async () => {
    const dir = tempDir();
    const secrets = new FileSecrets(dir);
    const key = fakeKey();
    await secrets.set('stripe-key:ws_1', key);
    expect(await secrets.get('stripe-key:ws_1')).toBe(key);
    for (const f of fs.readdirSync(path.join(dir, 'secrets'))) {
      const file = path.join(dir, 'secrets', f);
      expect(fs.readFileSync(file).includes(Buffer.from(key)), f).toBe(false);
      expect(fs.statSync(file).mode & 0o777, f).toBe(0o600);
    }
    await secrets.delete('stripe-key:ws_1');
    expect(await secrets.get('stripe-key:ws_1')).toBeNull();
  });
});

describe('log redaction', () => {
  it('masks anything shaped like a Stripe key wherever it appears', () => {
    const key = fakeKey();
    const live = ['sk', 'live', 'abcdefgh1234'].join('_'); // built at run time: no key-shaped literal in the repository
    expect(redactSecrets(`failed with ${key} and ${live}`)).toBe('failed with rk_test_[redacted] and sk_live_[redacted]');
  });

  it('writes log lines with the key removed, in any field', () => {
    const file = path.join(tempDir(), 'logs', 'r.log');
    const logger = createLogger({ destination: file });
    const key = fakeKey();
    logger.error({ err: `Stripe said: invalid ${key}`, nested: { header: `Bearer ${key}` }, key }, `connect ${key}`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('Stripe said: invalid rk_test_[redacted]');
    expect(text).not.toContain(key);
  });
});
