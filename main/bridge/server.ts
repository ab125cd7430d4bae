import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Envelope, ErrorBody } from '../../shared/contract';
import { consoleCsp, withMetaCsp } from '../../shared/csp';
import type { Core } from '../core/api';
import { dispatch } from '../core/dispatch';

/**
 * Loopback HTTP + WebSocket bridge for the browser console.
 *
 * - binds 127.0.0.1 only, on a random port unless one is given;
 * - every API call and the event socket need the per-launch token
 *   (`Authorization: Bearer …`, or `?token=` for the socket and the page);
 * - a Host header other than 127.0.0.1:PORT / localhost:PORT is refused
 *   (DNS rebinding), and so is an Origin header from anywhere else;
 * - `POST /api/<method>` with a JSON body is validated against the contract.
 */
export interface BridgeOptions {
  core: Core;
  /** Built renderer (dist/renderer); null serves the API only. */
  staticDir: string | null;
  port?: number;
  token?: string;
  /** Largest accepted request body, bytes. */
  maxBody?: number;
}

export interface Bridge {
  port: number;
  token: string;
  origin: string;
  /** The URL to open: the console with its token. */
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

const COOKIE = 'reclaim_console';

function cookieToken(req: http.IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

function send(res: http.ServerResponse, status: number, body: Envelope<unknown>): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(json);
}

function fail(res: http.ServerResponse, status: number, code: ErrorBody['code'], message: string): void {
  send(res, status, { ok: false, error: { code, message } });
}

const STATUS_OF: Record<ErrorBody['code'], number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const { core } = opts;
  const logger = core.ports.logger;
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const maxBody = opts.maxBody ?? 20 * 1024 * 1024;
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** Host and Origin checks shared by HTTP and the socket upgrade; returns a refusal or null. */
  function refuse(req: http.IncomingMessage): { status: number; code: ErrorBody['code']; message: string } | null {
    if (!req.headers.host || !allowedHosts().has(req.headers.host.toLowerCase())) {
      return { status: 403, code: 'forbidden', message: 'Refused: this console only answers on 127.0.0.1' };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin.toLowerCase())) {
      return { status: 403, code: 'forbidden', message: 'Refused: requests from other origins are not allowed' };
    }
    return null;
  }

  function bearer(req: http.IncomingMessage): string | null {
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') ? h.slice(7) : null;
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return fail(res, 405, 'bad_request', 'Use POST for API requests');
    if (!sameToken(bearer(req), token)) return fail(res, 401, 'unauthorized', 'Missing or wrong console token');
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) return fail(res, 415, 'bad_request', 'Send the request body as application/json');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) return fail(res, 413, 'bad_request', `Request body is larger than ${maxBody} bytes`);
      chunks.push(chunk as Buffer);
    }
    let input: unknown;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return fail(res, 400, 'bad_request', 'The request body is not valid JSON');
    }
    const envelope = await dispatch(core, method, input, logger);
    send(res, envelope.ok ? 200 : STATUS_OF[envelope.error.code], envelope);
  }

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, query: URLSearchParams): void {
    if (!opts.staticDir) return fail(res, 404, 'not_found', 'This bridge serves the API only');
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'bad_request', 'Method not allowed');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return fail(res, 400, 'bad_request', 'Malformed URL');
    }
    // No traversal of any kind: a decoded `..` segment, a backslash or a NUL is refused outright.
    if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((seg) => seg === '..' || seg === '.')) {
      return fail(res, 404, 'not_found', 'Not found');
    }
    const root = path.resolve(opts.staticDir);
    const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) return fail(res, 404, 'not_found', 'Not found');
    // The page (however its path is spelled) needs the token; hashed build assets are public files.
    const isPage = file === path.join(root, 'index.html') || path.extname(file) === '.html';
    const fromQuery = query.get('token');
    if (isPage && !sameToken(fromQuery, token) && !sameToken(cookieToken(req), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('Reclaim console: open the URL printed by `reclaim console` (it carries the access token).\n');
      return;
    }
    let body: Buffer;
    try {
      body = fs.readFileSync(file);
    } catch {
      return fail(res, 404, 'not_found', 'Not found');
    }
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (isPage) {
      // The page moves the token out of its URL (history.replaceState); this
      // cookie lets a reload of the bare URL still open the page. It grants the
      // page only: API calls and the event socket need the token itself.
      headers['Set-Cookie'] = `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
      headers['Cache-Control'] = 'no-store';
      headers['X-Frame-Options'] = 'DENY';
      // The console's own policy (shared/csp.ts): its event socket is allowed here only, never in the Electron renderer.
      headers['Content-Security-Policy'] = consoleCsp(port);
      body = Buffer.from(withMetaCsp(body.toString('utf8'), consoleCsp(port)), 'utf8');
      headers['Content-Length'] = body.length;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Whatever goes wrong in one request answers that request (or drops it), never the process. */
  const answerFailure = (res: http.ServerResponse, err: unknown) => {
    logger.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'bridge request failed');
    try {
      if (!res.headersSent) fail(res, 500, 'internal', 'The console bridge failed to answer');
      else res.destroy();
    } catch {
      /* the connection is already gone */
    }
  };

  const server = http.createServer((req, res) => {
    try {
      const refusal = refuse(req);
      if (refusal) return fail(res, refusal.status, refusal.code, refusal.message);
      let url: URL;
      try {
        url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      } catch {
        return fail(res, 400, 'bad_request', 'Malformed URL');
      }
      if (url.pathname.startsWith('/api/')) {
        let method: string;
        try {
          method = decodeURIComponent(url.pathname.slice(5));
        } catch {
          return fail(res, 400, 'bad_request', 'Malformed URL');
        }
        handleApi(req, res, method).catch((err: unknown) => answerFailure(res, err));
        return;
      }
      serveStatic(req, res, url.pathname, url.searchParams);
    } catch (err) {
      answerFailure(res, err);
    }
  });
  server.on('clientError', (err, socket) => {
    logger.warn({ err: err.message }, 'bridge: malformed request');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const sockets = new WebSocketServer({ noServer: true });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      let url: URL | null = null;
      try {
        url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      } catch {
        url = null;
      }
      if (!url || refuse(req) || url.pathname !== '/events' || !sameToken(url.searchParams.get('token'), token)) {
        socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        socket.destroy();
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('close', () => clients.delete(ws));
        ws.on('error', () => clients.delete(ws));
      });
    } catch (err) {
      logger.warn({ err: String(err) }, 'bridge: event socket refused');
      socket.destroy();
    }
  });
  const stopForwarding = core.events.onAny((event, payload) => {
    const message = JSON.stringify({ event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : 0;
      const origin = `http://127.0.0.1:${port}`;
      resolve({
        port,
        token,
        origin,
        url: `${origin}/?token=${token}`,
        close: () =>
          new Promise<void>((done) => {
            stopForwarding();
            for (const ws of clients) ws.terminate();
            sockets.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
