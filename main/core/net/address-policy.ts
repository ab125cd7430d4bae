/**
 * Where Reclaim may send outbound requests to user-configured URLs (webhook
 * targets, #18 item 8). Pure: no I/O, so the same rules apply to an IP
 * literal in a URL at save time and to each address a host name resolves to
 * at send time.
 *
 * - link-local (169.254.0.0/16, fe80::/10) and cloud metadata endpoints
 *   (169.254.169.254, fd00:ec2::254, 100.100.100.200, and their host names):
 *   refused — a webhook there would hand the machine's cloud credentials to
 *   whoever can read the delivery results;
 * - private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10): allowed
 *   with a warning (an intranet receiver is legitimate, but worth a second look);
 * - loopback (127/8, ::1): allowed (the local test receivers use it);
 * - unspecified (0.0.0.0, ::): refused (it reaches the local machine).
 */
import net from 'node:net';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified';

const METADATA_IPS = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '169.254.170.2']);
/** Host names of cloud metadata services (GCP, Azure/AWS aliases, Alibaba). */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com']);

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
}
const inV4 = (ip: string, base: string, bits: number) => {
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  return (v4ToInt(ip) & mask) >>> 0 === (v4ToInt(base) & mask) >>> 0;
};

/** The 8 groups of an IPv6 address as numbers (handles `::` and a dotted IPv4 tail). */
function v6Groups(ip: string): number[] {
  let s = ip.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const n = v4ToInt(tail[1]!);
    s = s.slice(0, -tail[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest === undefined ? [] : Array<string>(8 - h.length - r.length).fill('0');
  return [...h, ...fill, ...r].map((g) => parseInt(g, 16));
}

/** Normalises an IPv4-mapped IPv6 address (::ffff:a.b.c.d) to IPv4; strips URL brackets. */
export function normalizeIp(raw: string): string {
  const ip = raw.replace(/^\[|\]$/g, '');
  if (net.isIPv6(ip)) {
    const g = v6Groups(ip);
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  return ip;
}

export function classifyIp(raw: string): AddressClass {
  const ip = normalizeIp(raw);
  if (net.isIPv4(ip)) {
    if (METADATA_IPS.has(ip)) return 'metadata';
    if (inV4(ip, '0.0.0.0', 8)) return 'unspecified';
    if (inV4(ip, '127.0.0.0', 8)) return 'loopback';
    if (inV4(ip, '169.254.0.0', 16)) return 'link-local';
    if (inV4(ip, '10.0.0.0', 8) || inV4(ip, '172.16.0.0', 12) || inV4(ip, '192.168.0.0', 16) || inV4(ip, '100.64.0.0', 10)) return 'private';
    return 'public';
  }
  if (net.isIPv6(ip)) {
    const g = v6Groups(ip);
    const canonical = g.map((x) => x.toString(16)).join(':');
    if (METADATA_IPS.has(ip.toLowerCase()) || canonical === 'fd00:ec2:0:0:0:0:0:254') return 'metadata';
    if (g.every((x) => x === 0)) return 'unspecified';
    if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
    if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
    if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
    return 'public';
  }
  throw new Error(`not an IP address: ${raw}`);
}

export interface TargetVerdict {
  /** Why the target is refused, or null. */
  refused: string | null;
  /** A warning to show with an accepted target, or null. */
  warning: string | null;
}

/** The verdict on one address (or a host name known to be a metadata service) for "<what> points to …". */
export function judgeAddress(hostOrIp: string, what: string): TargetVerdict {
  const host = hostOrIp.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (METADATA_HOSTS.has(host)) return { refused: `${what} points to a cloud metadata service (${host}); Reclaim does not send there.`, warning: null };
  if (!net.isIP(host)) return { refused: null, warning: null };
  const c = classifyIp(host);
  if (c === 'metadata') return { refused: `${what} points to a cloud metadata address (${host}); Reclaim does not send there.`, warning: null };
  if (c === 'link-local') return { refused: `${what} points to a link-local address (${host}); Reclaim does not send there.`, warning: null };
  if (c === 'unspecified') return { refused: `${what} points to an unspecified address (${host}); use the receiver's real address.`, warning: null };
  if (c === 'private') return { refused: null, warning: `${what} points to a private network address (${host}): fine for a receiver on your own network, but check it is the one you mean.` };
  return { refused: null, warning: null };
}
