import { checkWorkspace, stripeFingerprint } from './lib/consistency';
import { call, cloneDataDir, openCore, workspaceFile, type Fixture } from './lib/fixture';
import { opChild, sleep, type Running } from './lib/procs';
import { ledger, RUN_SEED, runBase, runCustomers, runOf, runToEnd, runTrial, startSmtp, type RunBase, type RunTrial } from './lib/runs';
import type { Tally } from './lib/tally';
type Smtp = Awaited<ReturnType<typeof startSmtp>>;
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Crash trials: an operation runs in its own process and is killed with
 * SIGKILL at a random moment; then Reclaim opens the workspace again (which
 * finishes any pending recompute) and, for syncs, resumes. Each trial checks:
 * SQLite's integrity check, facts and membership equal to a recompute from
 * scratch, and the data equal to an uninterrupted run.
 *
 * Recovery runs ('run execution'): a run starts in a child that is killed,
 * then children resuming it four days later (retries due) are killed too
 * (one such round in quick mode, two in full),
 * and the run is resumed to the end in this process; the outbox and audit are
 * then compared with what a real SMTP server and the local Stripe server
 * received (lib/runs.ts `ledger`).
 *
 * Adding an operation: a scenario here and, when it needs a child process,
 * the matching operation in children/op-child.ts. Nothing else changes.
 */
export interface CrashContext {
  /** Connected, never synced. */
  fresh: Fixture;
  /** Fully synced, then the Stripe account moved on (new events to apply). */
  synced: Fixture;
  /** A CSV of attributes for every customer of `synced`. */
  csvFile: string;
  refs: Record<string, Record<string, string>>;
  quick: boolean;
  /** Uninterrupted durations (ms) per scenario, once measured. */
  durations?: Record<string, number>;
}

export interface CrashScenario {
  name: string;
  prepare(ctx: CrashContext): string | Promise<string>;
  start(dataDir: string, ctx: CrashContext): Running;
  /** After the kill and a reopen: what is wrong (empty = all good). */
  verify(dataDir: string, ctx: CrashContext, finished: boolean): Promise<string[]>;
  /** Frees what `prepare` started besides the folder (servers). */
  cleanup?(dataDir: string): Promise<void>;
  /** A line for the notes after all trials. */
  summary?(): string;
  /** For some trials, a moment to kill at (instead of a random one): resolves when it has come. */
  killAt?(dataDir: string, trial: number): Promise<void> | null;
}

async function resumeSync(dataDir: string, workspaceId: string): Promise<string[]> {
  const core = openCore(dataDir);
  try {
    const { started, message, done } = await core.sync.start(workspaceId);
    if (!started || !done) return [`resume did not start: ${message}`];
    const outcome = await done;
    return outcome.status === 'completed' ? [] : [`resume ${outcome.status}: ${outcome.message}`];
  } finally {
    await core.close();
  }
}

/** Opens the workspace the way any shell does (finishing what a crash left pending), then closes it. */
async function reopen(dataDir: string, workspaceId: string): Promise<void> {
  const core = openCore(dataDir);
  try {
    await call(core, 'segments.list', { workspaceId });
  } finally {
    await core.close();
  }
}

function diffFingerprint(got: Record<string, string>, want: Record<string, string> | undefined): string[] {
  if (!want) return ['no reference run'];
  return Object.keys(want).filter((t) => got[t] !== want[t]).map((t) => `${t} differs from an uninterrupted run (${got[t]} vs ${want[t]})`);
}

const syncScenario = (name: string, base: (c: CrashContext) => Fixture): CrashScenario => ({
  name,
  prepare: (c) => cloneDataDir(base(c).dataDir),
  start: (dir, c) => opChild(dir, base(c).workspaceId, 'sync'),
  verify: async (dir, c) => {
    const ws = base(c).workspaceId;
    await reopen(dir, ws);
    const file = workspaceFile(dir, ws);
    const afterCrash = checkWorkspace(file).map((p) => `after the crash: ${p}`);
    const resumed = await resumeSync(dir, ws);
    return [...afterCrash, ...resumed, ...checkWorkspace(file), ...diffFingerprint(stripeFingerprint(file), c.refs[name])];
  },
});

