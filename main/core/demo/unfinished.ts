import type { Core } from '../api';

/**
 * A demo workspace is built in one go (sync from the local Stripe server, then
 * its history replayed through the recovery engine). The process building it
 * writes this meta row first and deletes it last; a demo that still has it
 * while its builder is gone (Ctrl+C during `npm start`, a crash) is half-built:
 * invoices of its history may still be hidden as drafts. Such a demo is removed
 * at the next start, so the app builds a whole one again.
 */
export const DEMO_BUILDING_META = 'demo.building';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes demo workspaces whose build was interrupted; returns their names. */
export function removeUnfinishedDemos(core: Pick<Core, 'registry' | 'ports'>): string[] {
  const removed: string[] = [];
  for (const ws of core.registry.list()) {
    if (ws.kind !== 'demo') continue;
    let marker: { pid?: number } | null = null;
    try {
      const raw = core.registry.openDb(ws.id).prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(DEMO_BUILDING_META) as string | undefined;
      marker = raw === undefined ? null : (JSON.parse(raw) as { pid?: number });
    } catch {
      continue; // A demo that cannot be read is left for the Workspaces page to report.
    }
    if (!marker || (typeof marker.pid === 'number' && marker.pid !== process.pid && alive(marker.pid))) continue;
    core.registry.remove(ws.id);
    core.ports.logger.warn({ workspace: ws.id }, 'removed a demo workspace whose build was interrupted');
    removed.push(ws.name);
  }
  return removed;
}
