import type { Sqlite } from '../db/sqlite';
import { segmentMasks } from '../segments/segment-masks';

/**
 * "Members of segment S" for the customers page, from the membership bitmasks
 * (segments/membership.ts) without a pass over every customer: the segment's
 * member count and the distinct masks holding its bit come from the cached
 * groups the segment figures use (segments/segment-masks.ts); the members of a
 * small segment are then read by the word's index (migration 19), one seek per
 * mask; a large segment is walked in the page's order testing each customer's bit.
 *
 * Like the segment_members view, a segment has members only while it is live
 * and its members were computed with its current rule.
 */
export interface SegmentFilter {
  /** Membership test of one facts row `f` (a primary-key probe of membership): for walking the page's order. */
  probe: string;
  /** The members as a set read through the word's index: for sorting a small segment's members (null: masks unknown). */
  members: { where: string; params: (string | number)[] } | null;
  /** How many customers are members (exact). */
  count: number;
}

const NONE: SegmentFilter = { probe: '0', members: { where: '0', params: [] }, count: 0 };

export function segmentFilter(db: Sqlite, segmentId: string): SegmentFilter {
  const s = segmentMasks(db, segmentId);
  if (!s || s.members === 0) return NONE;
  const col = `w${Number(s.word)}`;
  return {
    probe: `EXISTS (SELECT 1 FROM membership m WHERE m.customer_id = f.customer_id AND (m.${col} >> ${Number(s.bit)}) & 1)`,
    members: s.masks && {
      where: `f.customer_id IN (SELECT customer_id FROM membership WHERE ${col} IN (SELECT value FROM json_each(?)))`,
      params: [`[${s.masks.join(',')}]`],
    },
    count: s.members,
  };
}
