import os from 'node:os';
import { startStripeSim, randomTestKey } from '../../stripe-sim';
import { badRequest, UserError } from '../errors';
import { checkKey } from './connect';
import { parseKey } from './key';
import type { HandlerContext, HandlerGroup } from '../context';
import type { SyncManager } from './sync-handlers';
import { keySecretId } from '../workspaces/handlers';
import { replayDemoHistory } from '../demo/history';
import { DEMO_BUILDING_META } from '../demo/unfinished';

const DEFAULT_API_BASE = 'https://api.stripe.com';

/** "Acme", "Acme (2)", … — the first name not taken. */
function freeName(ctx: HandlerContext, wanted: string): string {
  const taken = new Set(ctx.registry.list().map((w) => w.name.toLowerCase()));
  if (!taken.has(wanted.toLowerCase())) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted} (${i})`.toLowerCase())) return `${wanted} (${i})`;
}

export function connectHandlers(
  ctx: HandlerContext,
  sync: SyncManager,
): HandlerGroup<'workspaces.connect' | 'workspaces.disconnect' | 'demo.create'> {
  const { ports, registry } = ctx;
  const changed = (...ids: string[]) => ctx.events.emit('workspaces.changed', { ids });

  return {
    'workspaces.connect': async ({ key, apiBase, name, workspaceId }) => {
      const parsed = parseKey(key);
      const info = await checkKey({ key: parsed.key, apiBase: apiBase ?? DEFAULT_API_BASE, fetch: ports.fetch });
      if (info.missing.length > 0) {
        const names = info.missing.map((m) => `${m.label} (${m.permission})`);
        throw new UserError(
          'forbidden',
          `This key lacks ${names.length} permission${names.length === 1 ? '' : 's'} Reclaim needs: ${names.join(', ')}. Edit the restricted key in the Stripe dashboard and try again.`,
          info.missing.map((m) => ({ path: m.permission, message: m.label })),
        );
      }
      const target =
        (workspaceId ? registry.get(workspaceId) : undefined) ??
        (info.accountId ? registry.list().find((w) => w.kind === 'stripe' && w.stripeAccountId === info.accountId && w.mode === parsed.mode) : undefined);
      if (target && target.stripeAccountId && info.accountId && target.stripeAccountId !== info.accountId) {
        throw badRequest(`This key belongs to ${info.accountId}, but the workspace is connected to ${target.stripeAccountId}`);
      }
      const ws =
        target ??
        registry.create({
          name: freeName(ctx, name ?? `${info.displayName ?? info.accountId ?? 'Stripe account'}${parsed.mode === 'test' ? ' (test)' : ''}`),
          mode: parsed.mode,
          currency: info.defaultCurrency ?? 'usd',
        });
      await ports.secrets.set(keySecretId(ws.id), parsed.key);
      const updated = registry.update(ws.id, {
        stripe_account_id: info.accountId ?? target?.stripeAccountId ?? null,
        mode: parsed.mode,
        key_prefix: parsed.prefix,
        key_last4: parsed.last4,
        api_base: apiBase ?? null,
      });
      ports.logger.info({ workspace: ws.id, account: info.accountId, mode: parsed.mode, key: parsed.masked }, 'stripe key connected');
      changed(ws.id);
      return { workspace: updated, warning: parsed.warning ?? info.warning ?? null };
    },

    'workspaces.disconnect': async ({ workspaceId }) => {
      registry.get(workspaceId);
      sync.cancel(workspaceId);
      await ports.secrets.delete(keySecretId(workspaceId));
      const ws = registry.update(workspaceId, { key_prefix: null, key_last4: null });
      ports.logger.info({ workspace: workspaceId }, 'stripe key disconnected');
      changed(workspaceId);
      return ws;
    },

    'demo.create': async ({ customers, seed, name, history }) => {
      // The demo runs the generator behind the local Stripe-compatible server
      // and pulls it through the real sync path; the throwaway key is never stored.
      // With its history (#19) the business is generated as of today, so the replayed days end now.
      const sim = await startStripeSim({ seed, customers, rateLimit: null, smartRetries: false, ...(history ? { history: true, now: ctx.nowSec() } : {}) });
      const ws = registry.create({ name: freeName(ctx, name ?? 'Demo'), mode: 'test', currency: 'usd', kind: 'demo' });
      changed(ws.id);
      try {
        const key = randomTestKey();
        sim.addKey(key, 'all');
        registry.update(ws.id, { stripe_account_id: sim.accountId });
        // Recovery runs on the demo restart the same seeded server (main/core/recovery/demo-stripe.ts).
        const db = registry.openDb(ws.id);
        db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('demo.sim', ?)`).run(JSON.stringify({ seed, customers, now: sim.now(), ...(history ? { history: true } : {}) }));
        // Until the build ends this process owns it; a demo left half-built (the process was stopped) is removed at the next start (core/boot.ts).
        db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(DEMO_BUILDING_META, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAtMs: ports.clock.now() }));
        // The local server has no rate limit; Stripe's own limits apply to real accounts only.
        const { done } = await sync.start(ws.id, { key, apiBase: sim.url, ratePerSecond: 10_000 });
        const outcome = await done!;
        if (outcome.status !== 'completed') throw new UserError('internal', `The demo workspace could not be built: ${outcome.message}`);
        if (history) {
          const r = await replayDemoHistory(ctx, ws.id, {
            onProgress: (day, days) => ctx.events.emit('demo.progress', { workspaceId: ws.id, day, days, message: `Building the demo history: day ${day} of ${days}…` }),
          });
          ports.logger.info({ workspace: ws.id, ...r }, 'demo history replayed');
        }
        db.prepare(`DELETE FROM meta WHERE key = ?`).run(DEMO_BUILDING_META);
      } catch (e) {
        registry.remove(ws.id);
        changed(ws.id);
        throw e;
      } finally {
        await sim.close();
      }
      changed(ws.id);
      return registry.get(ws.id);
    },
  };
}
