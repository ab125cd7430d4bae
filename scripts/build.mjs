// Builds the renderer (Vite), the Electron main + preload bundles and the
// `reclaim` CLI (esbuild). `npm install` / `npm ci` run the CLI part (prepare).
import { build as esbuild } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildRenderer() {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

/** CommonJS bundles get import.meta.url as the bundle's own file URL (the core finds files beside itself with it). */
const IMPORT_META_URL_CJS = {
  define: { 'import.meta.url': '__reclaimImportMetaUrl' },
  banner: { js: "const __reclaimImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

export async function buildElectron() {
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning' };
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'main/electron/main.ts')],
    outfile: path.join(root, 'dist/electron/main.cjs'),
    // Native and electron modules stay outside the bundle.
    external: ['electron', 'better-sqlite3', 'exceljs'],
    ...IMPORT_META_URL_CJS,
  });
  // The membership recompute's worker thread loads this file beside main.cjs (segments/membership-worker-host.ts).
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'main/core/segments/membership-worker.ts')],
    outfile: path.join(root, 'dist/electron/membership-worker.cjs'),
    external: ['better-sqlite3'],
    ...IMPORT_META_URL_CJS,
  });
  await esbuild({
    ...common,
    entryPoints: [path.join(root, 'preload/preload.ts')],
    outfile: path.join(root, 'dist/preload/preload.cjs'),
    external: ['electron'],
  });
}

/** Where the compiled CLI goes; bin/reclaim.mjs runs it. */
export const CLI_OUT = path.join(root, 'dist/cli/reclaim.mjs');
/** The sources the CLI was built from (bin/reclaim.mjs falls back to them when one is newer). */
export const CLI_INPUTS = path.join(root, 'dist/cli/inputs.json');

/**
 * The CLI as one minified ES module: compiled JavaScript, so `reclaim` starts
 * without transpiling TypeScript. better-sqlite3 (native) and vite (only to
 * build the console on first use from a checkout) stay outside the bundle.
 */
export async function buildCli() {
  const builtAt = Date.now();
  const result = await esbuild({
    entryPoints: [path.join(root, 'main/cli/index.ts')],
    outfile: CLI_OUT,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    metafile: true,
    legalComments: 'none',
    // exceljs (XLSX exports) is loaded on use from node_modules: bundled, its zip dependencies'
    // deprecated Buffer() calls would print a DeprecationWarning on every XLSX export.
    external: ['better-sqlite3', 'vite', 'exceljs'],
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __reclaimRequire } from 'node:module'; const require = __reclaimRequire(import.meta.url);" },
  });
  // The membership recompute's worker thread loads this file beside reclaim.mjs (segments/membership-worker-host.ts).
  const worker = await esbuild({
    entryPoints: [path.join(root, 'main/core/segments/membership-worker.ts')],
    outfile: path.join(path.dirname(CLI_OUT), 'membership-worker.mjs'),
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    metafile: true,
    legalComments: 'none',
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __reclaimRequire } from 'node:module'; const require = __reclaimRequire(import.meta.url);" },
  });
  const sources = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(worker.metafile.inputs)])].filter((f) => !f.includes('node_modules/'));
  fs.writeFileSync(CLI_INPUTS, JSON.stringify({ builtAt, sources }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  const built = [];
  if (!only || only === '--renderer') {
    await buildRenderer();
    built.push('dist/renderer');
  }
  if (!only || only === '--electron') {
    await buildElectron();
    built.push('dist/electron', 'dist/preload');
  }
  if (!only || only === '--cli') {
    await buildCli();
    built.push('dist/cli');
  }
  if (built.length === 0) {
    console.error(`build.mjs: unknown option ${only} (use --renderer, --electron or --cli)`);
    process.exit(2);
  }
  console.log(`Built ${built.join(', ')}.`);
}
