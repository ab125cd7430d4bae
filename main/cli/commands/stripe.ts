import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { SyncProgress } from '../../../shared/contract';
import { CliExit, type CliContext } from '../context';
import { readStdin } from '../input';
import { table } from '../format';
import { lockHolder } from '../../core/reliability/lock';

/** Reads the key from --key, `--key -` (stdin) or $RECLAIM_STRIPE_KEY, so it need not sit in shell history. */
async function readKey(ctx: CliContext, flag: string | undefined): Promise<string> {
  if (flag === '-') return (await readStdin()).trim();
  const key = flag ?? ctx.io.env.RECLAIM_STRIPE_KEY;
  if (!key) throw new CliExit(2, 'Give the key with --key KEY, --key - (read from stdin) or $RECLAIM_STRIPE_KEY');
  return key.trim();
}

/** Progress to stderr: a bar on a terminal, one line per phase otherwise; JSON lines with --json. */
function progressPrinter(ctx: CliContext): { update(p: SyncProgress): void; stop(): void } {
  if (ctx.globals().json) return { update: (p) => ctx.io.err(JSON.stringify(p)), stop() {} };
  if (!process.stderr.isTTY) {
    let last = '';
    return {
      update(p) {
        const key = `${p.phase}:${p.resource ?? ''}`;
        if (key !== last) ctx.io.err(`${p.phase}${p.resource ? ` ${p.resource}` : ''}${p.message ? `: ${p.message}` : ''}`);
        last = key;
      },
      stop() {},
    };
  }
  const bar = new SingleBar({ format: ' {bar} {percentage}% | {resource} {value}/{total} | {rate}/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true });
  let started = false;
  return {
    update(p) {
      const total = p.total ?? Math.max(p.synced, 1);
      if (!started) {
        bar.start(total, p.synced, { resource: p.resource ?? p.phase, rate: 0 });
        started = true;
      }
      bar.setTotal(total);
      bar.update(p.synced, { resource: p.resource ?? p.phase, rate: Math.round(p.ratePerSec) });
    },
    stop: () => started && bar.stop(),
  };
}

export function registerStripeCommands(program: Command, ctx: CliContext): void {
  const { call, print } = ctx;

  program
    .command('connect')
    .description('check a restricted Stripe key, store it encrypted, and create or update the workspace for its account')
    .option('--key <key>', 'restricted key rk_live_… / rk_test_…; "-" reads it from stdin (default: $RECLAIM_STRIPE_KEY)')
    .option('--api-base <url>', 'Stripe API base (only for a local Stripe-compatible server)')
    .option('--name <name>', 'workspace name (default: the Stripe account name)')
    .action(async (opts: { key?: string; apiBase?: string; name?: string }) => {
      const key = await readKey(ctx, opts.key);
      const r = await call('workspaces.connect', { key, ...(opts.apiBase ? { apiBase: opts.apiBase } : {}), ...(opts.name ? { name: opts.name } : {}) });
      if (r.warning) ctx.io.err(`warning: ${r.warning}`);
      print(r, () => `Connected ${r.workspace.name} (${r.workspace.id}): ${r.workspace.stripeAccountId}, ${r.workspace.mode.toUpperCase()}, key ${r.workspace.key?.masked}`);
    });

  program
    .command('disconnect')
    .description('delete the stored key of a workspace (synced data stays)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (opts: { yes?: boolean }) => {
      const workspaceId = await ctx.workspaceId();
      await ctx.confirm('Delete the stored Stripe key of this workspace?', opts.yes);
      const ws = await call('workspaces.disconnect', { workspaceId });
      print(ws, () => `Disconnected ${ws.name}; its synced data stays available offline.`);
    });

  program
    .command('sync')
    .description('sync the workspace from Stripe (backfill, then incremental from the Events API); Ctrl+C cancels and resumes next time')
    .action(async () => {
      const workspaceId = await ctx.workspaceId();
      const core = ctx.getCore();
      const bar = progressPrinter(ctx);
      const off = core.events.on('sync.progress', (p) => p.workspaceId === workspaceId && bar.update(p));
      const { started, alreadyRunning, message, done } = await core.sync.start(workspaceId);
      if (alreadyRunning) {
        // Join: wait for the other process's sync to end, then report what it left.
        ctx.io.err(`${message} Waiting for it to finish…`);
        const db = core.registry.openDb(workspaceId);
        while (lockHolder(db, 'sync')) await new Promise((r) => setTimeout(r, 500));
        off();
        const ws = (await call('workspaces.list', {})).find((w) => w.id === workspaceId);
        const when = ws?.lastSyncAt ? new Date(ws.lastSyncAt).toISOString() : 'never';
        const joined = { status: 'joined', message: `The other sync has ended; last completed sync: ${when}` };
        print(joined, () => joined.message);
        return;
      }
      if (!started || !done) throw new CliExit(1, message);
      const cancel = () => core.sync.cancel(workspaceId);
      process.once('SIGINT', cancel);
      const outcome = await done;
      process.off('SIGINT', cancel);
      off();
      bar.stop();
      print(outcome, () =>
        [
          `${outcome.status === 'completed' ? 'Sync completed' : outcome.status === 'canceled' ? 'Sync cancelled (resumes next time)' : 'Sync failed'}: ${outcome.message}`,
          Object.keys(outcome.counts).length
            ? table(Object.entries(outcome.counts).map(([resource, n]) => ({ resource, n })), [
                { key: 'resource', label: 'RESOURCE' },
                { key: 'n', label: 'OBJECTS', align: 'right' },
              ])
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      if (outcome.status === 'failed') throw new CliExit(1, outcome.message);
    });

  program
    .command('demo')
    .description('create a demo workspace: the local Stripe-compatible server’s generated business, written through the sync’s own mapping')
    .option('--customers <n>', 'number of customers', (v) => Number(v), 2000)
    .option('--seed <n>', 'generator seed (same seed → same data)', (v) => Number(v), 42)
    .option('--name <name>', 'workspace name', 'Demo')
    .option('--no-history', 'skip the ~95 days of recovery history replayed through the run engine (faster)')
    .action(async (opts: { customers: number; seed: number; name: string; history: boolean }) => {
      if (!Number.isInteger(opts.customers) || opts.customers < 10) throw new CliExit(2, '--customers must be a whole number of at least 10');
      if (!Number.isInteger(opts.seed)) throw new CliExit(2, '--seed must be a whole number');
      const core = ctx.getCore();
      const bar = progressPrinter(ctx);
      const off = core.events.on('sync.progress', (p) => bar.update(p));
      // The history's progress in words, every 10 simulated days (#19).
      const offHistory = core.events.on('demo.progress', (p) => {
        if (p.day === 1) bar.stop();
        if (p.day % 10 === 0 || p.day === p.days) ctx.io.err(ctx.globals().json ? JSON.stringify(p) : p.message);
      });
      const started = Date.now();
      try {
        const ws = await call('demo.create', { customers: opts.customers, seed: opts.seed, name: opts.name, history: opts.history });
        bar.stop();
        print(ws, () => `Demo workspace ${ws.name} (${ws.id}) ready: ${opts.customers.toLocaleString('en')} customers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        off();
        offHistory();
        bar.stop();
      }
    });
}
