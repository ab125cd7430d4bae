import fs from 'node:fs';
import { call, clockedCore } from '../whiteglove/engine-helpers';
import { NOW_SEC, seedPerformance } from '../performance/fixture';

/**
 * A data folder with one workspace holding the performance report's
 * hand-worked dataset (test/performance/fixture.ts), for tests that drive the
 * real `reclaim` command on it. Run as a script: `node --import tsx seed-workspace.ts DIR`.
 */
export async function seedReportWorkspace(dataDir: string, name = 'Acme & <Co>'): Promise<string> {
  const { core } = clockedCore(NOW_SEC, dataDir);
  try {
    const ws = await call(core, 'workspaces.create', { name, mode: 'test', currency: 'usd' });
    seedPerformance(core.registry.openDb(ws.id));
    return ws.id;
  } finally {
    await core.close();
  }
}

/** The workspace's performance report (the fixture's range) as the self-contained HTML file `file`. */
export async function writeReportHtml(dataDir: string, workspaceId: string, file: string): Promise<void> {
  const { core } = clockedCore(NOW_SEC, dataDir);
  try {
    const x = await call(core, 'exports.create', { workspaceId, what: 'performance', format: 'html', from: '2026-09-01', to: '2026-11-30' });
    fs.writeFileSync(file, x.content);
  } finally {
    await core.close();
  }
}

// As a script: `node --import tsx seed-workspace.ts DIR [REPORT.html]`.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv[2]) {
  const id = await seedReportWorkspace(process.argv[2]);
  if (process.argv[3]) await writeReportHtml(process.argv[2], id, process.argv[3]);
}
