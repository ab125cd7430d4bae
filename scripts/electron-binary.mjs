// The Electron binary: where it is, and fetching it on first `npm start`.
//
// Electron 42+ has no postinstall: `npm install` only installs the `electron`
// package; its binary (~100 MB, from GitHub releases or $ELECTRON_MIRROR) is
// downloaded by the package's `install-electron` bin (install.js). We never
// `require('electron')` from Node to find it, because that downloads the binary
// synchronously with no time limit; we read the package's path.txt instead.
/* global fetch, AbortSignal, setTimeout, clearTimeout */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The electron package folder, or null when it is not installed. */
function electronPackageDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The Electron version the app ships with (node_modules/electron), or null. */
export function electronVersion() {
  const dir = electronPackageDir();
  if (!dir) return null;
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

/** Path of the Electron binary, or null when it was not downloaded. Never downloads. */
export function electronBinary() {
  const dir = electronPackageDir();
  if (!dir) return null;
  try {
    const rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const base = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist');
    const binary = path.join(base, rel);
    return fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Where install-electron downloads from: $ELECTRON_MIRROR or GitHub releases. */
export function electronDownloadOrigin(env = process.env) {
  const mirror = env.ELECTRON_MIRROR || env.npm_config_electron_mirror;
  try {
    return new URL(mirror || 'https://github.com/electron/electron/releases/download/').origin;
  } catch {
    return 'https://github.com';
  }
}

/**
 * Tries to download the binary with `install-electron`, within time limits:
 * first a reachability probe of the download host (`probeMs`), then the
 * download itself (`timeoutMs`). Resolves to { binary } or { binary: null, reason }
 * where reason is one short sentence fragment for the caller's one-line message.
 */
export async function fetchElectronBinary({ probeMs = 5000, timeoutMs = 180_000, log = () => {} } = {}) {
  const dir = electronPackageDir();
  if (!dir) return { binary: null, reason: 'the electron package is not installed' };
  const origin = electronDownloadOrigin();
  try {
    await fetch(origin, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(probeMs) });
  } catch (e) {
    const cause = e?.cause?.code ?? (e?.name === 'TimeoutError' ? `no answer in ${probeMs / 1000}s` : (e?.message ?? String(e)));
    return { binary: null, reason: `${new URL(origin).host} is unreachable (${cause})` };
  }
  log(`Downloading the Electron ${electronVersion()} binary from ${new URL(origin).host} (up to ${Math.round(timeoutMs / 1000)}s)…`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(dir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      resolve(`timed out after ${Math.round(timeoutMs / 1000)}s`);
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(e.message);
    });
    child.on('exit', (status) => {
      clearTimeout(timer);
      const last = stderr.trim().split('\n').find((l) => /error/i.test(l)) ?? stderr.trim().split('\n')[0] ?? '';
      resolve(status === 0 ? 0 : `the download failed${last ? `: ${last.trim().slice(0, 160)}` : ''}`);
    });
  });
  const binary = electronBinary();
  if (code === 0 && binary) return { binary };
  return { binary: null, reason: typeof code === 'string' ? code : 'the download did not produce a binary' };
}
