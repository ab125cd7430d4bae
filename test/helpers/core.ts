import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../../main/core/api';
import { FileSecrets } from '../../main/core/secrets/file-secrets';
import { silentLogger, systemClock, type Logger } from '../../main/core/ports';

export function tempDir(prefix = 'reclaim-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A real core over a real data folder in a temp dir. */
export function testCore(opts: { dataDir?: string; logger?: Logger } = {}): Core {
  const dataDir = opts.dataDir ?? tempDir();
  return createCore({
    clock: systemClock,
    secrets: new FileSecrets(dataDir),
    logger: opts.logger ?? silentLogger,
    paths: { dataDir },
    fetch: globalThis.fetch,
    version: '0.0.0-test',
    shell: 'test',
  });
}
