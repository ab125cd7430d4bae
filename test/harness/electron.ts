import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Core } from '../../main/core/api';
import { silentLogger } from '../../main/core/ports';
import { createInvokeHandler, type IpcSenderEvent } from '../../main/electron/ipc-handler';
import { menuTemplate } from '../../main/electron/menu';
import { isAllowedExternalUrl, isRendererNavigation, isTrustedSender, secureWebPreferences } from '../../main/electron/policy';
import { consoleCsp, ELECTRON_CSP, metaCsp } from '../../shared/csp';
import { tempDir } from './lib/fixture';
import { ROOT } from './lib/procs';
import type { Tally } from './lib/tally';

/**
 * Electronegativity findings we accept, each with the reason and a check that
 * keeps the reason true (run below). Anything else fails the category.
 */
const JUSTIFIED: Record<string, { why: string; holds: () => string | null }> = {
  CSP_GLOBAL_CHECK: {
    why: "the CSP is reviewed, not missing: script-src 'self' only (no inline or eval script); style-src allows 'unsafe-inline' because antd injects its CSS-in-JS styles at run time; connect-src 'self' only (no WebSocket: the console's socket is allowed by the bridge's own policy, shared/csp.ts)",
    holds: () => {
      const csp = /Content-Security-Policy" content="([^"]+)"/.exec(read('renderer/index.html'))?.[1] ?? '';
      const script = /script-src ([^;]+)/.exec(csp)?.[1]?.trim();
      const connect = /connect-src ([^;]+)/.exec(csp)?.[1]?.trim();
      return script === "'self'" && connect === "'self'" && /default-src 'self'/.test(csp) && /base-uri 'none'/.test(csp) && !csp.includes('unsafe-eval') ? null : `CSP changed: ${csp}`;
    },
  },
  CONTEXT_ISOLATION_JS_CHECK: {
    why: 'webPreferences come from secureWebPreferences() (policy.ts), which electronegativity cannot follow; contextIsolation is true there',
    holds: () => (secureWebPreferences('p').contextIsolation === true ? null : 'contextIsolation is not true'),
  },
  SANDBOX_JS_CHECK: {
    why: 'sandbox: true in secureWebPreferences()',
    holds: () => (secureWebPreferences('p').sandbox === true ? null : 'sandbox is not true'),
  },
  AUXCLICK_JS_CHECK: {
    why: 'middle-click opens a new window, and every new window is denied by setWindowOpenHandler (→ { action: "deny" })',
    holds: () => (/setWindowOpenHandler\([\s\S]*?action: 'deny'/.test(read('main/electron/main.ts')) ? null : 'setWindowOpenHandler does not deny'),
  },
  OPEN_EXTERNAL_JS_CHECK: {
    why: 'shell.openExternal only after isAllowedExternalUrl (https, Stripe hosts only, no credentials or port)',
    holds: () =>
      /isAllowedExternalUrl\(url\)\) void shell\.openExternal\(url\)/.test(read('main/electron/main.ts')) &&
      !isAllowedExternalUrl('file:///etc/passwd') &&
      !isAllowedExternalUrl('https://evil.example') &&
      !isAllowedExternalUrl('https://user@dashboard.stripe.com') &&
      isAllowedExternalUrl('https://dashboard.stripe.com/test/invoices')
        ? null
        : 'openExternal is not guarded as described',
  },
};

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

/** Our own static checks: window options, CSP, IPC sender validation, navigation rules. */
const STATIC: [string, () => string | null | Promise<string | null>][] = [
  ['webPreferences: no node, isolation, sandbox, web security', () => {
    const p = secureWebPreferences('x');
    const bad = Object.entries({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, experimentalFeatures: false }).filter(([k, v]) => (p as Record<string, unknown>)[k] !== v);
    return bad.length ? `wrong: ${bad.map(([k]) => k).join(', ')}` : null;
  }],
  ['every window uses secureWebPreferences', () => {
    const src = read('main/electron/main.ts');
    const windows = src.match(/new BrowserWindow\(/g)?.length ?? 0;
    const secure = src.match(/webPreferences: secureWebPreferences\(/g)?.length ?? 0;
    return windows > 0 && windows === secure ? null : `${windows} windows, ${secure} with secureWebPreferences`;
  }],
  ['navigation away from the renderer is prevented', () => (/on\('will-navigate'[\s\S]*?preventDefault\(\)/.test(read('main/electron/main.ts')) ? null : 'no will-navigate guard')],
  ['webviews cannot attach', () => (/will-attach-webview[\s\S]*?preventDefault\(\)/.test(read('main/electron/main.ts')) ? null : 'no will-attach-webview guard')],
  // #18 item 10: the guards sit on every web contents, not only the main window's.
  ['every web contents: no navigation, frame navigation or redirect away from the renderer, no window.open', () => {
    const src = read('main/electron/main.ts');
    const block = /app\.on\('web-contents-created', \(_e, contents\) => \{([\s\S]*?)\n\}\);/.exec(src)?.[1] ?? '';
    const missing = ['will-navigate', 'will-frame-navigate', 'will-redirect'].filter((ev) => !new RegExp(`contents\\.on\\('${ev}', \\(e\\) => \\{\\s*if \\(!isRendererNavigation\\(e\\.url, RENDERER_URL\\)\\) e\\.preventDefault\\(\\);`).test(block));
    if (!/contents\.setWindowOpenHandler\([\s\S]*?action: 'deny'/.test(block)) missing.push('setWindowOpenHandler');
    if (/win\.webContents\.(on|setWindowOpenHandler)\(/.test(src)) missing.push('(a guard still set on the main window only)');
    return missing.length ? `not on every web contents: ${missing.join(', ')}` : null;
  }],
  ['the navigation rule allows only the renderer page', () =>
    isRendererNavigation('file:///app/index.html#/runs', 'file:///app/index.html') && !isRendererNavigation('https://evil.example/', 'file:///app/index.html') && !isRendererNavigation('file:///tmp/x.html', 'file:///app/index.html') ? null : 'isRendererNavigation accepts a foreign page'],
  ['packaged builds: no DevTools in the menu or the window', () => {
    const roles = JSON.stringify(menuTemplate({ isMac: false, isPackaged: true, send: () => {} })) + JSON.stringify(menuTemplate({ isMac: true, isPackaged: true, send: () => {} }));
    if (roles.includes('toggleDevTools')) return 'the packaged menu has a DevTools entry';
    if (secureWebPreferences('p', { packaged: true }).devTools !== false) return 'packaged windows allow DevTools';
    return /secureWebPreferences\(PRELOAD, \{ packaged: app\.isPackaged \}\)/.test(read('main/electron/main.ts')) && /isPackaged: app\.isPackaged/.test(read('main/electron/main.ts')) ? null : 'main.ts does not pass app.isPackaged';
  }],
  ['the Electron renderer allows no WebSocket; the console has its own policy', () => {
    const meta = metaCsp(read('renderer/index.html'));
    if (meta !== ELECTRON_CSP) return `renderer/index.html CSP is not ELECTRON_CSP: ${meta}`;
    if (/ws:|wss:/.test(meta)) return 'the Electron CSP allows a WebSocket';
    return /consoleCsp\(port\)/.test(read('main/bridge/server.ts')) && consoleCsp(1234).includes('ws://127.0.0.1:1234') && !consoleCsp(1234).includes(':*') ? null : 'the console CSP is not its own';
  }],
  ['every IPC handler checks its sender', () => {
    // main.ts registers handlers; each checks the sender itself or is the checked handler of ipc-handler.ts.
    const src = read('main/electron/main.ts');
    const handlers = src.split(/ipcMain\.(?:handle|on)\(/).slice(1);
    const viaChecked = /createInvokeHandler\(/.test(src);
    const unchecked = handlers.filter((h) => !h.slice(0, 300).includes('isTrustedSender(') && !(viaChecked && /^INVOKE_CHANNEL, \(event, method: unknown, input: unknown\) => invoke\(event, method, input\)\)/.test(h)));
    const ipc = read('main/electron/ipc-handler.ts');
    const checkAt = ipc.indexOf('isTrustedSender(url');
    const dispatchAt = ipc.indexOf('dispatch(o.core');
    if (checkAt < 0 || dispatchAt < 0 || checkAt > dispatchAt) return 'ipc-handler.ts does not check the sender before dispatch';
    return handlers.length > 0 && unchecked.length === 0 ? null : `${unchecked.length} of ${handlers.length} IPC handlers do not check the sender`;
  }],
  ['the IPC handler refuses foreign frames before touching the core', async () => {
    // A core that throws on any use: a refused sender must never reach it.
    const core = new Proxy({}, { get: () => { throw new Error('the core was used'); } }) as Core;
    const invoke = createInvokeHandler({ core, rendererUrl: 'file:///app/dist/renderer/index.html', logger: silentLogger });
    for (const event of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///tmp/x.html' } }, { senderFrame: null }, {}, null, { senderFrame: { url: 42 } }]) {
      const r = await invoke(event as IpcSenderEvent, 'workspaces.list', {});
      if (r.ok || r.error.code !== 'forbidden') return `sender ${JSON.stringify(event)} was not refused`;
    }
    return null;
  }],
  ['the sender check refuses other frames', () =>
    !isTrustedSender('https://evil.example/', 'file:///app/index.html') && !isTrustedSender(undefined, 'file:///app/index.html') && isTrustedSender('file:///app/index.html?x#y', 'file:///app/index.html') ? null : 'isTrustedSender accepts a foreign frame'],
  ['renderer page carries a CSP without unsafe-eval or remote script', () => {
    const html = read('renderer/index.html');
    const m = /Content-Security-Policy" content="([^"]+)"/.exec(html);
    if (!m) return 'no CSP meta tag';
    return /script-src 'self'(;|$)/.test(m[1]!) && !m[1]!.includes('unsafe-eval') ? null : `weak CSP: ${m[1]}`;
  }],
  ['the console bridge sends CSP and frame-ancestors none with the page', () =>
    /headers\['Content-Security-Policy'\] = consoleCsp\(port\)/.test(read('main/bridge/server.ts')) && consoleCsp(1).includes("frame-ancestors 'none'") ? null : 'no CSP header in the bridge'],
  ['preload exposes only invoke, subscribe and menu', () => {
    const src = fs.readdirSync(path.join(ROOT, 'preload')).map((f) => fs.readFileSync(path.join(ROOT, 'preload', f), 'utf8')).join('\n');
    const exposes = [...src.matchAll(/exposeInMainWorld\(/g)].length;
    if (exposes !== 1 || !src.includes("exposeInMainWorld('reclaimBridge', api)")) return `${exposes} objects exposed`;
    const body = /const api = \{([\s\S]*?)\n\};/.exec(src)?.[1] ?? '';
    const keys = [...body.matchAll(/^\s{2}(\w+)[:(]/gm)].map((k) => k[1]);
    const extra = keys.filter((k) => !['invoke', 'subscribe', 'menu'].includes(k!));
    return keys.length > 0 && extra.length === 0 ? null : `exposes: ${keys.join(', ') || '(could not read)'}`;
  }],
];

export async function electronCategory(tally: Tally): Promise<void> {
  // electronegativity's own CLI breaks on commander 14 (hoisted); its API works.
  const require = createRequire(import.meta.url);
  const run = require('@doyensec/electronegativity') as (o: Record<string, unknown>) => Promise<{ globalChecks: number; atomicChecks: number; issues: { id: string; file: string; location: { line: number } }[]; errors: unknown[] }>;
  const scan = tempDir('reclaim-eneg-');
  fs.cpSync(path.join(ROOT, 'main/electron'), path.join(scan, 'main/electron'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'preload'), path.join(scan, 'preload'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'renderer/index.html'), path.join(scan, 'index.html'));
  const quiet = console.log;
  console.log = () => {};
  let result;
  try {
    result = await run({ input: scan, isRelative: true, electronVersionOverride: '45.5.0', parserPlugins: [] });
  } finally {
    console.log = quiet;
    fs.rmSync(scan, { recursive: true, force: true });
  }
  tally.note(`electronegativity: ${result.globalChecks + result.atomicChecks} checks over main/electron, preload and renderer/index.html; ${result.issues.length} findings, ${result.errors.length} parse errors`);
  for (const issue of result.issues) {
    const j = JUSTIFIED[issue.id];
    tally.record(`electronegativity ${issue.id} (${issue.file}:${issue.location.line})`, j ? j.holds() : 'unjustified finding');
    if (j) tally.note(`justified ${issue.id}: ${j.why}`);
  }
  if (result.errors.length) tally.record('electronegativity parsed every file', `${result.errors.length} files could not be parsed`);
  for (const [label, check] of STATIC) await tally.trial(label, async () => check());
}
