import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../main/bridge/server';
import type { Core } from '../../main/core/api';
import { contract, type Method, type Output } from '../../shared/contract';
import { injectsDefaults } from '../../shared/patch';
import { testCore, tempDir } from '../helpers/core';

/**
 * Issue #18 item 4: a settings update changes only the fields it names. Every
 * settings-set method in shared/contract.ts, through the real bridge (HTTP on
 * 127.0.0.1, the same dispatch the app and CLI use), over a real workspace.
 */
function post(bridge: Bridge, method: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { message: string } }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(input);
    const req = http.request(
      { host: '127.0.0.1', port: bridge.port, method: 'POST', path: `/api/${method}`, headers: { Authorization: `Bearer ${bridge.token}`, 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('settings updates are patches (issue #18 item 4)', () => {
  let core: Core;
  let bridge: Bridge;
  let ws: string;
  const call = async <M extends Method>(method: M, input: Record<string, unknown>): Promise<Output<M>> => {
    const r = await post(bridge, method, { workspaceId: ws, ...input });
    if (!r.ok) throw new Error(`${method}: ${r.error?.message}`);
    return r.value as Output<M>;
  };

  beforeAll(async () => {
    core = testCore();
    bridge = await startBridge({ core, staticDir: tempDir() });
    const created = await post(bridge, 'workspaces.create', { name: 'Patch WS' });
    ws = (created.value as Output<'workspaces.create'>).id;
  });
  afterAll(async () => {
    await bridge.close();
    core.close();
  });

  it('webhook: {url} after {url, maxAttempts: 2} keeps maxAttempts and backoffMs', async () => {
    await call('whiteglove.webhook.set', { url: 'https://hooks.example.com/a', maxAttempts: 2, backoffMs: 900 });
    const r = await call('whiteglove.webhook.set', { url: 'https://hooks.example.com/b' });
    expect(r.settings.webhook).toMatchObject({ url: 'https://hooks.example.com/b', maxAttempts: 2, backoffMs: 900 });
    const again = await call('whiteglove.webhook.set', { backoffMs: 100 });
    expect(again.settings.webhook).toMatchObject({ url: 'https://hooks.example.com/b', maxAttempts: 2, backoffMs: 100 });
  });

  it('account managers: {dueHours} keeps the managers list and the SLA', async () => {
    await call('whiteglove.am.set', { managers: ['alice@example.test', 'bruno@example.test'], dueHours: 12, slaHours: 2 });
    const r = await call('whiteglove.am.set', { dueHours: 48 });
    expect(r.am).toEqual({ managers: ['alice@example.test', 'bruno@example.test'], dueHours: 48, slaHours: 2, sendAs: 'reply_to' });
    await call('whiteglove.am.set', { sendAs: 'from' });
    expect((await call('whiteglove.am.set', { slaHours: 4 })).am).toMatchObject({ managers: ['alice@example.test', 'bruno@example.test'], dueHours: 48, slaHours: 4, sendAs: 'from' });
    expect((await call('whiteglove.settings.get', {})).am.managers).toEqual(['alice@example.test', 'bruno@example.test']);
  });

  it('voice: {costPerCall} keeps the provider, its URL, account, caller id and budgets', async () => {
    const full = { provider: 'http', apiBase: 'https://voice.example.com/v1', accountId: 'AC1', fromNumber: '+15550100', costPerCall: 99, currency: 'eur', minCustomerValue: 1_000, dailyBudget: null, perRunBudget: 700 };
    await call('whiteglove.voice.set', full);
    const r = await call('whiteglove.voice.set', { costPerCall: 200 });
    expect(r.voice).toMatchObject({ ...full, costPerCall: 200 });
  });

  it('SMTP: {ratePerMinute} keeps transport, TLS mode, host and sender; {transport: capture} keeps the server settings', async () => {
    await call('smtp.set', { transport: 'smtp', host: 'mail.example.com', port: 465, tls: 'tls', from: 'billing@example.com', fromName: 'Billing', ratePerMinute: 30 });
    const r = await call('smtp.set', { ratePerMinute: 10 });
    expect(r).toMatchObject({ transport: 'smtp', host: 'mail.example.com', port: 465, tls: 'tls', from: 'billing@example.com', fromName: 'Billing', ratePerMinute: 10 });
    const c = await call('smtp.set', { transport: 'capture' });
    expect(c).toMatchObject({ transport: 'capture', host: 'mail.example.com', port: 465, tls: 'tls', ratePerMinute: 10 });
    // And back to delivery without re-typing the server.
    expect(await call('smtp.set', { transport: 'smtp' })).toMatchObject({ transport: 'smtp', host: 'mail.example.com', tls: 'tls' });
  });

  it('recovery settings: {operatorEmail} keeps the operator name', async () => {
    await call('recovery.settings.set', { operatorName: 'Dana Ops', operatorEmail: 'dana@example.com', contactPolicy: { windowHours: 48, maxEmails: 2, maxCalls: 1 } });
    const kept = { operatorName: 'Dana Ops', operatorEmail: null, contactPolicy: { windowHours: 48, maxEmails: 2, maxCalls: 1 } };
    expect(await call('recovery.settings.set', { operatorEmail: null })).toEqual(kept);
    expect(await call('recovery.settings.get', {})).toEqual(kept);
  });

  it('MRR settings: its one field is required, so a set names everything it changes', async () => {
    expect(await call('facts.setMrrSettings', { includeFiniteCoupons: true })).toMatchObject({ includeFiniteCoupons: true });
    expect(await call('facts.mrrSettings', {})).toMatchObject({ includeFiniteCoupons: true });
  });

  it('no settings-set method in the contract fills in a default for a field the caller left out', () => {
    // strategies.set replaces a whole strategy (steps are a list, not settings fields): it takes no patch.
    const settingsSets = Object.keys(contract).filter((m) => /(^|\.)set[A-Z]|\.set$/.test(m) && m !== 'strategies.set');
    expect(settingsSets.sort()).toEqual(['experiments.setSplit', 'experiments.settings.set', 'facts.setMrrSettings', 'recovery.settings.set', 'smtp.set', 'whiteglove.am.set', 'whiteglove.voice.set', 'whiteglove.webhook.set']);
    const filled = Object.fromEntries(settingsSets.map((m) => [m, injectsDefaults(contract[m as keyof typeof contract].input, { workspaceId: 'ws_0000' })]));
    // rotateSecret is an action flag (false = keep the secret), not a stored setting.
    expect(filled).toEqual({ 'experiments.setSplit': [], 'experiments.settings.set': [], 'facts.setMrrSettings': [], 'recovery.settings.set': [], 'smtp.set': [], 'whiteglove.am.set': [], 'whiteglove.voice.set': [], 'whiteglove.webhook.set': ['rotateSecret'] });
  });
});
