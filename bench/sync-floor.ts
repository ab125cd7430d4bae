/**
 * Full sync against the rate-limit floor (issue #11). The local Stripe server
 * (main/stripe-sim) holds a generated business and enforces Stripe's live-mode
 * limit of 100 read requests per second
 * (https://docs.stripe.com/rate-limits: "100 operations per second" in live
 * mode); the sync runs in a child process (bench/sync-child.ts) with the rate
 * a live key gets from our client. The floor is the fewest requests a full
 * sync can make (every list paged 100 at a time, plus the events cursor and
 * one events page) divided by the limit.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKFILLED } from '../main/core/stripe/map';
import { randomTestKey, startStripeSim } from '../main/stripe-sim';
import type { BenchRow } from './table';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const STRIPE_LIVE_LIMIT = 100;
/** What our client uses for a live key (main/core/stripe/sync.ts): 10% headroom under Stripe's limit. */
export const CLIENT_LIVE_RATE = 90;

interface ChildResult {
  status: string;
  requests: number;
  retries: number;
  counts: Record<string, number>;
  wallMs: number;
  peakRss: number;
  bytes: number;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'sync-child.ts'), ...args], { cwd: path.join(HERE, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`sync child exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
      } catch {
        reject(new Error(`sync child printed no result: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}

export async function syncRows(customers: number): Promise<{ rows: BenchRow[]; profile: string[] }> {
  const scale = customers >= 1e6 ? `${customers / 1e6}M` : `${customers / 1e3}k`;
  const sim = await startStripeSim({ seed: 11, customers, rateLimit: { perSecond: STRIPE_LIVE_LIMIT } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-bench-sync-'));
  try {
    const key = randomTestKey();
    sim.addKey(key, 'all');
    const counts = sim.counts();
    const minimum = BACKFILLED.reduce((a, r) => a + Math.max(1, Math.ceil((counts[r] ?? 0) / 100)), 0) + 2;
    const objects = BACKFILLED.reduce((a, r) => a + (counts[r] ?? 0), 0);
    const r = await runChild([sim.url, key, path.join(dir, 'ws.sqlite'), String(CLIENT_LIVE_RATE)]);
    if (r.status !== 'completed') throw new Error(`sync ended ${r.status}`);
    const floorMs = (minimum / STRIPE_LIVE_LIMIT) * 1000;
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
    const note =
      `${r.requests.toLocaleString('en')} requests (minimum ${minimum.toLocaleString('en')}, ${r.retries} retries), ` +
      `${objects.toLocaleString('en')} objects, ${Math.round(objects / (r.wallMs / 1000)).toLocaleString('en')} objects/s, ` +
      `peak RSS ${mb(r.peakRss)}, database ${mb(r.bytes)} (${mb((r.bytes * 100_000) / customers)} per 100k customers)`;
    const rows: BenchRow[] = [
      { section: 'sync', figure: `full sync at Stripe's live limit (${STRIPE_LIVE_LIMIT}/s)`, scale, ms: r.wallMs, floorMs, floor: 'requests needed ÷ limit', ratio: r.wallMs / floorMs, target: 1.15, note },
      { section: 'sync', figure: 'sync peak RSS', scale, ms: r.peakRss / 2 ** 20, floorMs: 300, floor: '300 MB budget', ratio: r.peakRss / 2 ** 20 / 300, target: 1, unit: 'MB' },
    ];
    return { rows, profile: [`sync ${scale}: ${note}; counts ${JSON.stringify(counts)}`] };
  } finally {
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
