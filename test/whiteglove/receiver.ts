import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  delivery: string;
  body: string;
  signature: string;
  valid: boolean;
}

/**
 * A webhook receiver written from the README's instructions alone (not from
 * Reclaim's code): split `t=…,v1=…`, HMAC-SHA256 the `${t}.${raw body}` with the
 * secret, compare in constant time, accept within 5 minutes, act once per
 * Reclaim-Delivery id.
 */
export async function startReceiver(secret: () => string, opts: { failFirst?: number; status?: number; delayMs?: number } = {}) {
  const received: Received[] = [];
  const acted = new Set<string>();
  let fail = opts.failFirst ?? 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = String(req.headers['reclaim-signature'] ?? '');
      const parts = new Map(header.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as [string, string]));
      const t = Number(parts.get('t'));
      const mac = crypto.createHmac('sha256', secret()).update(`${t}.${body}`).digest();
      const given = Buffer.from(parts.get('v1') ?? '', 'hex');
      const valid = given.length === mac.length && crypto.timingSafeEqual(given, mac) && Math.abs(Date.now() / 1000 - t) < 300;
      const delivery = String(req.headers['reclaim-delivery'] ?? '');
      received.push({ delivery, body, signature: header, valid });
      if (!valid) {
        res.writeHead(400).end('bad signature');
        return;
      }
      if (fail > 0) {
        fail--;
        res.writeHead(503).end('try later');
        return;
      }
      if (opts.status) {
        res.writeHead(opts.status).end();
        return;
      }
      acted.add(delivery);
      const ok = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (opts.delayMs) setTimeout(ok, opts.delayMs);
      else ok();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/reclaim`,
    received,
    /** Deliveries the receiver acted on (once each). */
    acted,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
