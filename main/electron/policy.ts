/**
 * Pure security decisions for the Electron shell. No electron import here, so
 * every rule is unit-tested under Node (test/unit/electron-policy.test.ts).
 */

/** Hosts Reclaim may open in the user's browser: the Stripe dashboard and hosted invoice pages. */
export const EXTERNAL_HOSTS = new Set(['dashboard.stripe.com', 'invoice.stripe.com', 'pay.stripe.com', 'stripe.com', 'docs.stripe.com']);

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && EXTERNAL_HOSTS.has(url.hostname);
}

/**
 * IPC answers only frames showing our own renderer page: same file URL (query
 * and hash ignored). Anything else — a navigated frame, an iframe, a devtools
 * extension page — is refused.
 */
export function isTrustedSender(frameUrl: string | undefined, rendererUrl: string): boolean {
  if (!frameUrl) return false;
  try {
    const a = new URL(frameUrl);
    const b = new URL(rendererUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/**
 * Whether a frame of any web contents may navigate (or be redirected) to
 * `url`: only to the renderer page itself (#18 item 10: `will-navigate`,
 * `will-frame-navigate` and `will-redirect` all ask this). Same rule as the
 * IPC sender check: same file, query and hash ignored.
 */
export function isRendererNavigation(url: string | undefined, rendererUrl: string): boolean {
  return isTrustedSender(url, rendererUrl);
}

/** The window icon, relative to the app root (packed by electron-builder.yml `files`). */
export const WINDOW_ICON_PATH = 'resources/icons/256x256.png';

/** The webPreferences every Reclaim window is created with. A packaged build (`app.isPackaged`) gets no DevTools at all. */
export function secureWebPreferences(preload: string, opts: { packaged?: boolean } = {}) {
  return {
    preload,
    devTools: !opts.packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    // Off by default in Electron 45; stated so a future default cannot turn them on.
    enableDeprecatedPaste: false,
    navigateOnDragDrop: false,
    // Unused Web APIs stay off.
    enableWebSQL: false,
  } as const;
}

/** Menu entries that navigate the renderer: [command, label, accelerator]. */
export const NAV_MENU: [string, string, string][] = [
  ['customers', 'Customers', 'CmdOrCtrl+1'],
  ['segments', 'Segments', 'CmdOrCtrl+2'],
  ['strategies', 'Strategies', 'CmdOrCtrl+3'],
  ['experiments', 'Experiments', 'CmdOrCtrl+4'],
  ['runs', 'Runs', 'CmdOrCtrl+5'],
  ['performance', 'Performance', 'CmdOrCtrl+6'],
  ['exports', 'Exports', 'CmdOrCtrl+7'],
  ['workspaces', 'Workspaces', 'CmdOrCtrl+8'],
];
