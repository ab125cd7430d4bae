/**
 * Where the Customers table's scrolling time goes (#22): the same page and scroll as
 * bench/customers-chromium-bench.ts, with Chromium's sampling profiler on during the scroll;
 * prints self time summed by function (top 25), the frames and the customers.list requests.
 * Not part of `npm run bench`: a tool to look before changing the renderer.
 *
 * `PROFILE_N=100000 node --import tsx bench/customers-chromium-profile.ts`
 * - PROFILE_DATA=<dir>: reuse that data folder (built on the first run and kept; its path is printed).
 * - RECLAIM_RENDERER_DIR=<dir>: serve another renderer build, e.g. one without minifying
 *   (`npx vite build --minify false --outDir <dir>`), so the functions keep their names.
 */
import fs from 'node:fs';
import { chromium } from '@playwright/test';
import { FIRST_ROW_PROBE, frames, startConsole, workspaceOf } from './customers-chromium-bench';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const n = Number(process.env.PROFILE_N ?? 100_000);
let dataDir = process.env.PROFILE_DATA;
if (!dataDir || !fs.existsSync(dataDir)) {
  dataDir = await workspaceOf(n);
  console.log(`data folder (kept; PROFILE_DATA=${dataDir} reuses it)`);
}
const server = await startConsole(dataDir);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  await page.addInitScript(FIRST_ROW_PROBE);
  let lists = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/customers.list')) lists++;
  });
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { __firstRow?: number }).__firstRow !== undefined, null, { timeout: 120_000 });
  console.log(`first row painted: ${(await page.evaluate(() => (window as unknown as { __firstRow: number }).__firstRow)).toFixed(0)} ms`);
  const cdp = await page.context().newCDPSession(page);
  if (process.env.PROFILE_TRACE) {
    // Blink's own work by event (layout, style, paint…), summed on the page's main thread.
    const events: { name: string; ph: string; dur?: number; tid: number; args?: { data?: { frame?: string } } }[] = [];
    cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as typeof events)));
    const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
    const f = await frames(page, 4000, 2000);
    await cdp.send('Tracing.end');
    await done;
    // The page's main thread: the one that ran the layouts.
    const main = events.find((e) => e.name === 'Layout')?.tid;
    const sums = new Map<string, { ms: number; n: number }>();
    for (const e of events) {
      if (e.ph !== 'X' || e.dur === undefined || e.tid !== main) continue;
      const s = sums.get(e.name) ?? { ms: 0, n: 0 };
      s.ms += e.dur / 1000;
      s.n++;
      sums.set(e.name, s);
    }
    console.log(`traced scroll: ${f.dropped} of ${f.frames} frames dropped, longest ${f.longest.toFixed(0)} ms`);
    for (const [k, v] of [...sums].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) console.log(`${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}×  ${k}`);
    await page.evaluate(() => document.querySelector('[role="grid"] div[style*="overflow: auto"]')?.scrollTo(0, 0));
  }
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const before = lists;
  const f = await frames(page, 4000, 2000);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  console.log(`scroll 2,000 px/s for 4 s: ${f.dropped} of ${f.frames} frames dropped, longest ${f.longest.toFixed(0)} ms; ${lists - before} customers.list requests`);

  const byId = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const cf = byId.get(id)!.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^.*\//, '')}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`\nself time by function (${total.toFixed(0)} ms sampled):`);
  for (const [k, ms] of top) console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`);
  await page.close();
} finally {
  await browser.close();
  await server.stop();
}
