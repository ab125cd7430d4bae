import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { updateSettings, webhookSecretId } from '../../main/core/queue/settings';
import { createWebhookChannel, newWebhookSecret } from '../../main/core/recovery/channels/webhook';
import type { Secrets } from '../../main/core/ports';
import type { Output } from '../../shared/contract';
import { testCore } from '../helpers/core';
import { workspaceDb } from '../segments/helpers';
import { startDnsServer, type DnsServer } from './dns-server';
import { actionFor, memorySecrets, seed } from './helpers';
import { startReceiver } from './receiver';

/**
 * Issue #18 item 8: webhook targets. Link-local and cloud metadata addresses
 * are refused — as IP literals when the URL is saved, and as what a host name
 * resolves to when the webhook is sent (a real DNS server on 127.0.0.1);
 * private ranges are accepted with a warning; plain http to loopback stays
 * allowed for local testing.
 */
describe('webhook targets (issue #18 item 8)', () => {
  let core: Core;
  let ws: string;
  const set = (url: string | null) => dispatch(core, 'whiteglove.webhook.set', { workspaceId: ws, url }, silentLogger);

  beforeAll(async () => {
    core = testCore();
    const r = await dispatch(core, 'workspaces.create', { name: 'Webhook targets' }, silentLogger);
    if (!r.ok) throw new Error(r.error.message);
    ws = (r.value as { id: string }).id;
  });
  afterAll(async () => {
    await core.close();
  });

  it.each([
    ['https://169.254.169.254/latest/meta-data/iam/security-credentials/', /cloud metadata address \(169\.254\.169\.254\)/],
    ['https://0xa9fea9fe/latest/meta-data/', /cloud metadata address \(169\.254\.169\.254\)/],
    ['https://[::ffff:169.254.169.254]/latest/', /cloud metadata address/],
    ['https://[fd00:ec2::254]/latest/meta-data/', /cloud metadata address \(fd00:ec2::254\)/],
    ['https://metadata.google.internal/computeMetadata/v1/', /cloud metadata service \(metadata\.google\.internal\)/],
    ['https://169.254.10.20/hook', /link-local address \(169\.254\.10\.20\)/],
    ['https://[fe80::1]/hook', /link-local address \(fe80::1\)/],
    ['https://[febf:ffff::1]/hook', /link-local address/],
    ['https://0.0.0.0/hook', /unspecified address/],
  ])('refuses %s with one clear line and keeps the stored URL', async (url, why) => {
    expect((await set('https://hooks.example.com/ok')).ok).toBe(true);
    const r = await set(url);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('bad_request');
    expect(r.error.message).toMatch(why);
    expect(r.error.message).not.toMatch(/\n/);
    const now = await dispatch(core, 'whiteglove.settings.get', { workspaceId: ws }, silentLogger);
    expect(now.ok && (now.value as Output<'whiteglove.settings.get'>).webhook.url).toBe('https://hooks.example.com/ok');
  });

  it.each(['https://10.1.2.3/hook', 'https://172.20.0.9/hook', 'https://192.168.1.50/hook', 'https://[fd12:3456::1]/hook'])('accepts %s (a private network) with a warning', async (url) => {
    const r = await set(url);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as Output<'whiteglove.webhook.set'>;
    expect(v.settings.webhook.url).toBe(url);
    expect(v.warning).toMatch(/private network address/);
  });

  it('a public https URL and plain http to loopback are accepted without a warning; plain http elsewhere is not', async () => {
    for (const url of ['https://hooks.example.com/reclaim', 'https://8.8.8.8/hook', 'http://127.0.0.1:8080/hook', 'http://localhost:9/hook', 'http://[::1]:8080/hook']) {
      const r = await set(url);
      expect(r.ok, url).toBe(true);
      if (r.ok) expect((r.value as Output<'whiteglove.webhook.set'>).warning, url).toBeNull();
    }
    const r = await set('http://10.1.2.3/hook');
    expect(r.ok).toBe(false);
  });
});

