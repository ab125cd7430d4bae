import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { createLogger } from '../../main/core/logging';
import { workspaceLimiter } from '../../main/core/stripe/rate-budget';
import { REQUIRED_PERMISSIONS } from '../../main/core/stripe/permissions';
import { stripeForWorkspace } from '../../main/core/stripe/workspace-client';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { testCore, tempDir } from '../helpers/core';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('connect, sync and key secrecy through the core', () => {
  let sim: StripeSim;
  let core: Core;
  let dataDir: string;
  let logFile: string;
  const key = randomTestKey();
  const call = (method: string, input: unknown) => dispatch(core, method, input, core.ports.logger);

  beforeAll(async () => {
    sim = await startStripeSim({ seed: 21, customers: 150, rateLimit: null });
    sim.addKey(key, REQUIRED_PERMISSIONS.map((p) => p.permission));
    dataDir = tempDir();
    logFile = path.join(dataDir, 'logs', 'reclaim.log');
    core = testCore({ dataDir, logger: createLogger({ destination: logFile, level: 'debug' }) });
  });
  afterAll(async () => {
    await core.close();
    await sim.close();
  });

  it('refuses a key missing permissions, naming each, and creates nothing', async () => {
    const weak = randomTestKey();
    sim.addKey(weak, ['rak_customer_read', 'rak_event_read']);
    const r = await call('workspaces.connect', { key: weak, apiBase: sim.url });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('forbidden');
      expect(r.error.issues?.length).toBe(new Set(REQUIRED_PERMISSIONS.map((p) => p.permission)).size - 2);
      expect(r.error.message).toContain('rak_charge_read');
      expect(r.error.message).toContain('rak_invoice_write');
    }
    expect(core.registry.list()).toEqual([]);
  });

  it('connects, stores the key encrypted, and only ever shows its last four', async () => {
    const r = await call('workspaces.connect', { key, apiBase: sim.url });
    expect(r.ok).toBe(true);
    const { workspace, warning } = (r as { value: { workspace: { id: string; key: { masked: string }; mode: string; stripeAccountId: string }; warning: null } }).value;
    expect(warning).toBeNull();
    expect(workspace).toMatchObject({ mode: 'test', stripeAccountId: sim.accountId, key: { masked: `rk_test_…${key.slice(-4)}` } });
    expect(JSON.stringify(await call('workspaces.list', {}))).not.toContain(key);
    // Connecting the same account again updates the same workspace.
    const again = await call('workspaces.connect', { key, apiBase: sim.url });
    expect((again as { value: { workspace: { id: string } } }).value.workspace.id).toBe(workspace.id);
    expect(core.registry.list()).toHaveLength(1);
  });

  it('syncs with progress events, computes facts and default segments', async () => {
    const ws = core.registry.list()[0]!;
    const phases: string[] = [];
    core.events.on('sync.progress', (p) => phases.push(p.phase));
    const { done } = await core.sync.start(ws.id);
    const outcome = await done!;
    expect(outcome.status).toBe('completed');
    expect(phases[0]).toBe('starting');
    expect(phases).toContain('backfill');
    expect(phases.at(-1)).toBe('done');
    const list = await call('customers.list', { workspaceId: ws.id, limit: 5 });
    expect((list as { value: { total: number } }).value.total).toBe(sim.counts().customers);
    const segs = (await call('segments.list', { workspaceId: ws.id })) as { value: { segments: { name: string; stats: { members: number } }[] } };
    expect(segs.value.segments.map((s) => s.name)).toEqual(['Enterprise', 'At-Risk', 'New Customer', 'Loyal Customer', 'Growth', 'Starter']);
    expect(segs.value.segments.every((s) => s.stats.members > 0)).toBe(true);
    expect(core.registry.get(ws.id).lastSyncAt).not.toBeNull();
  });

  it('a second sync while one runs is refused politely', async () => {
    const ws = core.registry.list()[0]!;
    const first = await core.sync.start(ws.id);
    const second = await call('sync.start', { workspaceId: ws.id });
    expect(second).toMatchObject({ ok: true, value: { started: false, message: 'A sync of this workspace is already running' } });
    await first.done;
  });

  it('the key appears in no file of the data folder and in no log line', () => {
    const needle = Buffer.from(key);
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('.enc'))).toBe(true);
    expect(fs.readFileSync(logFile, 'utf8')).toContain('stripe key connected');
    for (const f of files) expect(fs.readFileSync(f).includes(needle), f).toBe(false);
  });

  it('writes go through the workspace’s SDK client: an idempotent invoice payment acts once', async () => {
    const ws = core.registry.list()[0]!;
    const { stripe, limiter } = await stripeForWorkspace(core, ws.id);
    expect(limiter).toBe(workspaceLimiter(core.registry.openDb(ws.id), ws.id, key));
    const open = (await stripe.invoices.list({ status: 'open', limit: 1 })).data[0]!;
    const charges = sim.counts().charges!;
    const idem = `reclaim-test-${open.id}`;
    const first = await stripe.invoices.pay(open.id, {}, { idempotencyKey: idem }).then((x) => x.status, (e: { statusCode?: number }) => e.statusCode);
    const again = await stripe.invoices.pay(open.id, {}, { idempotencyKey: idem }).then((x) => x.status, (e: { statusCode?: number }) => e.statusCode);
    expect(again).toEqual(first);
    expect(sim.counts().charges).toBe(charges + 1);
  });

  it('disconnect deletes the stored key but keeps the data offline', async () => {
    const ws = core.registry.list()[0]!;
    const r = await call('workspaces.disconnect', { workspaceId: ws.id });
    expect(r).toMatchObject({ ok: true, value: { key: null } });
    expect(filesUnder(dataDir).some((f) => f.endsWith('.enc'))).toBe(false);
    expect(await call('sync.start', { workspaceId: ws.id })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((await call('customers.list', { workspaceId: ws.id })) as { ok: boolean }).toMatchObject({ ok: true });
  });

  it('warns about a secret key but accepts it', async () => {
    const sk = `sk_test_${randomTestKey().slice(8)}`;
    sim.addKey(sk, 'all');
    const r = await call('workspaces.connect', { key: sk, apiBase: sim.url, name: 'Secret key ws' });
    expect(r).toMatchObject({ ok: true, value: { warning: expect.stringContaining('restricted key') } });
  });

  it('removing a workspace while it syncs stops the sync first and deletes its data', async () => {
    const ws = core.registry.list()[0]!;
    const { started, done } = await core.sync.start(ws.id);
    expect(started).toBe(true);
    expect(await call('workspaces.remove', { id: ws.id })).toMatchObject({ ok: true });
    expect((await done!).status).toBe('canceled');
    expect(core.registry.list()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'workspaces', `${ws.id}.sqlite`))).toBe(false);
  });
});
