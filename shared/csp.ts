/**
 * Content-Security-Policies of the two renderers (#18 item 10). The Electron
 * renderer talks to the core over IPC only, so it may open no socket at all;
 * the browser console listens for events on its bridge's WebSocket, so only
 * its policy allows that one loopback port. renderer/index.html carries the
 * Electron policy; the bridge rewrites it to the console's when it serves the
 * page (a meta policy and a header policy both apply, so they must agree).
 */
const COMMON = [
  "default-src 'self'",
  "script-src 'self'",
  // antd injects its CSS-in-JS styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** The desktop app's renderer: no WebSocket, no remote connection. */
export const ELECTRON_CSP = [...COMMON, "connect-src 'self'"].join('; ');

/** The browser console served by the bridge on `port`: its own event socket, and no framing. */
export function consoleCsp(port: number): string {
  return [...COMMON, `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`, "frame-ancestors 'none'"].join('; ');
}

const META = /(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/;

/** The CSP of a page's meta tag ('' when there is none). */
export function metaCsp(html: string): string {
  return META.exec(html)?.[2] ?? '';
}

/** The page with its meta CSP replaced (frame-ancestors is ignored in a meta tag, so it is left to the header). */
export function withMetaCsp(html: string, csp: string): string {
  const meta = csp.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');
  return html.replace(META, (_m, a: string, _old: string, c: string) => `${a}${meta}${c}`);
}
