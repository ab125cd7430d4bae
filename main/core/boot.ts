import type { Input } from '../../shared/contract';
import type { Core } from './api';
import { dispatch } from './dispatch';
import { removeUnfinishedDemos } from './demo/unfinished';

export const DEMO_DEFAULTS = { customers: 2000, seed: 42 } as const;

/**
 * When nothing is configured (no workspace at all), build the demo workspace so
 * the app opens on real-looking data, marked DEMO. Runs in the background; the
 * renderer sees it arrive through `workspaces.changed` and `sync.progress`.
 */
export async function openDemoIfEmpty(core: Core, input: Input<'demo.create'> = DEMO_DEFAULTS): Promise<void> {
  // A demo whose build was interrupted (stopped during the first start) is built again, not kept half-made.
  removeUnfinishedDemos(core);
  if (core.registry.list().length > 0) return;
  const r = await dispatch(core, 'demo.create', { ...input }, core.ports.logger);
  if (!r.ok) core.ports.logger.error({ err: r.error.message }, 'demo workspace could not be built');
}
