/**
 * Electron main process: the only place (with the rest of main/electron/) that
 * imports electron. It hosts the core and answers the renderer over IPC.
 */
import { app, BrowserWindow, ipcMain, Menu, session, shell, type MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from '../core/api';
import { openDemoIfEmpty } from '../core/boot';
import { createLogger } from '../core/logging';
import { systemClock } from '../core/ports';
import { VERSION } from '../core/version';
import { createInvokeHandler, INVOKE_CHANNEL } from './ipc-handler';
import { isAllowedExternalUrl, NAV_MENU, secureWebPreferences, WINDOW_ICON_PATH } from './policy';
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
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'Go',
      submenu: NAV_MENU.map(([command, label, accelerator]) => ({ label, accelerator, click: () => sendMenu(command) })),
    },
    {
      label: 'View',
      submenu: [
        { label: 'Toggle Light/Dark Theme', accelerator: 'CmdOrCtrl+Shift+L', click: () => sendMenu('toggle-theme') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Keyboard Shortcuts', accelerator: 'F1', click: () => sendMenu('shortcuts') }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
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
    webPreferences: secureWebPreferences(PRELOAD),
  });
  win.once('ready-to-show', () => win?.show());
  // No navigation away from the renderer, no new windows; https links to Stripe open in the browser.
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== RENDERER_URL) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.on('closed', () => (win = null));
  void win.loadFile(RENDERER);
}

app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
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
