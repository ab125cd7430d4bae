import type { Core } from './api';
import { dispatch } from './dispatch';

export const DEMO_DEFAULTS = { customers: 2000, seed: 42 } as const;

/**
 * When nothing is configured (no workspace at all), build the demo workspace so
 * the app opens on real-looking data, marked DEMO. Runs in the background; the
 * renderer sees it arrive through `workspaces.changed` and `sync.progress`.
 */
export async function openDemoIfEmpty(core: Core): Promise<void> {
  if (core.registry.list().length > 0) return;
  const r = await dispatch(core, 'demo.create', { ...DEMO_DEFAULTS }, core.ports.logger);
  if (!r.ok) core.ports.logger.error({ err: r.error.message }, 'demo workspace could not be built');
}
