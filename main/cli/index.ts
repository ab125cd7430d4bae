import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge } from '../bridge/server';
import type { Core } from '../core/api';
import { openDemoIfEmpty } from '../core/boot';
import { removeUnfinishedDemos } from '../core/demo/unfinished';
import { guardOutput } from './pipes';
import { runCli, type CliIO } from './program';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built renderer; built on first use when running from a source checkout. */
async function rendererDir(io: CliIO): Promise<string> {
  const dir = io.env.RECLAIM_RENDERER_DIR ? path.resolve(io.env.RECLAIM_RENDERER_DIR) : path.join(ROOT, 'dist', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    io.err('Building the console (first run)…');
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  }
  return dir;
}

async function serveConsole(core: Core, opts: { port?: number; json: boolean; demo: boolean }, io: CliIO): Promise<void> {
  const bridge = await startBridge({ core, staticDir: await rendererDir(io), ...(opts.port !== undefined ? { port: opts.port } : {}) });
  const dataDir = core.ports.paths.dataDir;
  if (opts.json) io.out(JSON.stringify({ url: bridge.url, port: bridge.port, token: bridge.token, dataDir }));
  else {
    io.out(`Reclaim console: ${bridge.url}`);
    io.out('Open that URL in a browser on this machine. Press Ctrl+C to stop.');
    io.out(`Data folder: ${dataDir}`);
  }
  // A demo left half-built by an earlier start (stopped while building) is built again.
  if (opts.demo && removeUnfinishedDemos(core).length > 0 && !opts.json) io.out('The demo workspace was left half-built by an earlier start; building it again.');
  if (opts.demo && core.registry.list().length === 0) {
    if (!opts.json) io.out('No workspace yet: building the demo workspace (generated data, marked DEMO)…');
    // #19: the history replay says where it is, every 10 simulated days.
    const offHistory = core.events.on('demo.progress', (p) => {
      if (!opts.json && (p.day % 10 === 0 || p.day === p.days)) io.out(p.message);
    });
    void openDemoIfEmpty(core).then(() => {
      offHistory();
      const demo = core.registry.list()[0];
      if (opts.json) return;
      if (demo) io.out(`Demo workspace ready: "${demo.name}" (${path.join(dataDir, 'workspaces')}).`);
      else io.err(`The demo workspace could not be built; the reason is in ${path.join(dataDir, 'logs', 'reclaim.log')}.`);
    });
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await bridge.close();
}

// `reclaim … | head`: a closed reader ends the output quietly (main/cli/pipes.ts).
const stdoutGuard = guardOutput(process.stdout, (e) => {
  if (!stderrGuard.closed) process.stderr.write(`reclaim: cannot write the output: ${e.code ?? e.message}\n`);
  process.exitCode = 1;
});
const stderrGuard = guardOutput(process.stderr, () => {});

const io: CliIO = {
  out: (text) => {
    if (!stdoutGuard.closed) process.stdout.write(`${text}\n`);
  },
  stdout: process.stdout,
  err: (text) => {
    if (!stderrGuard.closed) process.stderr.write(`${text}\n`);
  },
  env: process.env,
  isTTY: Boolean(process.stdin.isTTY),
};

const code = await runCli(process.argv.slice(2), io, { serveConsole: (core, opts) => serveConsole(core, opts, io) });
process.exitCode = Math.max(code, Number(process.exitCode ?? 0));
