import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookChannel, newWebhookSecret, sign, verifySignature } from '../../main/core/recovery/channels/webhook';
import { updateSettings, webhookSecretId } from '../../main/core/queue/settings';
import type { Secrets } from '../../main/core/ports';
import type { Sqlite } from '../../main/core/db/sqlite';
import { workspaceDb } from '../segments/helpers';
import { actionFor, memorySecrets, seed } from './helpers';
import { startReceiver } from './receiver';

let ws: ReturnType<typeof workspaceDb>;
let db: Sqlite;
let secrets: Secrets;
let secret: string;

beforeEach(async () => {
  ws = workspaceDb();
  db = ws.db;
  secrets = memorySecrets();
  secret = newWebhookSecret();
  await secrets.set(webhookSecretId('ws_test'), secret);
  seed(db, [{ id: 'c01', name: 'Ada {{ evil }}', mrr: 100_000, amountAtRisk: 250_000, accountManager: 'bruno.diaz@example.test', declineCode: 'stolen_card' }]);
});
afterEach(() => ws.close());

const channel = () => createWebhookChannel({ secrets, fetch, sleep: async () => {} });

describe('webhook step', () => {
  it('POSTs the customer, invoice, segment and step, signed so that a receiver verifies it', async () => {
    const rx = await startReceiver(() => secret);
    try {
      updateSettings(db, 'webhook', { url: rx.url });
      const r = await channel().execute(actionFor(db, { customerId: 'c01', channel: 'webhook', stepId: 'notify' }));
      expect(r.status).toBe('succeeded');
      expect(rx.received).toHaveLength(1);
      expect(rx.received[0]!.valid).toBe(true);
      const event = JSON.parse(rx.received[0]!.body);
      expect(event).toMatchObject({
        id: rx.received[0]!.delivery,
        type: 'recovery.step',
        data: {
          customer: { id: 'c01', name: 'Ada {{ evil }}', amount_at_risk: 250_000, account_manager: 'bruno.diaz@example.test' },
          invoice: { id: 'in_c01', number: 'INV-C01', amount_remaining: 250_000, currency: 'usd', last_decline_code: 'stolen_card', decline_hard: true },
          segment: { id: 'seg_enterprise', name: 'Enterprise' },
          step: { id: 'notify', run_id: 'run_1', channel: 'webhook' },
        },
      });
      // Our own verifier agrees, and rejects a tampered body, another secret and an old timestamp.
      const { body, signature } = rx.received[0]!;
      const now = Math.floor(Date.now() / 1000);
      expect(verifySignature(secret, signature, body, now)).toBeNull();
      expect(verifySignature(secret, signature, body.replace('250000', '1'), now)).toBe('signature mismatch');
      expect(verifySignature(newWebhookSecret(), signature, body, now)).toBe('signature mismatch');
      expect(verifySignature(secret, sign(secret, now - 3600, body), body, now)).toBe('timestamp outside the tolerance');
      // Once delivered, running the step again sends nothing.
      expect((await channel().execute(actionFor(db, { customerId: 'c01', channel: 'webhook', stepId: 'notify' }))).status).toBe('succeeded');
      expect(rx.received).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });

  it('retries with backoff on 5xx and keeps the same delivery id and body', async () => {
    const rx = await startReceiver(() => secret, { failFirst: 2 });
    const waits: number[] = [];
    try {
      updateSettings(db, 'webhook', { url: rx.url, backoffMs: 100, maxAttempts: 4 });
      const ch = createWebhookChannel({ secrets, fetch, sleep: async (ms) => void waits.push(ms) });
      const r = await ch.execute(actionFor(db, { customerId: 'c01', channel: 'webhook' }));
      expect(r.status).toBe('succeeded');
      expect(rx.received).toHaveLength(3);
      expect(new Set(rx.received.map((x) => x.delivery)).size).toBe(1);
      expect(new Set(rx.received.map((x) => x.body)).size).toBe(1);
      expect(rx.acted.size).toBe(1);
      // Exponential: ~100 then ~200 (±25% jitter).
      expect(waits).toHaveLength(2);
      expect(waits[0]!).toBeGreaterThanOrEqual(75);
      expect(waits[1]!).toBeGreaterThanOrEqual(150);
      expect(waits[1]!).toBeLessThanOrEqual(250);
    } finally {
      await rx.close();
    }
  });

  it('gives up on a receiver that refuses (4xx) and reports failure after the attempts on 5xx', async () => {
    const refuse = await startReceiver(() => secret, { status: 410 });
    const down = await startReceiver(() => secret, { failFirst: 100 });
    try {
      updateSettings(db, 'webhook', { url: refuse.url, maxAttempts: 3 });
      const r1 = await channel().execute(actionFor(db, { customerId: 'c01', channel: 'webhook', runId: 'r1' }));
      expect(r1).toMatchObject({ status: 'failed', retryable: false });
      expect(refuse.received).toHaveLength(1);
      updateSettings(db, 'webhook', { url: down.url });
      const r2 = await channel().execute(actionFor(db, { customerId: 'c01', channel: 'webhook', runId: 'r2' }));
      expect(r2).toMatchObject({ status: 'failed', retryable: true });
      expect(r2.detail).toMatch(/after 3 attempts \(HTTP 503\)/);
      expect(down.received).toHaveLength(3);
    } finally {
      await refuse.close();
      await down.close();
    }
  });

  it('accepts only https, or http to loopback', async () => {
    expect(() => updateSettings(db, 'webhook', { url: 'http://example.com/hook' })).toThrow(/must use https/);
    expect(() => updateSettings(db, 'webhook', { url: 'http://10.0.0.5/hook' })).toThrow(/must use https/);
    expect(() => updateSettings(db, 'webhook', { url: 'https://user:pw@example.com/hook' })).toThrow(/user name or password/);
    expect(updateSettings(db, 'webhook', { url: 'https://hooks.example.com/reclaim' }).url).toBe('https://hooks.example.com/reclaim');
    expect(updateSettings(db, 'webhook', { url: 'http://[::1]:9999/x' }).url).toBe('http://[::1]:9999/x');
    // A step that points elsewhere on its own is skipped in the plan, never sent.
    const a = actionFor(db, { customerId: 'c01', channel: 'webhook', config: { url: 'http://192.168.1.2/x' } });
    expect(channel().estimate(a).skipReason).toMatch(/must use https/);
    expect((await channel().execute(a)).status).toBe('skipped');
  });
});