export const crashScenarios: CrashScenario[] = [
  syncScenario('full sync', (c) => c.fresh),
  syncScenario('incremental sync', (c) => c.synced),
  {
    name: 'CSV import',
    prepare: (c) => cloneDataDir(c.synced.dataDir),
    start: (dir, c) => opChild(dir, c.synced.workspaceId, 'import', c.csvFile),
    verify: async (dir, c) => {
      const ws = c.synced.workspaceId;
      await reopen(dir, ws);
      const file = workspaceFile(dir, ws);
      const db = new Database(file, { readonly: true });
      const n = db.prepare("SELECT count(*) FROM custom_attributes WHERE key = 'harness_score'").pluck().get() as number;
      db.close();
      const problems = checkWorkspace(file);
      if (n !== 0 && n !== c.synced.customerIds.length) problems.push(`import half-applied: ${n} of ${c.synced.customerIds.length} rows`);
      return problems;
    },
  },
  {
    name: 'membership recompute',
    prepare: (c) => cloneDataDir(c.synced.dataDir),
    start: (dir, c) => opChild(dir, c.synced.workspaceId, 'recompute', '5000'),
    verify: async (dir, c) => {
      await reopen(dir, c.synced.workspaceId);
      return checkWorkspace(workspaceFile(dir, c.synced.workspaceId));
    },
  },
  runScenario(),
];

