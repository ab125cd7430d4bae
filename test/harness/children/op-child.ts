// One operation on a workspace in its own process, so a harness trial can
// SIGKILL it at a random moment. Prints "ready" once the core is open, then
// "done" (or "failed: …") when the operation has ended.
//   op-child.ts <dataDir> <workspaceId> import <csvFile> | recompute <n> | sync | run-start <planId> | run-resume <runId>
// RECLAIM_NOW_MS, when set, fixes the clock (recovery runs are due by the harness's clock).
import fs from 'node:fs';
import { createCore } from '../../../main/core/api';
import { dispatch } from '../../../main/core/dispatch';
import { createNodePorts } from '../../../main/core/node-ports';
import { silentLogger } from '../../../main/core/ports';

const [dataDir, workspaceId, op, arg] = process.argv.slice(2) as [string, string, string, string | undefined];
const ports = createNodePorts({ dataDir, shell: 'cli', logger: silentLogger });
const fixedNow = process.env.RECLAIM_NOW_MS ? Number(process.env.RECLAIM_NOW_MS) : null;
const core = createCore(fixedNow === null ? ports : { ...ports, clock: { now: () => fixedNow } });
const call = async (method: string, input: unknown) => {
  const r = await dispatch(core, method, input, silentLogger);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
try {
  await call('segments.list', { workspaceId });
  process.stdout.write('ready\n');
  if (op === 'import') {
    await call('attributes.importCsv', { workspaceId, csv: fs.readFileSync(arg!, 'utf8'), allowTypeChange: true });
  } else if (op === 'recompute') {
    await call('segments.create', { workspaceId, name: `Trial ${arg ?? Date.now()}`, rule: { combinator: 'or', rules: [{ field: 'mrr', operator: '>', value: Number(arg ?? 1000) }, { field: 'failures_12m', operator: '>=', value: 1 }] } });
  } else if (op === 'sync') {
    const { started, message, done } = await core.sync.start(workspaceId);
    if (!started || !done) throw new Error(message);
    const outcome = await done;
    if (outcome.status !== 'completed') throw new Error(outcome.message);
  } else if (op === 'run-start') {
    await call('runs.start', { workspaceId, planId: arg!, confirm: true, wait: true });
  } else if (op === 'run-resume') {
    await call('runs.resume', { workspaceId, runId: arg!, wait: true });
  } else throw new Error(`unknown op ${op}`);
  process.stdout.write('done\n');
} catch (e) {
  process.stdout.write(`failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await core.close();
}
