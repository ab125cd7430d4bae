// `npm test`: everything that needs no display, in order, stopping at the first
// failing step: typecheck, lint, unit + integration (vitest, Node), the
// reliability harness in quick mode, browser
// e2e against the console shell (Playwright + Chromium), and the Electron e2e
// suite where the Electron binary exists. Ends with one "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };

function step(label, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.log(`✗ ${label} failed (${secs}s)`);
    return false;
  }
  console.log(`✓ ${label} (${secs}s)`);
  return true;
}

function countVitest(file) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  } catch {
    /* the step's own exit code already tells */
  }
}

function countPlaywright(file) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    totals.passed += r.stats.expected;
    totals.failed += r.stats.unexpected + r.stats.flaky;
    totals.skipped += r.stats.skipped;
  } catch {
    /* the step's own exit code already tells */
  }
}

function finish(ok) {
  console.log(`\n${ok ? 'All checks passed' : 'Checks FAILED'}`);
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(ok ? 0 : 1);
}

const steps = [
  () => step('typecheck (tsc)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  () => step('lint (eslint)', bin('eslint'), ['--max-warnings', '0', '.']),
  () => {
    const out = path.join(tmp, 'vitest.json');
    const ok = step('unit + integration (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
    countVitest(out);
    return ok;
  },
  () => {
    // The reliability harness in quick mode (issue #10): its trials count in the totals.
    const out = path.join(tmp, 'harness.json');
    const ok = step('reliability harness, quick (crash, concurrency, faults, hostile input, secrets, Electron hardening)', process.execPath, ['--import', 'tsx', 'test/harness/run.ts', '--quick'], {
      HARNESS_JSON: out,
    });
    try {
      const r = JSON.parse(fs.readFileSync(out, 'utf8'));
      totals.passed += r.total.passed;
      totals.failed += r.total.failed;
    } catch {
      /* the step's own exit code already tells */
    }
    return ok;
  },
  // The bench at small scales: it fails only if it crashes (its targets are goals, not tests).
  () => step('bench --quick (crash check)', process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick']),
  () => step('build console (vite)', process.execPath, ['scripts/build.mjs', '--renderer']),
  () => {
    const out = path.join(tmp, 'pw-console.json');
    const ok = step('browser e2e (Playwright, Chromium, console shell)', bin('playwright'), ['test', '--project', 'console', '--reporter=list,json'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    });
    countPlaywright(out);
    return ok;
  },
  () => {
    if (!electronBinary()) {
      console.log('\n▶ Electron e2e (Playwright _electron): SKIPPED — the Electron binary is not installed on this machine (npm run electron:fetch where GitHub is reachable).');
      return true;
    }
    if (!step('build app (esbuild)', process.execPath, ['scripts/build.mjs', '--electron'])) return false;
    const out = path.join(tmp, 'pw-electron.json');
    const ok = step('Electron e2e (Playwright _electron)', bin('playwright'), ['test', '--project', 'electron', '--reporter=list,json'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    });
    countPlaywright(out);
    return ok;
  },
];

for (const s of steps) if (!s()) finish(false);
finish(true);
