import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { MRR_RULES } from '../../shared/mrr-rules';
import { tempDir, testCore } from '../helpers/core';

/** The workspace MRR setting (#9 item 8): once/repeating coupons, through the core and the CLI. */
describe('MRR coupon setting through the core', () => {
  let sim: StripeSim;
  let core: Core;
  let workspaceId: string;
  const call = async (method: string, input: unknown) => {
    const r = await dispatch(core, method, input, core.ports.logger);
    if (!r.ok) throw new Error(r.error.message);
    return r.value as Record<string, unknown>;
  };

  beforeAll(async () => {
    sim = await startStripeSim({ seed: 8, customers: 5, rateLimit: null, factsCases: true });
    const key = randomTestKey();
    sim.addKey(key, 'all');
    core = testCore();
    const connected = await call('workspaces.connect', { key, apiBase: sim.url });
    workspaceId = (connected.workspace as { id: string }).id;
    const { done } = await core.sync.start(workspaceId);
    expect((await done!).status).toBe('completed');
  });
  afterAll(async () => {
    await core.close();
    await sim.close();
  });

  const mrrOf = async (customerId: string) => ((await call('customers.get', { workspaceId, customerId })).facts as { mrr: number }).mrr;

  it("follows Stripe's default (forever coupons only), and counting repeating coupons recomputes MRR and membership", async () => {
    expect(await call('facts.mrrSettings', { workspaceId })).toEqual({ includeFiniteCoupons: false, rules: [...MRR_RULES] });
    expect(await mrrOf('cus_fx_stacked')).toBe(16_200);
    const changed: string[] = [];
    core.events.on('segments.changed', (p) => changed.push(p.workspaceId));
    expect(await call('facts.setMrrSettings', { workspaceId, includeFiniteCoupons: true })).toMatchObject({ includeFiniteCoupons: true });
    expect(await mrrOf('cus_fx_stacked')).toBe(8100); // the repeating 50% now counts: $162 × 0.5
    expect(changed).toEqual([workspaceId]);
    expect(await call('facts.mrrSettings', { workspaceId })).toMatchObject({ includeFiniteCoupons: true });
    await call('facts.setMrrSettings', { workspaceId, includeFiniteCoupons: false });
    expect(await mrrOf('cus_fx_stacked')).toBe(16_200);
  });

  it('refuses a malformed setting', async () => {
    const r = await dispatch(core, 'facts.setMrrSettings', { workspaceId, includeFiniteCoupons: 'sometimes' }, core.ports.logger);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});

describe('reclaim mrr', () => {
  const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
  const dir = tempDir();
  const reclaim = (args: string[]) => spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], { encoding: 'utf8' });

  it('shows the rules and switches the coupon setting', () => {
    expect(reclaim(['demo', '--customers', '20', '--seed', '3']).status).toBe(0);
    const shown = reclaim(['mrr']);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('Once/repeating coupons reduce MRR: no');
    expect(shown.stdout).toContain('Metered (usage-based) prices are left out');
    const on = reclaim(['--json', 'mrr', '--finite-coupons', 'on']);
    expect(on.status).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ includeFiniteCoupons: true });
    expect(reclaim(['mrr']).stdout).toContain('Once/repeating coupons reduce MRR: yes');
    const bad = reclaim(['mrr', '--finite-coupons', 'maybe']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--finite-coupons must be on or off');
  });
});
