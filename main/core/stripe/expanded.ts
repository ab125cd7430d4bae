/**
 * Expanded fields the customer facts read (#9 items 8–9), and keeping them across writes.
 *
 * The list requests ask Stripe to expand them (`EXPAND`, at most four levels, Stripe's
 * limit). Objects that arrive another way — inside events, or retrieved by id without the
 * same `expand[]` — carry ids instead: discount ids, payment method / source ids, and
 * prices without `tiers` (returned only when expanded). `keepExpanded` puts back what the
 * stored row already had for the same ids, so an event never loses a discount, a card or
 * a price's tiers (tiers cannot change on an existing price). Payment methods are read by id
 * from their own rows first (payment_method.* events keep those current).
 */
type O = Record<string, unknown>;

export const EXPAND = {
  subscriptions: ['data.discounts', 'data.items.data.discounts', 'data.default_payment_method', 'data.default_source'],
  customers: ['data.invoice_settings.default_payment_method', 'data.default_source'],
  prices: ['data.tiers'],
} as const;

/** The same expansions for retrieving one object by id (`GET /v1/subscriptions/sub_…`). */
export function expandForRetrieve(resource: keyof typeof EXPAND): string[] {
  return EXPAND[resource].map((e) => e.replace(/^data\./, ''));
}

const obj = (v: unknown): O | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as O) : null);

/** True when `next` has a reference `keepExpanded` could fill in (cheap check before reading the stored row). */
export function needsExpanded(resource: string, next: O): boolean {
  if (resource === 'prices') return next.billing_scheme === 'tiered' && !Array.isArray(next.tiers);
  if (resource === 'customers') return typeof next.default_source === 'string';
  if (resource === 'subscriptions') {
    if (typeof next.default_payment_method === 'string') return true;
    if (Array.isArray(next.discounts) && next.discounts.some((d) => typeof d === 'string')) return true;
    const items = (obj(next.items)?.data as unknown[] | undefined) ?? [];
    return items.some((i) => Array.isArray(obj(i)?.discounts) && (obj(i)!.discounts as unknown[]).some((d) => typeof d === 'string'));
  }
  return false;
}

function sameId(id: unknown, prev: unknown): unknown {
  const p = obj(prev);
  return typeof id === 'string' && p && p.id === id ? p : id;
}
function fillList(ids: unknown, prev: unknown): unknown {
  if (!Array.isArray(ids)) return ids;
  const known = new Map<string, O>();
  for (const p of Array.isArray(prev) ? prev : []) {
    const o = obj(p);
    if (o && typeof o.id === 'string') known.set(o.id, o);
  }
  return ids.map((d) => (typeof d === 'string' ? (known.get(d) ?? d) : d));
}

/** `next` with ids replaced by the expanded objects of `prev` (the stored raw JSON) where the ids match. */
export function keepExpanded(resource: string, prevRaw: string | undefined, next: O): O {
  if (!prevRaw) return next;
  let prev: O;
  try {
    prev = obj(JSON.parse(prevRaw)) ?? {};
  } catch {
    return next;
  }
  if (resource === 'prices') return !Array.isArray(next.tiers) && Array.isArray(prev.tiers) ? { ...next, tiers: prev.tiers } : next;
  // Payment methods are not put back: their rows (updated by payment_method.* events) are read by id.
  if (resource === 'customers') return { ...next, default_source: sameId(next.default_source, prev.default_source) };
  if (resource === 'subscriptions') {
    const prevItems = new Map<string, O>();
    for (const i of (obj(prev.items)?.data as unknown[] | undefined) ?? []) {
      const o = obj(i);
      if (o && typeof o.id === 'string') prevItems.set(o.id, o);
    }
    const items = obj(next.items);
    return {
      ...next,
      default_payment_method: sameId(next.default_payment_method, prev.default_payment_method),
      discounts: fillList(next.discounts, prev.discounts),
      ...(items && Array.isArray(items.data)
        ? { items: { ...items, data: (items.data as O[]).map((i) => ({ ...i, discounts: fillList(i.discounts, prevItems.get(String(i.id))?.discounts) })) } }
        : {}),
    };
  }
  return next;
}
