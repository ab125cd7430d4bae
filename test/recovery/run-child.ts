// Runs (or resumes) a recovery run in its own process so the test can SIGKILL it mid-flight.
import { createCore } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { FileSecrets } from '../../main/core/secrets/file-secrets';

const [dataDir, workspaceId, what, id] = process.argv.slice(2) as [string, string, 'start' | 'resume', string];
const nowMs = Number(process.env.RUN_NOW_MS);
const core = createCore({ clock: { now: () => nowMs }, secrets: new FileSecrets(dataDir), logger: silentLogger, paths: { dataDir }, fetch: globalThis.fetch, version: 'child', shell: 'test' });
process.stdout.write('started\n');
const r =
  what === 'start'
    ? await dispatch(core, 'runs.start', { workspaceId, planId: id, confirm: true, wait: true }, silentLogger)
    : await dispatch(core, 'runs.resume', { workspaceId, runId: id, wait: true }, silentLogger);
process.stdout.write(`${JSON.stringify(r)}\n`);
await core.close();
