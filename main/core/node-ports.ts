import { createLogger } from './logging';
import { systemClock, type Logger, type Ports } from './ports';
import { FileSecrets } from './secrets/file-secrets';
import { VERSION } from './version';

/** Ports for the shells that run in plain Node: the CLI and the browser console. */
export function createNodePorts(opts: { dataDir: string; shell: Ports['shell']; logger?: Logger }): Ports {
  return {
    clock: systemClock,
    secrets: new FileSecrets(opts.dataDir),
    logger: opts.logger ?? createLogger(),
    paths: { dataDir: opts.dataDir },
    fetch: globalThis.fetch,
    version: VERSION,
    shell: opts.shell,
  };
}
