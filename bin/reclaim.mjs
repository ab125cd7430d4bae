#!/usr/bin/env node
// The `reclaim` command. Runs the compiled CLI (dist/cli/reclaim.mjs, built by
// `npm install` / `npm ci` through the prepare script, and by `npm start`).
// In a checkout where a source file is newer than that build (or there is no
// build yet), it runs the TypeScript through tsx instead, so edits apply at once.
import fs from 'node:fs';
import module from 'node:module';

const root = new URL('../', import.meta.url);
const args = process.argv.slice(2);

// `reclaim --version` answers from package.json without loading the CLI.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8')).version}\n`);
} else {
  // Node 22.1+: cache compiled code between runs (no-op where unsupported).
  module.enableCompileCache?.();
  if (builtIsCurrent()) await import(new URL('dist/cli/reclaim.mjs', root).href);
  else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(new URL('main/cli/index.ts', root).href);
  }
}

/** The compiled CLI exists and no source it was built from changed since. */
function builtIsCurrent() {
  try {
    const { builtAt, sources } = JSON.parse(fs.readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    if (!fs.existsSync(new URL('dist/cli/reclaim.mjs', root))) return false;
    // An installed copy without sources runs the build as it is.
    if (!fs.existsSync(new URL('main/cli/index.ts', root))) return true;
    return sources.every((file) => {
      const stat = fs.statSync(new URL(file, root), { throwIfNoEntry: false });
      return stat !== undefined && stat.mtimeMs <= builtAt;
    });
  } catch {
    return false;
  }
}
