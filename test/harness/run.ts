// `npm run harness [-- --quick] [-- --only crash,faults]`: the reliability harness
// (issue #10). Prints "N trials, N passed, N failed" per category and exits 1
// on any failure. Figures go to docs/RELIABILITY.md; a JSON summary is written
// to test-results/harness.json (and to $HARNESS_JSON when set).
import fs from 'node:fs';
import path from 'node:path';
import { concurrencyCategory } from './concurrency';
import { crashCategory, writeCsv, type CrashContext } from './crash';
import { electronCategory } from './electron';
import { faultsCategory } from './faults';
import { hostileCategory } from './hostile';
import { connectedWorkspace, openCore, tempDir } from './lib/fixture';
import { ROOT } from './lib/procs';
import { Tally } from './lib/tally';
import { secretsCategory } from './secrets';
import { stripeFingerprint } from './lib/consistency';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(',') : null;
// `--scenario run` keeps only the crash scenarios whose name contains it; `--trials N` sets the crash trials per scenario.
const valueOf = (flag: string): string | null => {
  const a = args.find((x) => x === flag || x.startsWith(`${flag}=`));
  return a ? (a.includes('=') ? a.slice(flag.length + 1) : (args[args.indexOf(a) + 1] ?? null)) : null;
};
const scenarioFilter = valueOf('--scenario');
const trialsArg = valueOf('--trials');
// A category by its name or its first word (`--only hostile,electron`).
const want = (c: string) => !only || only.some((o) => o === c || o === c.split(' ')[0]);

const SIZE = quick
  ? { customers: 120, crashEach: 3, rounds: 1, faultRepeat: 1, hostileRuns: 40, secretRounds: 1 }
  : { customers: 400, crashEach: 50, rounds: 5, faultRepeat: 3, hostileRuns: 300, secretRounds: 3 };

const started = Date.now();
const tallies: Tally[] = [];
const log = (s: string) => process.stdout.write(`${s}\n`);
log(`Reclaim reliability harness (${quick ? 'quick' : 'full'} mode)`);

const fresh = await connectedWorkspace({ customers: SIZE.customers, seed: 101, sync: false });
const synced = await connectedWorkspace({ customers: SIZE.customers, seed: 202, sync: true });
// The account moves on after the sync: the incremental sync has events to apply.
synced.sim.advance(3 * 86_400);
const work = tempDir();
const csvFile = writeCsv(work, synced.customerIds);
const ctx: CrashContext = { fresh, synced, csvFile, refs: {}, quick };

async function category(name: string, fn: (t: Tally) => Promise<void>): Promise<void> {
  if (!want(name)) return;
  const t = new Tally(name);
  const t0 = Date.now();
  try {
    await fn(t);
  } catch (e) {
    t.record('category', `the harness itself failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
  tallies.push(t);
  log(`${t.line()}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  for (const n of t.notes) log(`    note: ${n}`);
  for (const f of t.failures.slice(0, 20)) log(`    FAILED ${f}`);
}

try {
  await category('crash', (t) => crashCategory(t, ctx, trialsArg ? Number(trialsArg) : SIZE.crashEach, scenarioFilter));
  await category('concurrency', (t) => concurrencyCategory(t, synced, csvFile, SIZE.rounds));
  await category('faults', async (t) => {
    // The reference: a clean full sync of the same account.
    const dir = tempDir();
    fs.cpSync(fresh.dataDir, dir, { recursive: true });
    const core = openCore(dir);
    const { done } = await core.sync.start(fresh.workspaceId);
    await done;
    await core.close();
    const ref = stripeFingerprint(path.join(dir, 'workspaces', `${fresh.workspaceId}.sqlite`));
    fs.rmSync(dir, { recursive: true, force: true });
    await faultsCategory(t, fresh, ref, SIZE.faultRepeat, quick);
  });
  await category('hostile input', (t) => hostileCategory(t, synced, SIZE.hostileRuns));
  await category('secrets', (t) => secretsCategory(t, synced, SIZE.secretRounds));
  await category('electron hardening', (t) => electronCategory(t));
} finally {
  await fresh.sim.close();
  await synced.sim.close();
}

const total = tallies.reduce((a, t) => ({ trials: a.trials + t.trials, passed: a.passed + t.passed, failed: a.failed + t.failed }), { trials: 0, passed: 0, failed: 0 });
log(`\nharness (${quick ? 'quick' : 'full'}): ${total.trials} trials, ${total.passed} passed, ${total.failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
const summary = { mode: quick ? 'quick' : 'full', at: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), total, categories: tallies.map((t) => ({ name: t.name, trials: t.trials, passed: t.passed, failed: t.failed, notes: t.notes, failures: t.failures })) };
fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'test-results', 'harness.json'), JSON.stringify(summary, null, 2));
if (process.env.HARNESS_JSON) fs.writeFileSync(process.env.HARNESS_JSON, JSON.stringify(summary));
process.exit(total.failed === 0 ? 0 : 1);
