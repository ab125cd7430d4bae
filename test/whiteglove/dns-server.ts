import dgram from 'node:dgram';
import dns from 'node:dns';

/**
 * A real DNS server on 127.0.0.1 (UDP) answering A and AAAA queries from a
 * table, and a resolver that asks only it: lets a test make a host name
 * resolve to any address (e.g. a cloud metadata address) without touching
 * the system's resolver.
 */
export interface DnsServer {
  port: number;
  /** name → addresses (IPv4 and/or IPv6); change it to change later answers. */
  records: Map<string, string[]>;
  /** Every address `hostname` resolves to through this server (A and AAAA). */
  lookup(hostname: string): Promise<string[]>;
  close(): Promise<void>;
}

function v6Bytes(ip: string): Buffer {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export async function startDnsServer(records: Record<string, string[]>): Promise<DnsServer> {
  const table = new Map(Object.entries(records));
  const socket = dgram.createSocket('udp4');
  socket.on('message', (q, rinfo) => {
    // Question: labels from byte 12 to a zero byte, then QTYPE and QCLASS.
    let i = 12;
    const labels: string[] = [];
    while (q[i]) {
      labels.push(q.subarray(i + 1, i + 1 + q[i]!).toString('ascii'));
      i += q[i]! + 1;
    }
    const qtype = q.readUInt16BE(i + 1);
    const question = q.subarray(12, i + 5);
    const name = labels.join('.').toLowerCase();
    const known = table.get(name);
    const answers = (known ?? []).filter((a) => (qtype === 1 ? !a.includes(':') : qtype === 28 && a.includes(':')));
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // response, RD+RA; NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((a) => {
      const rdata = a.includes(':') ? v6Bytes(a) : Buffer.from(a.split('.').map(Number));
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(0, 6); // TTL 0: every lookup asks again
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    socket.send(Buffer.concat([header, question, ...rrs]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return {
    port,
    records: table,
    async lookup(hostname) {
      const r = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
      const all = r.flatMap((x) => (x.status === 'fulfilled' ? x.value : []));
      if (!all.length) throw new Error(`${hostname} does not resolve`);
      return all;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
