import fc from 'fast-check';
import type { dispatch } from '../../main/core/dispatch';
import type { Tally } from './lib/tally';

type Call = (m: string, input: unknown) => ReturnType<typeof dispatch>;

/**
 * Webhook targets (#18 item 8): link-local and cloud metadata addresses in
 * every spelling the URL parser accepts — dotted, one decimal number, hex,
 * IPv4-mapped IPv6, expanded IPv6 — are refused with a clear error and leave
 * the stored URL unchanged; private ranges are accepted with a warning.
 */
const byte = fc.integer({ min: 0, max: 255 });
const v4 = (a: number, b: number, c: number, d: number) => [a, b, c, d];
const linkLocal4 = fc.tuple(byte, byte).map(([c, d]) => v4(169, 254, c, d));
const private4 = fc.oneof(
  fc.tuple(byte, byte, byte).map(([b, c, d]) => v4(10, b, c, d)),
  fc.tuple(fc.integer({ min: 16, max: 31 }), byte, byte).map(([b, c, d]) => v4(172, b, c, d)),
  fc.tuple(byte, byte).map(([c, d]) => v4(192, 168, c, d)),
);
const spell4 = (p: number[], how: number) => {
  const n = ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
  const hex = (x: number) => x.toString(16).padStart(2, '0');
  return [p.join('.'), String(n), `0x${n.toString(16)}`, `[::ffff:${p.join('.')}]`, `[::ffff:${hex(p[0]!)}${hex(p[1]!)}:${hex(p[2]!)}${hex(p[3]!)}]`][how % 5]!;
};
const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16));
const linkLocal6 = fc.tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), group, group).map(([a, b, c]) => `[${a.toString(16)}::${b}:${c}]`);
const private6 = fc.tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), group, group).map(([a, b, c]) => `[${a.toString(16)}:${b}::${c}]`);
const refusedHost = fc.oneof(
  fc.tuple(linkLocal4, fc.nat()).map(([p, how]) => spell4(p, how)),
  linkLocal6,
  fc.constantFrom('169.254.169.254', '[fd00:ec2::254]', '[fd00:ec2:0:0:0:0:0:254]', '100.100.100.200', 'metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', '[fe80::1]', '0.0.0.0', '[::]'),
);
const warnedHost = fc.oneof(fc.tuple(private4, fc.nat()).map(([p, how]) => spell4(p, how)), private6);
const suffix = fc.constantFrom('/', '/hook', ':8443/latest/meta-data/', '/x?y=1#z');

export async function webhookTargetTrials(tally: Tally, call: Call, ws: string, runs: number): Promise<void> {
  const safe = 'https://hooks.example.com/reclaim';
  const stored = async () => {
    const r = await call('whiteglove.settings.get', { workspaceId: ws });
    return r.ok ? (r.value as { webhook: { url: string | null } }).webhook.url : null;
  };
  for (const [i, [host, tail]] of fc.sample(fc.tuple(refusedHost, suffix), runs).entries()) {
    await tally.trial(`webhook target refused #${i}`, async () => {
      await call('whiteglove.webhook.set', { workspaceId: ws, url: safe });
      const url = `https://${host}${tail}`;
      const r = await call('whiteglove.webhook.set', { workspaceId: ws, url });
      if (r.ok) return `${url} was accepted`;
      if (r.error.code !== 'bad_request' || /\n/.test(r.error.message) || !/link-local|metadata|unspecified|not a valid URL/.test(r.error.message)) return `${url}: unclear refusal (${r.error.code}: ${r.error.message})`;
      return (await stored()) === safe ? null : `${url} refused, yet the stored URL changed`;
    });
  }
  for (const [i, [host, tail]] of fc.sample(fc.tuple(warnedHost, suffix), Math.max(3, Math.round(runs / 2))).entries()) {
    await tally.trial(`webhook target private #${i}`, async () => {
      const url = `https://${host}${tail}`;
      const r = await call('whiteglove.webhook.set', { workspaceId: ws, url });
      if (!r.ok) return `${url} refused: ${r.error.message}`;
      return /private network/.test(String((r.value as { warning: string | null }).warning)) ? null : `${url} accepted without a warning`;
    });
  }
}
