import Database from 'better-sqlite3';
import { cli } from './lib/procs';
import type { Tally } from './lib/tally';

/**
 * Two `reclaim run start --yes` at once on one workspace (issue #18.7): one
 * starts the run, the other exits 1 with one line naming that run; never
 * "locked", never a second (empty) run. Email steps only, captured (the
 * workspace's default transport), so the shared Stripe server is left as it was.
 */
export async function twoRunStarts(tally: Tally, dir: string, file: string, ws: string, round: number): Promise<void> {
  await tally.trial(`round ${round} two CLI run starts at once`, async () => {
    const args = ['-w', ws, '--json', 'run', 'start', '--channel', 'email', '--yes'];
    const done = await Promise.all([cli(dir, args).done, cli(dir, args).done]);
    const problems: string[] = [];
    if (done.some((r) => /locked/i.test(r.err + r.out))) problems.push('a start said "locked"');
    const started = done.filter((r) => r.code === 0);
    const refused = done.filter((r) => r.code !== 0);
    if (started.length !== 1) problems.push(`${started.length} of 2 starts exited 0${started.length === 0 ? `: ${done.map((r) => r.err.trim().slice(0, 200)).join(' | ')}` : ''}`);
    const db = new Database(file, { readonly: true });
    let runs: { id: string; items: number }[];
    try {
      runs = db.prepare('SELECT r.id, (SELECT count(*) FROM recovery_run_items i WHERE i.run_id = r.id) AS items FROM recovery_runs r').all() as { id: string; items: number }[];
    } finally {
      db.close();
    }
    if (runs.length !== 1) problems.push(`${runs.length} runs exist afterwards (${runs.map((r) => `${r.id}: ${r.items} invoices`).join(', ')})`);
    if (runs.some((r) => r.items === 0)) problems.push('an empty run was created');
    tally.note(`round ${round} two run starts at once: exits ${done.map((r) => r.code).join(' and ')}; ${runs.map((r) => `${r.id} with ${r.items} invoices`).join(', ')}; refused: ${refused.map((r) => r.err.trim().slice(0, 120)).join(' | ') || 'none'}`);
    for (const r of refused) {
      const line = r.err.trim();
      const named = runs[0] ? `Run ${runs[0].id} is already executing these invoices` : 'is already executing these invoices';
      if (r.code !== 1 || !line.startsWith(`reclaim: ${named}`) || line.includes('\n')) problems.push(`the refused start: exit ${r.code}: ${line.slice(0, 300)}`);
    }
    return problems;
  });
}
