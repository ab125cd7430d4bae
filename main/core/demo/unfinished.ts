import os from 'node:os';
import type { Core } from '../api';
import { pidAlive } from '../reliability/pid';

/**
 * A demo workspace is built in one go (sync from the local Stripe server, then
 * its history replayed through the recovery engine). The process building it
 * writes this meta row first and deletes it last; a demo that still has it
 * while its builder is gone (Ctrl+C during `npm start`, a crash) is half-built:
 * invoices of its history may still be hidden as drafts. Such a demo is removed
 * at the next start, so the app builds a whole one again.
 */
export const DEMO_BUILDING_META = 'demo.building';

/** Removes demo workspaces whose build was interrupted; returns their names. */
export function removeUnfinishedDemos(core: Pick<Core, 'registry' | 'ports'>): string[] {
  const removed: string[] = [];
  for (const ws of core.registry.list()) {
    if (ws.kind !== 'demo') continue;
    let marker: { pid?: number; host?: string } | null = null;
    try {
      const raw = core.registry.openDb(ws.id).prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(DEMO_BUILDING_META) as string | undefined;
      marker = raw === undefined ? null : (JSON.parse(raw) as { pid?: number; host?: string });
    } catch {
      continue; // A demo that cannot be read is left for the Workspaces page to report.
    }
    if (!marker) continue;
    // Built on another machine (a data folder on a shared drive): its builder cannot be checked from here.
    if (marker.host !== undefined && marker.host !== os.hostname()) continue;
    if (typeof marker.pid === 'number' && marker.pid !== process.pid && pidAlive(marker.pid)) continue;
    core.registry.remove(ws.id);
    core.ports.logger.warn({ workspace: ws.id }, 'removed a demo workspace whose build was interrupted');
    removed.push(ws.name);
  }
  return removed;
}
