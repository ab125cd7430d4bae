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

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv[2]) {
  await seedReportWorkspace(process.argv[2]);
}