/** Reference runs (uninterrupted) for the sync scenarios, and how long each operation takes. */
export async function references(ctx: CrashContext, scenarios: CrashScenario[] = crashScenarios): Promise<Record<string, number>> {
  const durations: Record<string, number> = {};
  for (const s of scenarios) {
    const dir = await s.prepare(ctx);
    const child = s.start(dir, ctx);
    await child.waitFor('ready');
    const t0 = Date.now();
    await child.waitFor('done');
    durations[s.name] = Date.now() - t0;
    const r = await child.done;
    if (!r.out.includes('done')) throw new Error(`reference ${s.name} failed: ${r.out} ${r.err}`);
    if (s.name.endsWith('sync')) {
      const ws = s.name === 'full sync' ? ctx.fresh.workspaceId : ctx.synced.workspaceId;
      ctx.refs[s.name] = stripeFingerprint(workspaceFile(dir, ws));
    }
    await s.cleanup?.(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  ctx.durations = durations;
  return durations;
}

/** `only`: keep the scenarios whose name contains it (`--scenario run`). */
export async function crashCategory(tally: Tally, ctx: CrashContext, trialsEach: number, only: string | null = null): Promise<void> {
  const scenarios = crashScenarios.filter((s) => !only || s.name.includes(only));
  const durations = await references(ctx, scenarios);
  tally.note(`operation times (uninterrupted, ms): ${Object.entries(durations).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const landed: Record<string, number> = {};
  for (const s of scenarios) {
    for (let i = 0; i < trialsEach; i++) {
      await tally.trial(`${s.name} #${i + 1}`, async () => {
        const dir = await s.prepare(ctx);
        try {
          const child = s.start(dir, ctx);
          if (!(await child.waitFor('ready'))) return [`child did not start: ${(await child.done).err.slice(0, 300)}`];
          // A chosen moment, or a random one within the operation (its uninterrupted time from "ready" to "done").
          const moment = s.killAt?.(dir, i);
          if (moment) await Promise.race([moment, child.done]);
          else await sleep(Math.floor(Math.random() * Math.max(50, durations[s.name] ?? 500)));
          child.child.kill('SIGKILL');
          const r = await child.done;
          const finished = r.out.includes('done');
          if (!finished) landed[s.name] = (landed[s.name] ?? 0) + 1;
          if (r.out.includes('failed:')) return [`operation failed before the kill: ${r.out.trim()}`];
          return await s.verify(dir, ctx, finished);
        } finally {
          await s.cleanup?.(dir);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
  tally.note(`kills that landed mid-operation: ${scenarios.map((s) => `${s.name} ${landed[s.name] ?? 0}/${trialsEach}`).join(', ')}`);
  for (const s of scenarios) if (s.summary) tally.note(s.summary());
}

/**
 * A recovery run (default strategies, emails over a real SMTP server, retries
 * at the local Stripe server) started in a child killed at a random moment;
 * then twice: four days pass (retries come due), a child resumes the run and is
 * killed. Finally resumed to the end in this process (the clock advancing until
 * every step has fired) and checked against both servers (`ledger`).
 */
function runScenario(): CrashScenario {
  let base: RunBase | null = null;
  const open = new Map<string, { t: RunTrial; smtp: Smtp }>();
  const stats = { trials: 0, emails: 0, pays: 0, interrupted: 0, lost: 0, resent: 0, resumeKills: 0, resumeLanded: 0, handOverKills: 0, preHandOverKills: 0, ms: 0 };
  const started = new Map<string, number>();
  const now = (t: RunTrial) => ({ RECLAIM_NOW_MS: String(t.clock.now()) });
  return {
    name: 'run execution',
    prepare: async (c) => {
      const t0 = Date.now();
      base ??= await runBase({ seed: RUN_SEED, customers: runCustomers(c.quick) });
      // The server holds its final reply 80 ms after taking the whole message: a kill in that window
      // leaves a message the server has but Reclaim never heard confirmed — it must not be sent again.
      const smtp = await startSmtp({ delayMs: 80 });
      const t = await runTrial(base, smtp.port);
      // Slow Stripe answers widen the window between the outbox commit and the effect.
      t.sim.setFaults([{ kind: 'slow', ms: 30, rate: 1 }]);
      open.set(t.dir, { t, smtp });
      started.set(t.dir, t0);
      return t.dir;
    },
    start: (dir) => {
      const { t } = open.get(dir)!;
      return opChild(dir, t.workspaceId, 'run-start', t.planId, now(t));
    },
    // One trial in three is killed the moment the SMTP server has taken the k-th message and still
    // holds its reply: the one case where resending would email a customer twice. One in three the
    // moment the server holds the k-th session before the hand-over (its greeting, or its reply to
    // MAIL FROM or RCPT TO): the email must then be sent when the run resumes (#18.1). The rest at random.
    killAt: (dir, trial) => {
      const smtp = open.get(dir)!.smtp;
      const k = 1 + Math.floor(Math.random() * 3);
      if (trial % 3 === 0) {
        stats.handOverKills++;
        return smtp.taking(k);
      }
      if (trial % 3 === 1) {
        stats.preHandOverKills++;
        return smtp.holding((['greeting', 'mail', 'rcpt'] as const)[Math.floor(Math.random() * 3)]!, k);
      }
      return null;
    },
    verify: async (dir, c) => {
      const { t, smtp } = open.get(dir)!;
      smtp.release();
      for (let round = 0; round < (c.quick ? 1 : 2); round++) {
        const runId = runOf(t);
        if (!runId) break;
        t.clock.advance(4 * 86_400);
        const child = opChild(dir, t.workspaceId, 'run-resume', runId, now(t));
        if (!(await child.waitFor('ready'))) return [`resume child did not start: ${(await child.done).err.slice(0, 300)}`];
        await sleep(Math.floor(Math.random() * Math.max(50, c.durations?.['run execution'] ?? 500)));
        child.child.kill('SIGKILL');
        const r = await child.done;
        stats.resumeKills++;
        if (!r.out.includes('done')) stats.resumeLanded++;
        if (r.out.includes('failed:')) return [`resume failed before the kill: ${r.out.trim()}`];
      }
      const end = await runToEnd(t);
      const l = ledger(t, smtp.received);
      stats.trials++;
      stats.emails += l.emails;
      stats.pays += l.pays;
      stats.interrupted += l.interrupted;
      stats.lost += l.lost;
      stats.resent += l.resent;
      return [...(end.status === 'completed' ? [] : [`run ${end.status} after resuming to the end`]), ...l.problems];
    },
    cleanup: async (dir) => {
      const o = open.get(dir);
      open.delete(dir);
      if (o) await Promise.all([o.t.sim.close(), o.smtp.close()]);
      stats.ms += Date.now() - (started.get(dir) ?? Date.now());
      started.delete(dir);
    },
    summary: () =>
      `run execution (${Math.round(stats.ms / 1000)} s with its reference run): ${stats.trials} runs, ${stats.emails} emails received, ${stats.pays} pay requests executed (each once); ` +
      `${stats.handOverKills} start kills timed right after the SMTP server took a message (reply held), ${stats.preHandOverKills} while it held a session before the hand-over (greeting, MAIL FROM or RCPT TO); ` +
      `resume kills landed mid-run ${stats.resumeLanded}/${stats.resumeKills}; ${stats.resent} SMTP sends cut off by a kill before the hand-over were sent when the run resumed (each received once); ` +
      `${stats.interrupted} cut off after it were recorded as failed ("interrupted", not sent again: at most once), ` +
      `of which ${stats.lost} never reached the SMTP server (lost: ${stats.lost} of ${stats.interrupted + stats.resent} interrupted sends, ${stats.interrupted + stats.resent ? Math.round((100 * stats.lost) / (stats.interrupted + stats.resent)) : 0}%)`,
  };
}

export function writeCsv(dir: string, ids: string[]): string {
  const file = path.join(dir, 'harness.csv');
  fs.writeFileSync(file, `id,harness_score,harness_tier\n${ids.map((id, i) => `${id},${i * 7},t${i % 5}`).join('\n')}\n`);
  return file;
}
