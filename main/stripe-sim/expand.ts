/**
 * Stripe's `expand[]` (https://docs.stripe.com/expand) on one object: the id at the end of
 * `parts` is replaced by the object `byId` finds (left as the id when there is none); arrays
 * are expanded item by item. Shared by the local server's answers and the demo builder
 * (main/core/demo/build.ts), so both hand the writers the same objects.
 */
export function expandPath(v: unknown, parts: string[], byId: (id: string) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => expandPath(x, parts, byId));
  if (typeof v === 'string') return parts.length === 0 ? (byId(v) ?? v) : v;
  if (!v || typeof v !== 'object' || parts.length === 0) return v;
  const [head, ...rest] = parts as [string, ...string[]];
  const rec = v as Record<string, unknown>;
  if (!(head in rec)) return v;
  return { ...rec, [head]: expandPath(rec[head], rest, byId) };
}
