import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Fault } from '../../main/stripe-sim';
import { checkWorkspace, stripeFingerprint } from './lib/consistency';
import { cloneDataDir, openCore, tempDir, workspaceFile, type Fixture } from './lib/fixture';
import { cli } from './lib/procs';
import { smtpFaults } from './faults-smtp';
import type { Tally } from './lib/tally';

const FAULTS: [string, Fault[], { timeoutMs?: number }?][] = [
  ['429 storm', [{ kind: '429', rate: 0.3 }]],
  ['5xx bursts', [{ kind: '5xx', rate: 0.2 }, { kind: '5xx', status: 503, rate: 0.1 }]],
  ['slow responses (timeouts)', [{ kind: 'slow', ms: 1500, rate: 0.05 }]],
  ['dropped connections', [{ kind: 'drop', rate: 0.1 }]],
  ['truncated bodies', [{ kind: 'truncate', rate: 0.1 }]],
  // Responses that never end: no answer at all, or headers and half a body, then silence.
  // The client's per-attempt timeout (RECLAIM_STRIPE_TIMEOUT_MS, 30 s by default) cuts them.
  ['hung responses', [{ kind: 'hang', rate: 0.05 }, { kind: 'hang', rate: 0.05, midBody: true }], { timeoutMs: 2000 }],
];

/** Runs `fn` with the Stripe client's per-attempt timeout set (in this process). */
async function withStripeTimeout<T>(ms: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (ms === undefined) return fn();
  const before = process.env.RECLAIM_STRIPE_TIMEOUT_MS;
  process.env.RECLAIM_STRIPE_TIMEOUT_MS = String(ms);
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.RECLAIM_STRIPE_TIMEOUT_MS;
    else process.env.RECLAIM_STRIPE_TIMEOUT_MS = before;
  }
}

async function syncInProcess(dataDir: string, ws: string): Promise<{ status: string; message: string }> {
  const core = openCore(dataDir);
  try {
    const { started, message, done } = await core.sync.start(ws);
    if (!started || !done) return { status: 'not started', message };
    return await done;
  } finally {
    await core.close();
  }
}

function mount(args: string[]): boolean {
  try {
    execFileSync('mount', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Faults from the Stripe server (sync must complete with the same data as a
 * clean run), a read-only data folder and a full disk (a clear message, then
 * correct completion once space is back). Mounts need root; without it those
 * trials are reported as not run.
 */
export async function faultsCategory(tally: Tally, fresh: Fixture, freshRef: Record<string, string>, repeat: number, quick: boolean): Promise<void> {
  const ws = fresh.workspaceId;
  for (const [label, faults, opts] of FAULTS) {
    for (let i = 1; i <= repeat; i++) {
      await tally.trial(`${label} #${i}`, async () => {
        const dir = cloneDataDir(fresh.dataDir);
        fresh.sim.setFaults(faults, { seed: i * 97 });
        try {
          const outcome = await withStripeTimeout(opts?.timeoutMs, () => syncInProcess(dir, ws));
          if (outcome.status !== 'completed') return `sync ${outcome.status}: ${outcome.message}`;
          const file = workspaceFile(dir, ws);
          const got = stripeFingerprint(file);
          const diff = Object.keys(freshRef).filter((t) => got[t] !== freshRef[t]);
          return [...checkWorkspace(file), ...diff.map((t) => `${t} differs from a clean sync`)];
        } finally {
          fresh.sim.setFaults([]);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }

  // Read-only data folder: lists work, writes say why they cannot.
  const ro = cloneDataDir(fresh.dataDir);
  const synced = await syncInProcess(ro, ws);
  if (synced.status !== 'completed') tally.record('read-only setup', `sync ${synced.status}`);
  if (mount(['--bind', ro, ro]) && mount(['-o', 'remount,bind,ro', ro])) {
    try {
      await tally.trial('read-only folder: workspaces list', async () => {
        const r = await cli(ro, ['--json', 'workspaces', 'list']).done;
        return r.code === 0 && r.out.includes(ws) ? null : `exit ${r.code}: ${r.err.trim()}`;
      });
      await tally.trial('read-only folder: customers', async () => {
        const r = await cli(ro, ['--json', 'customers', '--limit', '5']).done;
        return r.code === 0 ? null : `exit ${r.code}: ${r.err.trim()}`;
      });
      for (const [what, args] of [
        ['segments create', ['segments', 'create', 'X', '--rule', '-']],
        ['sync', ['sync']],
        ['workspaces create', ['workspaces', 'create', 'Other']],
      ] as const) {
        await tally.trial(`read-only folder: ${what} refused clearly`, async () => {
          const r = await cli(ro, [...args], { input: '{"combinator":"and","rules":[]}' }).done;
          return r.code !== 0 && /read-only/.test(r.err) && !/could not complete|\n\s+at /.test(r.err) ? null : `exit ${r.code}: ${r.err.trim()}`;
        });
      }
    } finally {
      mount(['-o', 'remount,bind,rw', ro]);
      execFileSync('umount', [ro]);
    }
  } else tally.note('read-only folder: not run (cannot bind-mount read-only here; needs root)');
  fs.rmSync(ro, { recursive: true, force: true });

  // Disk full: the data folder on a tiny tmpfs.
  const mnt = tempDir('reclaim-full-');
  const used = fs.readdirSync(fresh.dataDir, { recursive: true }).reduce<number>((n, f) => {
    const p = path.join(fresh.dataDir, String(f));
    return n + (fs.statSync(p).isFile() ? fs.statSync(p).size : 0);
  }, 0);
  if (mount(['-t', 'tmpfs', '-o', `size=${Math.ceil((used + 400_000) / 4096) * 4096}`, 'tmpfs', mnt])) {
    try {
      fs.cpSync(fresh.dataDir, mnt, { recursive: true });
      await tally.trial('disk full: sync stops with a clear message, file intact', async () => {
        const r = await cli(mnt, ['-w', ws, 'sync']).done;
        const problems: string[] = [];
        if (r.code === 0) problems.push('sync succeeded on a full disk (tmpfs too large?)');
        if (!/full/i.test(r.err)) problems.push(`message: ${r.err.trim().slice(-300)}`);
        return problems;
      });
      mount(['-o', 'remount,size=512m', mnt]);
      await tally.trial('disk full: after space is back, the sync completes with the right data', async () => {
        const r = await cli(mnt, ['-w', ws, 'sync']).done;
        if (r.code !== 0) return `exit ${r.code}: ${r.err.trim()}`;
        const file = workspaceFile(mnt, ws);
        const got = stripeFingerprint(file);
        return [...checkWorkspace(file), ...Object.keys(freshRef).filter((t) => got[t] !== freshRef[t]).map((t) => `${t} differs`)];
      });
    } finally {
      execFileSync('umount', [mnt]);
    }
  } else tally.note('disk full: not run (cannot mount a tmpfs here; needs root)');
  fs.rmSync(mnt, { recursive: true, force: true });
  await smtpFaults(tally, { quick, repeat });
}
