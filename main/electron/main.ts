/**
 * Electron main process: the only place (with the rest of main/electron/) that
 * imports electron. It hosts the core and answers the renderer over IPC.
 */
import { app, BrowserWindow, ipcMain, Menu, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from '../core/api';
import { openDemoIfEmpty } from '../core/boot';
import { createLogger } from '../core/logging';
import { systemClock } from '../core/ports';
import { VERSION } from '../core/version';
import { createInvokeHandler, INVOKE_CHANNEL } from './ipc-handler';
import { menuTemplate } from './menu';
import { isAllowedExternalUrl, isRendererNavigation, secureWebPreferences, WINDOW_ICON_PATH } from './policy';
import { SafeStorageSecrets } from './secrets';

app.setName('Reclaim');
if (!app.requestSingleInstanceLock()) app.quit();

const RENDERER = path.join(__dirname, '..', 'renderer', 'index.html');
const PRELOAD = path.join(__dirname, '..', 'preload', 'preload.cjs');
const RENDERER_URL = pathToFileURL(RENDERER).toString();
/** Title-bar and task-bar icon on Linux and Windows (macOS uses the bundle's icon.icns). */
const WINDOW_ICON = path.join(__dirname, '..', '..', WINDOW_ICON_PATH);

let core: Core | null = null;
let win: BrowserWindow | null = null;

function sendMenu(command: string) {
  win?.webContents.send('reclaim:menu', command);
}

function buildMenu() {
  // No DevTools entry in packaged builds (menu.ts); their windows have devTools: false too.
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ isMac: process.platform === 'darwin', isPackaged: app.isPackaged, send: sendMenu })));
}

function createWindow() {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 1000,
    minHeight: 640,
    title: 'Reclaim',
    ...(process.platform === 'darwin' ? {} : { icon: WINDOW_ICON }),
    show: false,
    webPreferences: secureWebPreferences(PRELOAD, { packaged: app.isPackaged }),
  });
  win.once('ready-to-show', () => win?.show());
  // Navigation, redirect and window-open guards: on every web contents, below.
  win.on('closed', () => (win = null));
  void win.loadFile(RENDERER);
}

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

// Every web contents (the window's, and any other Electron creates: frames' popups,
// devtools) gets the same guards (#18 item 10): no webview, no navigation or
// redirect of any frame away from the renderer page, no new windows — https
// links to Stripe open in the browser.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.on('will-navigate', (e) => {
    if (!isRendererNavigation(e.url, RENDERER_URL)) e.preventDefault();
  });
  contents.on('will-frame-navigate', (e) => {
    if (!isRendererNavigation(e.url, RENDERER_URL)) e.preventDefault();
  });
  contents.on('will-redirect', (e) => {
    if (!isRendererNavigation(e.url, RENDERER_URL)) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  // RECLAIM_DATA_DIR lets tests (and the CLI) point the app at another folder.
  const dataDir = process.env.RECLAIM_DATA_DIR ?? app.getPath('userData');
  const logger = createLogger({ destination: path.join(dataDir, 'logs', 'reclaim.log') });
  core = createCore({
    clock: systemClock,
    secrets: new SafeStorageSecrets(dataDir),
    logger,
    paths: { dataDir },
    fetch: globalThis.fetch,
    version: VERSION,
    shell: 'electron',
  });
  const activeCore = core;

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  // Sender check and dispatch live in ipc-handler.ts (electron-free, fuzzed by the harness).
  const invoke = createInvokeHandler({ core: activeCore, rendererUrl: RENDERER_URL, logger });
  ipcMain.handle(INVOKE_CHANNEL, (event, method: unknown, input: unknown) => invoke(event, method, input));
  activeCore.events.onAny((event, payload) => win?.webContents.send('reclaim:event', event, payload));

  buildMenu();
  createWindow();
  if (process.env.RECLAIM_NO_DEMO !== '1') void openDemoIfEmpty(activeCore);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => void core?.close());
