/**
 * Deterministic arm assignment, bit-for-bit GrowthBook's (SDK spec, hash
 * version 2), so anyone can reproduce an arm with `@growthbook/growthbook`:
 *
 *   n   = fnv1a32(String(fnv1a32(seed + customerId))) % 10000 / 10000      (hash v2)
 *   arm = the arm whose bucket range [start, start + weight) holds n          (getBucketRanges, coverage 1)
 *
 * The library's `hash`, `getBucketRanges` and `chooseVariation` are not in its
 * package exports (only `GrowthBook` is), so they are written out here and
 * checked against GrowthBook's published test vectors and against
 * `new GrowthBook({ attributes: { id } }).run({ key, seed, hashVersion: 2,
 * hashAttribute: 'id', variations, weights })` in test/experiments/assign.test.ts.
 *
 * The optional holdout is a second GrowthBook experiment with seed
 * `<seed>:holdout` and two variations [holdout, in] weighted [h, 1 − h]; the
 * arms split those left in. Stickiness (a treated customer keeps its arm when
 * splits change) is the store's job: a stored arm wins over the hash.
 */

export const HASH_VERSION = 2;

/** FNV-1a, 32 bit, over UTF-16 code units (as GrowthBook's `hashFnv32a`). */
export function fnv1a32(str: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a state after `str`, continuing from `h` (FNV is streaming: fnv(a + b) = continue(fnv(a), b)). */
function fnvFrom(h: number, str: string): number {
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

const digits = new Uint8Array(10);

/** FNV-1a of the decimal string of a uint32, without building the string. */
function fnvOfDecimal(n: number): number {
  let len = 0;
  do {
    digits[len++] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  let h = 0x811c9dc5;
  while (len > 0) {
    h ^= digits[--len]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** GrowthBook's `hash(seed, value, 2)`: a bucket in [0, 1) with 4 decimals. */
export function hashV2(seed: string, value: string): number {
  return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
}

/** `hashV2` with the seed's FNV state computed once (same values; 1M ids in well under 0.5 s). */
export function seededHashV2(seed: string): (value: string) => number {
  const state = fnvFrom(0x811c9dc5, seed);
  return (value) => (fnvOfDecimal(fnvFrom(state, value) >>> 0) % 10000) / 10000;
}

export type Range = [number, number];

/** GrowthBook's `getBucketRanges(n, 1, weights)` for weights that sum to 1. */
export function bucketRanges(weights: number[]): Range[] {
  let cumulative = 0;
  return weights.map((w) => {
    const start = cumulative;
    cumulative += w;
    return [start, start + w] as Range;
  });
}

/** GrowthBook's `chooseVariation`: the first range with start ≤ n < end, or −1. */
export function chooseVariation(n: number, ranges: Range[]): number {
  for (let i = 0; i < ranges.length; i++) if (n >= ranges[i]![0] && n < ranges[i]![1]) return i;
  return -1;
}

export interface ArmSpec {
  name: string;
  /** Percent, integers summing to 100 across arms. */
  weight: number;
}

export interface AssignSpec {
  seed: string;
  arms: ArmSpec[];
  /** Percent of the segment held out (gets the segment's current strategy); 0 = none. */
  holdout: number;
}

export const HOLDOUT_ARM = 'holdout';

/** Seed of the holdout draw (a GrowthBook experiment of its own). */
export const holdoutSeed = (seed: string) => `${seed}:holdout`;

/** A reusable assigner for one experiment: ranges computed once. */
export function assigner(spec: AssignSpec): (customerId: string) => string {
  const ranges = bucketRanges(spec.arms.map((a) => a.weight / 100));
  const names = spec.arms.map((a) => a.name);
  const h = spec.holdout / 100;
  const holdoutHash = seededHashV2(holdoutSeed(spec.seed));
  const armHash = seededHashV2(spec.seed);
  const holdoutRanges = bucketRanges([h, 1 - h]);
  return (customerId) => {
    if (h > 0 && chooseVariation(holdoutHash(customerId), holdoutRanges) === 0) return HOLDOUT_ARM;
    const i = chooseVariation(armHash(customerId), ranges);
    // Weights sum to exactly 1, so every n in [0, 0.9999] lands in a range; the
    // fallback only guards float dust on the last boundary.
    return names[i === -1 ? names.length - 1 : i]!;
  };
}

/** One customer's arm: the stored (sticky) arm when it has one, else the hash. */
export function assignArm(spec: AssignSpec, customerId: string, stored?: string | null): string {
  return stored ?? assigner(spec)(customerId);
}