/** The receiver listens on 127.0.0.1; `localhost` may be ::1 first on this machine. */
const loopbackFetch = (async (input: string | URL | Request, init?: RequestInit) => fetch(String(input).replace('//localhost:', '//127.0.0.1:'), init)) as typeof fetch;

describe('webhook targets resolved at send time (issue #18 item 8)', () => {
  let dns: DnsServer;
  let secrets: Secrets;
  let secret: string;
  beforeAll(async () => {
    dns = await startDnsServer({
      'hooks.attacker.test': ['169.254.169.254'],
      'v6.attacker.test': ['2001:db8::10', 'fe80::1'],
      'aws6.attacker.test': ['fd00:ec2::254'],
      localhost: ['127.0.0.1'],
    });
    secrets = memorySecrets();
    secret = newWebhookSecret();
    await secrets.set(webhookSecretId('ws_test'), secret);
  });
  afterAll(async () => {
    await dns.close();
  });

  it.each([
    ['https://hooks.attacker.test/hook', /host hooks\.attacker\.test resolves to a cloud metadata address \(169\.254\.169\.254\)/],
    ['https://v6.attacker.test/hook', /host v6\.attacker\.test resolves to a link-local address \(fe80::1\)/],
    ['https://aws6.attacker.test/hook', /resolves to a cloud metadata address \(fd00:ec2::254\)/],
  ])('%s: accepted when saved (a name), refused when sent, never retried', async (url, why) => {
    const ws = workspaceDb();
    try {
      seed(ws.db, [{ id: 'c01', name: 'Ada', mrr: 100_000, amountAtRisk: 250_000 }]);
      updateSettings(ws.db, 'webhook', { url });
      const ch = createWebhookChannel({ secrets, fetch, sleep: async () => {}, lookup: (h) => dns.lookup(h) });
      const r = await ch.execute(actionFor(ws.db, { customerId: 'c01', channel: 'webhook' }));
      expect(r).toMatchObject({ status: 'failed', retryable: false });
      expect(r.detail).toMatch(why);
      // Nothing was attempted: the delivery is failed with 0 attempts.
      expect(ws.db.prepare('SELECT status, attempts FROM webhook_deliveries').get()).toEqual({ status: 'failed', attempts: 0 });
    } finally {
      ws.close();
    }
  });

  it('a name that resolves to loopback is sent (the control), and refused once it resolves to a link-local address', async () => {
    const rx = await startReceiver(() => secret, { failFirst: 1 });
    const ws = workspaceDb();
    try {
      seed(ws.db, [{ id: 'c01', name: 'Ada', mrr: 100_000, amountAtRisk: 250_000 }, { id: 'c02', name: 'Bo', mrr: 100_000, amountAtRisk: 250_000 }]);
      const url = rx.url.replace('127.0.0.1', 'localhost');
      updateSettings(ws.db, 'webhook', { url, maxAttempts: 3 });
      const ch = createWebhookChannel({
        secrets,
        fetch: loopbackFetch,
        // After the first (failed) attempt the name moves to a link-local address.
        sleep: async () => void dns.records.set('localhost', ['169.254.1.1']),
        lookup: (h) => dns.lookup(h),
      });
      const r = await ch.execute(actionFor(ws.db, { customerId: 'c01', channel: 'webhook' }));
      expect(rx.received).toHaveLength(1);
      expect(r).toMatchObject({ status: 'failed', retryable: false });
      expect(r.detail).toMatch(/resolves to a link-local address \(169\.254\.1\.1\)/);
      dns.records.set('localhost', ['127.0.0.1']);
      const ok = await createWebhookChannel({ secrets, fetch: loopbackFetch, sleep: async () => {}, lookup: (h) => dns.lookup(h) }).execute(actionFor(ws.db, { customerId: 'c02', channel: 'webhook' }));
      expect(ok.status).toBe('succeeded');
    } finally {
      ws.close();
      await rx.close();
    }
  });
});
