import type { Sqlite } from '../db/sqlite';
import { cachedMaskGroups, mappedLive } from './membership';

export interface SegmentMasks {
  /** The membership word column (w0, w1, …) and bit that hold the segment. */
  word: number;
  bit: number;
  /** The distinct values of that word among customers that have the bit (null: the groups are not cached). */
  masks: bigint[] | null;
  /** How many customers are members. */
  members: number;
}

/**
 * One segment's member count and masks, from the customers grouped by bitmask
 * that the segment figures use (computed once per membership version by the
 * segments list, then cached). When they are not cached (a fresh CLI process),
 * the count is one pass over the membership words and the masks are unknown:
 * grouping costs more than the page. Null when the segment has no current
 * members: archived, unknown, or its rule changed since membership was computed
 * (as the segment_members view).
 */
export function segmentMasks(db: Sqlite, segmentId: string): SegmentMasks | null {
  const seg = mappedLive(db).find((m) => m.id === segmentId);
  if (!seg) return null;
  const groups = cachedMaskGroups(db);
  if (!groups) {
    const members = db.prepare(`SELECT count(*) FROM membership WHERE (w${Number(seg.word)} >> ${Number(seg.bit)}) & 1`).pluck().get() as number;
    return { word: seg.word, bit: seg.bit, masks: null, members };
  }
  const bit = 1n << BigInt(seg.bit);
  const masks = new Set<bigint>();
  let members = 0;
  for (const g of groups) {
    const w = g.words[seg.word];
    if (w !== undefined && (w & bit) !== 0n) {
      masks.add(w);
      members += g.n;
    }
  }
  return { word: seg.word, bit: seg.bit, masks: [...masks], members };
}
