// `npm start`: builds and opens the desktop app; where the Electron binary is
// missing, says so and serves the browser console instead.
// `npm run console` (--console): the browser console on purpose.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron, buildRenderer } from './build.mjs';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wantConsole = process.argv.includes('--console');
const extra = process.argv.slice(2).filter((a) => a !== '--console');

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

await buildRenderer();
const binary = wantConsole ? null : electronBinary();
if (binary) {
  await buildElectron();
  run(binary, [root, ...extra]);
} else {
  if (!wantConsole) {
    console.log('Electron binary is not installed on this machine (run `npm run electron:fetch` where GitHub is reachable); serving the browser console instead.');
  }
  run(process.execPath, [path.join(root, 'bin/reclaim.mjs'), ...extra, 'console']);
}
