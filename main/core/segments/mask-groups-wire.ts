import type { MaskGroup } from './membership';

/**
 * Mask groups in typed arrays, to hand from the recompute worker to the main
 * thread without cloning tens of thousands of objects (the buffers are
 * transferred; decoding them is one pass of plain reads).
 */
export interface PackedGroups {
  count: number;
  words: number;
  masks: BigInt64Array;
  /** n, mrr, open, risk per group. */
  figures: Float64Array;
  /** Set bit positions of group i: setData[setStart[i] .. setStart[i + 1]). */
  setStart: Int32Array;
  setData: Int32Array;
}

export function packGroups(groups: MaskGroup[], words: number): PackedGroups {
  const count = groups.length;
  const masks = new BigInt64Array(count * words);
  const figures = new Float64Array(count * 4);
  const setStart = new Int32Array(count + 1);
  const sets = groups.map((g) => g.set ?? []);
  const setData = new Int32Array(sets.reduce((a, s) => a + s.length, 0));
  let at = 0;
  groups.forEach((g, i) => {
    for (let w = 0; w < words; w++) masks[i * words + w] = g.words[w] ?? 0n;
    figures.set([g.n, g.mrr, g.open, g.risk], i * 4);
    setStart[i] = at;
    setData.set(sets[i]!, at);
    at += sets[i]!.length;
  });
  setStart[count] = at;
  return { count, words, masks, figures, setStart, setData };
}

export function transferList(p: PackedGroups): ArrayBuffer[] {
  return [p.masks.buffer, p.figures.buffer, p.setStart.buffer, p.setData.buffer] as ArrayBuffer[];
}

/** Decodes in chunks of `chunk` groups, yielding to the event loop between them (tens of thousands of groups at 1M). */
export async function unpackGroups(p: PackedGroups, chunk = 4_096): Promise<MaskGroup[]> {
  const out: MaskGroup[] = new Array(p.count);
  for (let i = 0; i < p.count; i++) {
    if (i > 0 && i % chunk === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const words: bigint[] = new Array(p.words);
    for (let w = 0; w < p.words; w++) words[w] = p.masks[i * p.words + w]!;
    const f = i * 4;
    out[i] = { words, set: Array.from(p.setData.subarray(p.setStart[i], p.setStart[i + 1])), n: p.figures[f]!, mrr: p.figures[f + 1]!, open: p.figures[f + 2]!, risk: p.figures[f + 3]! };
  }
  return out;
}
