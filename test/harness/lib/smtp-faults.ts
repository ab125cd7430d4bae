import net from 'node:net';
import { startSmtp } from '../../recovery/helpers';

/**
 * A real SMTP server (smtp-server + mailparser, counting what it accepted)
 * behind a TCP proxy that injects faults:
 * - `reject`: recipients refused with this reply code (550 permanent, 451 temporary);
 * - `down`: nothing listens on the port (connection refused);
 * - `silent`: the connection is accepted and never greeted (a server too slow to answer);
 * - `drop-in-data`: the connection is cut halfway through the message (the server never accepts it);
 * - `drop-after-data`: the whole message reaches the server, which accepts it, but the
 *   connection is cut before the client hears the 250 (the client cannot know it went out).
 * `heal()` makes it a healthy server again, on the same port.
 */
export type SmtpFault = 'none' | 'down' | 'silent' | 'drop-in-data' | 'drop-after-data' | { reject: number };

export async function faultySmtp() {
  let fault: SmtpFault = 'none';
  const real = await startSmtp({ reject: () => (typeof fault === 'object' ? fault.reject : null) });
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const proxy = net.createServer((client) => {
    track(client);
    if (fault === 'silent') return;
    const mode = fault;
    const upstream = net.connect(real.port, '127.0.0.1');
    track(upstream);
    let inData = false;
    let handedOver = false;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (!inData) {
        if (/^DATA\r\n/im.test(text)) inData = true;
        upstream.write(chunk);
        return;
      }
      if (mode === 'drop-in-data') {
        upstream.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => {
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      upstream.write(chunk);
      if (text.includes('\r\n.\r\n')) {
        inData = false;
        handedOver = true;
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (handedOver && mode === 'drop-after-data') {
        client.destroy();
        upstream.end();
        return;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const port = (proxy.address() as net.AddressInfo).port;
  const listening = () => proxy.listening;
  return {
    port,
    received: real.received,
    async set(f: SmtpFault): Promise<void> {
      fault = f;
      for (const s of sockets) s.destroy();
      if (f === 'down' && listening()) await new Promise<void>((r) => proxy.close(() => r()));
      if (f !== 'down' && !listening()) await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => r()));
    },
    heal(): Promise<void> {
      return this.set('none');
    },
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      if (listening()) await new Promise<void>((r) => proxy.close(() => r()));
      await real.close();
    },
  };
}
