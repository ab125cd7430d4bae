// Builds the renderer (Vite) and the Electron main + preload bundles (esbuild).
import { build as esbuild } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildRenderer() {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

export async function buildElectron() {
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning' };
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'main/electron/main.ts')],
    outfile: path.join(root, 'dist/electron/main.cjs'),
    // Native and electron modules stay outside the bundle.
    external: ['electron', 'better-sqlite3'],
  });
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'preload/preload.ts')],
    outfile: path.join(root, 'dist/preload/preload.cjs'),
    external: ['electron'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  if (only !== '--electron') await buildRenderer();
  if (only !== '--renderer') await buildElectron();
  console.log(only === '--renderer' ? 'Built dist/renderer.' : only === '--electron' ? 'Built dist/electron and dist/preload.' : 'Built dist/renderer, dist/electron and dist/preload.');
}
