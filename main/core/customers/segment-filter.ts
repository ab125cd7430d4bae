import type { Sqlite } from '../db/sqlite';

/**
 * "Members of segment S" for the customers page, from the membership bitmasks
 * (segments/membership.ts) without a pass over every customer: the segment's
 * (word, bit); the distinct masks of that word holding the bit, read from the
 * word's index one seek per mask; their customers, by the same index.
 *
 * Like the segment_members view, a segment has members only while it is live
 * and its members were computed with its current rule.
 */
export interface SegmentFilter {
  /** Membership test of one facts row `f` (a primary-key probe of membership): for walking the page's order. */
  probe: string;
  /**
   * The members as a set read through the word's index, or null when the masks
   * are too many to list: for sorting a small segment's members.
   */
  members: { where: string; params: (string | number)[] } | null;
  /** How many customers are members (exact). */
  count: number;
}

/** Above this many distinct masks, the bit is tested row by row instead (never seen with 26 segments). */
const MAX_MASKS = 20_000;

const NONE: SegmentFilter = { probe: '0', members: { where: '0', params: [] }, count: 0 };

export function segmentFilter(db: Sqlite, segmentId: string): SegmentFilter {
  const b = db
    .prepare(
      `SELECT b.word, b.bit FROM membership_bits b JOIN segments s ON s.id = b.segment_id
        WHERE b.segment_id = ? AND s.archived = 0 AND b.word >= 0 AND b.rule = s.rule`,
    )
    .get(segmentId) as { word: number; bit: number } | undefined;
  if (!b) return NONE;
  const col = `w${Number(b.word)}`;
  const hasCol = (db.prepare(`SELECT count(*) FROM pragma_table_info('membership') WHERE name = ?`).pluck().get(col) as number) > 0;
  if (!hasCol) return NONE;
  const probe = `EXISTS (SELECT 1 FROM membership m WHERE m.customer_id = f.customer_id AND (m.${col} >> ${Number(b.bit)}) & 1)`;
  const bit = 2n ** BigInt(b.bit);
  // Skip-scan of the word's index: one seek per distinct mask. Masks are 63-bit, so read as BigInt.
  const nextMask = db.prepare(`SELECT ${col} FROM membership WHERE ${col} > ? ORDER BY ${col} LIMIT 1`).pluck().safeIntegers(true);
  const masks: bigint[] = [];
  for (let m = nextMask.get(-1n) as bigint | undefined; m !== undefined; m = nextMask.get(m) as bigint | undefined) {
    if (m & bit) masks.push(m);
    if (masks.length > MAX_MASKS) {
      const count = db.prepare(`SELECT count(*) FROM membership WHERE (${col} >> ${Number(b.bit)}) & 1`).pluck().get() as number;
      return { probe, members: null, count };
    }
  }
  const list = `[${masks.join(',')}]`;
  const inMasks = `${col} IN (SELECT value FROM json_each(?))`;
  const count = db.prepare(`SELECT count(*) FROM membership WHERE ${inMasks}`).pluck().get(list) as number;
  return { probe, members: { where: `f.customer_id IN (SELECT customer_id FROM membership WHERE ${inMasks})`, params: [list] }, count };
}
