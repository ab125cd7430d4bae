/**
 * The application menu as a plain template (no electron import at run time),
 * so what a packaged build shows is unit-tested: no DevTools entry when
 * `app.isPackaged` (#18 item 10).
 */
import type { MenuItemConstructorOptions } from 'electron';
import { NAV_MENU } from './policy';

export function menuTemplate(o: { isMac: boolean; isPackaged: boolean; send: (command: string) => void }): MenuItemConstructorOptions[] {
  return [
    ...(o.isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [o.isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'Go',
      submenu: NAV_MENU.map(([command, label, accelerator]) => ({ label, accelerator, click: () => o.send(command) })),
    },
    {
      label: 'View',
      submenu: [
        { label: 'Toggle Light/Dark Theme', accelerator: 'CmdOrCtrl+Shift+L', click: () => o.send('toggle-theme') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(o.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Keyboard Shortcuts', accelerator: 'F1', click: () => o.send('shortcuts') }] },
  ];
}
