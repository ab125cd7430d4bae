// `npm start`: builds, then opens the desktop app. When the Electron binary is
// missing it tries to download it once (install-electron, short time limits;
// see scripts/electron-binary.mjs); when that fails it says so in one line and
// serves the browser console (with the demo workspace when there is none).
// `npm run console` (--console): the browser console on purpose.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, buildElectron, buildRenderer } from './build.mjs';
import { electronBinary, electronVersion, fetchElectronBinary } from './electron-binary.mjs';

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

await Promise.all([buildRenderer(), buildCli()]);
let binary = null;
let reason = '';
if (!wantConsole) {
  binary = electronBinary();
  if (!binary) ({ binary, reason } = await fetchElectronBinary({ log: (line) => console.log(line) }));
}
if (binary) {
  await buildElectron();
  run(binary, [root, ...extra]);
} else {
  if (!wantConsole) {
    console.log(`No Electron ${electronVersion() ?? ''} binary: ${reason}. Serving the browser console (with the demo workspace) instead; \`npm run electron:fetch\` gets the binary where the download works.`.replace('  ', ' '));
  }
  run(process.execPath, [path.join(root, 'bin/reclaim.mjs'), ...extra, 'console']);
}
