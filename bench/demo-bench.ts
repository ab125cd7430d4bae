/**
 * `reclaim demo --customers N` (#22), with and without `--no-history`, run as
 * users run it (bin/reclaim.mjs on the compiled CLI, in a child process, into
 * a temp data folder). Budgets at 10k customers: ≤ 15 s, ≤ 300 MB peak RSS,
 * bytes written ≤ 3× the final file. The child's peak RSS (VmHWM) and the
 * bytes it sent to the disk (/proc/self/io write_bytes) are read as it exits
 * by a preload (bench/proc-probe.mjs). The floor measured in the same run:
 * `VACUUM INTO` of the demo's final workspace file by a child node process —
 * the least any way of producing that file must write (its time is in the note).
 * Run alone: `BENCH_DEMO=10000 node --import tsx bench/demo-bench.ts`
 * (BENCH_DEMO_HISTORY=0 for --no-history only).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './table';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'reclaim.mjs');
const PROBE = pathToFileURL(path.join(ROOT, 'bench', 'proc-probe.mjs')).href;
const BUDGET_MS = 15_000;
const BUDGET_RSS_MB = 300;
const MB = 2 ** 20;

interface Probe {
  hwmKb: number;
  maxRssKb: number;
  write_bytes: number;
  wchar: number;
  cancelled_write_bytes: number;
}

interface Measured {
  ms: number;
  probe: Probe;
  stderr: string;
}

/** Runs `node --import proc-probe.mjs …args` to its end; wall time and what the probe read as it exited. */
async function measured(args: string[], dir: string): Promise<Measured> {
  const out = path.join(dir, `probe-${process.hrtime.bigint()}.json`);
  const t = performance.now();
  const child = spawn(process.execPath, ['--import', PROBE, ...args], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RECLAIM_DATA_DIR: undefined, RECLAIM_BENCH_PROBE: out },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - t;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`);
  if (!fs.existsSync(out)) throw new Error('bench: no /proc figures from the child (Linux /proc is needed for this row)');
  return { ms, probe: JSON.parse(fs.readFileSync(out, 'utf8')) as Probe, stderr };
}

const scaleLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** `build: false` when the CLI was just built (bench/cli-startup.ts builds it earlier in the same run). */
export async function demoRows(n: number, opts: { history: boolean[]; build?: boolean }): Promise<BenchRow[]> {
  // The compiled CLI, as installed (bin/reclaim.mjs runs the TypeScript through tsx when a source is newer than the build).
  if (opts.build !== false) {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--cli'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building the CLI failed: ${build.stderr}`);
  }
  const rows: BenchRow[] = [];
  for (const history of opts.history) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-demo-'));
    try {
      const dataDir = path.join(dir, 'data');
      const args = [BIN, '--data-dir', dataDir, 'demo', '--customers', String(n), '--seed', '42', ...(history ? [] : ['--no-history'])];
      const demo = await measured(args, dir);
      const wsDir = path.join(dataDir, 'workspaces');
      const files = fs.readdirSync(wsDir).filter((f) => f.endsWith('.sqlite'));
      if (files.length !== 1) throw new Error(`bench: expected one workspace file, found ${files.join(', ') || 'none'}`);
      const file = path.join(wsDir, files[0]!);
      const finalBytes = fs.readdirSync(wsDir).reduce((s, f) => s + fs.statSync(path.join(wsDir, f)).size, 0);

      // Floor: the same final file written once, by SQLite, from a child node process.
      const copy = path.join(dir, 'vacuum-into.sqlite');
      const floor = await measured(
        ['-e', `const D=require('better-sqlite3');const db=new D(process.argv[1],{readonly:true});db.prepare('VACUUM INTO ?').run(process.argv[2]);db.close();`, file, copy],
        dir,
      );
      const copyBytes = fs.statSync(copy).size;

      const what = `demo --customers ${n}${history ? '' : ' --no-history'}`;
      const scale = scaleLabel(n);
      const written = demo.probe.write_bytes;
      const note =
        `${(finalBytes / MB).toFixed(1)} MB final file; ${(written / MB).toFixed(0)} MB written to disk (${(demo.probe.wchar / MB).toFixed(0)} MB through write()), ` +
        `${(written / finalBytes).toFixed(2)}× the final file (budget ≤ 3×); VACUUM INTO the same data: ${floor.ms.toFixed(0)} ms, ` +
        `${(floor.probe.write_bytes / MB).toFixed(1)} MB written (${(copyBytes / MB).toFixed(1)} MB file); the demo took ${(demo.ms / floor.ms).toFixed(0)}× its time`;
      // Each mode as it ends: the run with history can take many minutes.
      process.stderr.write(`${what}: ${(demo.ms / 1000).toFixed(1)} s, peak RSS ${(demo.probe.hwmKb / 1024).toFixed(0)} MB; ${note}\n`);
      rows.push(
        { section: 'demo', figure: `${what}: wall time`, scale, ms: demo.ms, floorMs: BUDGET_MS, floor: '15 s budget (10k)', ratio: demo.ms / BUDGET_MS, target: 1, note },
        {
          section: 'demo', figure: `${what}: peak RSS`, scale, ms: demo.probe.hwmKb / 1024, floorMs: BUDGET_RSS_MB, floor: '300 MB budget',
          ratio: demo.probe.hwmKb / 1024 / BUDGET_RSS_MB, target: 1, unit: 'MB',
        },
        {
          section: 'demo', figure: `${what}: bytes written`, scale, ms: written / MB, floorMs: floor.probe.write_bytes / MB, floor: 'VACUUM INTO the result',
          ratio: written / Math.max(1, floor.probe.write_bytes), target: 3, unit: 'MB',
        },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { renderTable } = await import('./table');
  const history = process.env.BENCH_DEMO_HISTORY === '0' ? [false] : [false, true];
  console.log(renderTable(await demoRows(Number(process.env.BENCH_DEMO ?? 10_000), { history })));
}
