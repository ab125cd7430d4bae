/**
 * Start-up cost of the `reclaim` command (issue #8), as a ratio to a bare
 * `node -e 0` measured in the same run, interleaved so both see the same load:
 *
 *   reclaim --version                              target ≤ 3× node -e 0
 *   reclaim segments list --json (demo workspace)  target ≤ 5× node -e 0
 *
 * Measures bin/reclaim.mjs as users run it, on the compiled CLI (it is rebuilt
 * first, so a checkout with edited sources does not measure the tsx fallback).
 * Run alone with `npm run bench:cli` (BENCH_QUICK=1 for fewer runs).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'reclaim.mjs');

export interface CliStartupRow {
  figure: string;
  scale: string;
  ms: number;
  floorMs: number;
  ratio: number;
  target: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of one process run, in ms; throws when it fails. */
function wall(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RECLAIM_DATA_DIR: undefined } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return ms;
}

export async function cliStartupRows(opts: { quick: boolean }): Promise<CliStartupRow[]> {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--cli'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the CLI failed: ${build.stderr}`);
  const customers = opts.quick ? 300 : 2000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-cli-'));
  try {
    wall([BIN, '--data-dir', dataDir, 'demo', '--customers', String(customers), '--seed', '42']);
    const cases = {
      floor: ['-e', '0'],
      version: [BIN, '--version'],
      segments: [BIN, '--data-dir', dataDir, '--json', 'segments', 'list'],
    };
    const runs = opts.quick ? 7 : 21;
    const ms: Record<keyof typeof cases, number[]> = { floor: [], version: [], segments: [] };
    for (const args of Object.values(cases)) wall(args); // warm the file cache
    for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) ms[k as keyof typeof cases].push(wall(args));
    const floorMs = median(ms.floor);
    const row = (figure: string, scale: string, samples: number[], target: number): CliStartupRow => {
      const m = median(samples);
      return { figure, scale, ms: m, floorMs, ratio: m / floorMs, target };
    };
    return [
      row('reclaim --version', 'start-up', ms.version, 3),
      row('reclaim segments list --json', `demo, ${customers.toLocaleString('en')} customers`, ms.segments, 5),
    ];
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await cliStartupRows({ quick: process.env.BENCH_QUICK === '1' });
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`${'figure'.padEnd(30)} ${'scale'.padEnd(24)} ${pad('ms', 7)} ${pad('node -e 0', 10)} ${pad('ratio', 6)} ${pad('target', 7)}  verdict`);
  let slow = 0;
  for (const r of rows) {
    const ok = r.ratio <= r.target;
    if (!ok) slow++;
    console.log(`${r.figure.padEnd(30)} ${r.scale.padEnd(24)} ${pad(r.ms.toFixed(0), 7)} ${pad(r.floorMs.toFixed(0), 10)} ${pad(`${r.ratio.toFixed(2)}×`, 6)} ${pad(`≤${r.target}×`, 7)}  ${ok ? 'ok' : 'SLOWER THAN TARGET'}`);
  }
  process.exitCode = slow ? 1 : 0;
}
