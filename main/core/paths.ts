import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Reclaim';

/**
 * The per-user data folder, the same one Electron's app.getPath('userData')
 * gives the desktop app, so the CLI and the app share workspaces.
 * RECLAIM_DATA_DIR overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.RECLAIM_DATA_DIR) return path.resolve(env.RECLAIM_DATA_DIR);
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}
