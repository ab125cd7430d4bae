// Preloaded (`node --import ./bench/proc-probe.mjs …`) into a process the bench
// measures: when it exits, writes its peak RSS (VmHWM) and what it wrote
// (/proc/self/io) to the file named by RECLAIM_BENCH_PROBE, as one JSON line.
// Linux only: where /proc is missing it writes nothing and the bench says so.
import fs from 'node:fs';

const out = process.env.RECLAIM_BENCH_PROBE;
if (out) {
  process.on('exit', () => {
    try {
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      const io = Object.fromEntries(
        fs.readFileSync('/proc/self/io', 'utf8').trim().split('\n').map((l) => {
          const [k, v] = l.split(':');
          return [k.trim(), Number(v)];
        }),
      );
      const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      fs.writeFileSync(out, `${JSON.stringify({ hwmKb, maxRssKb: process.resourceUsage().maxRSS, ...io })}\n`);
    } catch {
      // No /proc: the bench reports the figure as unavailable.
    }
  });
}
