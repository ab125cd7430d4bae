import Database from 'better-sqlite3';
import fs from 'node:fs';
import { api, startConsoleChild } from '../helpers/console-child';
import { openSqlite } from '../../main/core/db/sqlite';
import { verifyAudit } from '../../main/core/recovery/audit-chain';
import { twoRunStarts } from './concurrent-runs';
import { checkWorkspace } from './lib/consistency';
import { cloneDataDir, workspaceFile, type Fixture } from './lib/fixture';
import { cli, sleep } from './lib/procs';
import type { Tally } from './lib/tally';

/**
 * Two CLI processes and the console on one workspace, mixed reads and writes,
 * while a full sync writes throughout. Every operation is a trial: it must
 * succeed (a second sync joins the first and succeeds too). 0 failures.
 * Then two CLI run starts at once: one runs, the other is refused (#18.7).
 */
export async function concurrencyCategory(tally: Tally, fx: Fixture, csvFile: string, rounds: number): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    const dir = cloneDataDir(fx.dataDir);
    const ws = fx.workspaceId;
    const file = workspaceFile(dir, ws);
    const raw = new Database(file);
    raw.prepare('DELETE FROM sync_state').run(); // a full backfill: writes all along
    raw.close();
    fx.sim.setFaults([{ kind: 'slow', ms: 5, rate: 1 }]);
    const consoleChild = await startConsoleChild(dir);
    try {
      const syncA = cli(dir, ['-w', ws, 'sync']);
      await sleep(200);
      const syncB = cli(dir, ['-w', ws, 'sync']);
      const cliOps = [
        { label: 'CLI attributes import', run: cli(dir, ['-w', ws, 'attributes', 'import', csvFile, '--allow-type-change']) },
        { label: 'CLI segments list', run: cli(dir, ['-w', ws, '--json', 'segments', 'list']) },
        { label: 'CLI customers', run: cli(dir, ['-w', ws, '--json', 'customers', '--limit', '20']) },
        // Audit entries from the CLI while the console writes its own (#18 item 6: one unbroken chain).
        { label: 'CLI suppressions add (audited)', run: cli(dir, ['-w', ws, 'suppressions', 'add', `cli-r${round}@example.test`]) },
      ];
      let syncing = true;
      void Promise.all([syncA.done, syncB.done]).then(() => (syncing = false));
      for (let i = 0; syncing || i < 4; i++) {
        const ops: [string, string, unknown][] = [
          ['console segments.create', 'segments.create', { workspaceId: ws, name: `R${round} busy ${i}`, rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>', value: i * 500 }] } }],
          ['console attributes.importCsv', 'attributes.importCsv', { workspaceId: ws, csv: `id,busy_visits\n${fx.customerIds.slice(0, 30).map((id, j) => `${id},${i + j}`).join('\n')}\n` }],
          ['console customers.list', 'customers.list', { workspaceId: ws, limit: 50 }],
          ['console segments.preview', 'segments.preview', { workspaceId: ws, rule: { combinator: 'or', rules: [{ field: 'failures_12m', operator: '>=', value: 1 }] } }],
          ['console suppressions.add (audited)', 'suppressions.add', { workspaceId: ws, email: `console-r${round}-${i}@example.test`, reason: 'harness' }],
        ];
        for (const [label, method, input] of ops) {
          await tally.trial(`round ${round} ${label} #${i}`, async () => {
            const r = await api(consoleChild, method, input);
            return r.body?.ok ? null : `${r.status} ${r.body?.error?.message ?? 'no answer'}`;
          });
        }
        if (i > 400) break;
      }
      for (const [label, run] of [['CLI sync A', syncA], ['CLI sync B', syncB]] as const) {
        await tally.trial(`round ${round} ${label}`, async () => {
          const r = await run.done;
          if (/locked/i.test(r.err + r.out)) return `said "locked": ${r.err.trim()}`;
          return r.code === 0 ? null : `exit ${r.code}: ${r.err.trim().slice(0, 300)}`;
        });
      }
      for (const op of cliOps) {
        await tally.trial(`round ${round} ${op.label}`, async () => {
          const r = await op.run.done;
          return r.code === 0 ? null : `exit ${r.code}: ${r.err.trim().slice(0, 300)}`;
        });
      }
      await tally.trial(`round ${round} console process still up`, async () => (consoleChild.exited() ? 'the console exited' : null));
    } finally {
      fx.sim.setFaults([]);
      await consoleChild.stop();
    }
    await twoRunStarts(tally, dir, file, ws, round);
    await tally.trial(`round ${round} workspace consistent afterwards`, async () => checkWorkspace(file));
    await tally.trial(`round ${round} audit chain unbroken afterwards`, async () => {
      const db = openSqlite(file, { readonly: true });
      try {
        const v = verifyAudit(db);
        return v.ok && v.count > 0 ? null : v.ok ? 'no audit entries were written' : `broken at entry ${v.broken!.id}: ${v.broken!.reason}`;
      } finally {
        db.close();
      }
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
