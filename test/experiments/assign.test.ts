import { GrowthBook } from '@growthbook/growthbook';
import { describe, expect, it } from 'vitest';
import { assigner, bucketRanges, fnv1a32, hashV2, holdoutSeed, HOLDOUT_ARM, assignArm, seededHashV2 } from '../../main/core/experiments/assign';
import { chiSquareGof } from '../../main/core/experiments/stats';

/**
 * Arm assignment is GrowthBook's (hash v2 + bucket ranges), so a third party
 * reproduces every arm with `@growthbook/growthbook` itself.
 */

// GrowthBook's SDK test vectors (growthbook/packages/sdk-js/test/cases.json, "hash"), version 2 rows.
const HASH_V2: [string, string, number][] = [
  ['seed', 'a', 0.0505],
  ['seed', 'b', 0.2696],
  ['foo', 'ab', 0.2575],
  ['foo', 'def', 0.2019],
  ['89123klj', '8952klfjas09ujkasdf', 0.124],
  ['90850943850283058242805', '123', 0.7516],
  ['()**(%$##$%#$#', '___)((*":&', 0.0128],
];
// Same file, "getBucketRange" rows at full coverage.
const RANGES: [number[], [number, number][]][] = [
  [[0.5, 0.5], [[0, 0.5], [0.5, 1]]],
  [[0.25, 0.25, 0.25, 0.25], [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]],
  [[0.4, 0.6], [[0, 0.4], [0.4, 1]]],
  [[0.2, 0.3, 0.5], [[0, 0.2], [0.2, 0.5], [0.5, 1]]],
];

const ids = (n: number, prefix = 'cus_') => Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).padStart(6, '0')}`);

/** What GrowthBook's own SDK picks for this customer. */
function growthbookArm(customerId: string, seed: string, arms: { name: string; weight: number }[]): string | null {
  const gb = new GrowthBook({ attributes: { id: customerId } });
  const r = gb.run({ key: 'reclaim-exp', seed, hashVersion: 2, hashAttribute: 'id', variations: arms.map((a) => a.name) as [string, string, ...string[]], weights: arms.map((a) => a.weight / 100) });
  gb.destroy();
  return r.inExperiment ? r.value : null;
}

describe('experiment assignment (GrowthBook hash v2)', () => {
  it('FNV-1a 32 matches the reference values', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it("matches GrowthBook's published hash v2 vectors and bucket ranges", () => {
    for (const [seed, value, expected] of HASH_V2) {
      expect(hashV2(seed, value), `${seed}/${value}`).toBe(expected);
      expect(seededHashV2(seed)(value), `seeded ${seed}/${value}`).toBe(expected);
    }
    for (const [weights, expected] of RANGES) {
      const got = bucketRanges(weights);
      got.forEach(([a, b], i) => {
        expect(a).toBeCloseTo(expected[i]![0], 12);
        expect(b).toBeCloseTo(expected[i]![1], 12);
      });
    }
  });

  it("gives every customer the arm GrowthBook's own SDK gives (GrowthBook.run with the customer id as hashAttribute)", () => {
    const specs = [
      { seed: 'exp_1a2b3c', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }] },
      { seed: 'exp_zz', arms: [{ name: 'control', weight: 34 }, { name: 'b', weight: 33 }, { name: 'c', weight: 33 }] },
      { seed: 'exp_q', arms: [{ name: 'control', weight: 90 }, { name: 'voice', weight: 10 }] },
    ];
    for (const spec of specs) {
      const mine = assigner({ ...spec, holdout: 0 });
      for (const id of ids(3000)) expect(mine(id), `${spec.seed} ${id}`).toBe(growthbookArm(id, spec.seed, spec.arms));
    }
  });

  it('the holdout is a GrowthBook experiment of its own (seed <seed>:holdout, [holdout, in] weighted [h, 1−h])', () => {
    const spec = { seed: 'exp_h', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }], holdout: 10 };
    const mine = assigner(spec);
    let held = 0;
    for (const id of ids(3000)) {
      const gbHoldout = growthbookArm(id, holdoutSeed(spec.seed), [{ name: HOLDOUT_ARM, weight: 10 }, { name: 'in', weight: 90 }]);
      const expected = gbHoldout === HOLDOUT_ARM ? HOLDOUT_ARM : growthbookArm(id, spec.seed, spec.arms);
      expect(mine(id)).toBe(expected);
      if (expected === HOLDOUT_ARM) held++;
    }
    expect(held / 3000).toBeGreaterThan(0.08);
    expect(held / 3000).toBeLessThan(0.12);
  });

  it('is uniform: 200,000 ids over 4 equal arms and 100 bucket bins pass chi-square (the 1M row is in the bench)', () => {
    const n = 200_000;
    const assign = assigner({ seed: 'exp_uniform', arms: ['a', 'b', 'c', 'd'].map((name) => ({ name, weight: 25 })), holdout: 0 });
    const arms = new Map<string, number>();
    const deciles = new Array<number>(100).fill(0);
    for (const id of ids(n)) {
      const arm = assign(id);
      arms.set(arm, (arms.get(arm) ?? 0) + 1);
      deciles[Math.floor(hashV2('exp_uniform', id) * 100)]!++;
    }
    const armFit = chiSquareGof([...arms.values()], [0.25, 0.25, 0.25, 0.25]);
    const bucketFit = chiSquareGof(deciles, new Array<number>(100).fill(0.01));
    expect(armFit.pValue).toBeGreaterThan(0.001);
    expect(bucketFit.pValue).toBeGreaterThan(0.001);
    // And a biased split is caught by the same test (the check has power).
    const biased = [...arms.values()].map((v, i) => (i === 0 ? v + 1500 : v));
    expect(chiSquareGof(biased, [0.25, 0.25, 0.25, 0.25]).pValue).toBeLessThan(0.001);
  });

  it('two experiments (different seeds) assign independently: the 2×2 table fits the product of margins', () => {
    const a = assigner({ seed: 'exp_one', arms: [{ name: 'x', weight: 50 }, { name: 'y', weight: 50 }], holdout: 0 });
    const b = assigner({ seed: 'exp_two', arms: [{ name: 'x', weight: 50 }, { name: 'y', weight: 50 }], holdout: 0 });
    const cells = [0, 0, 0, 0];
    const n = 100_000;
    for (const id of ids(n)) cells[(a(id) === 'x' ? 0 : 2) + (b(id) === 'x' ? 0 : 1)]!++;
    const rowX = (cells[0]! + cells[1]!) / n;
    const colX = (cells[0]! + cells[2]!) / n;
    const shares = [rowX * colX, rowX * (1 - colX), (1 - rowX) * colX, (1 - rowX) * (1 - colX)];
    // df of independence in a 2×2 table is 1.
    const fit = chiSquareGof(cells, shares);
    expect(fit.pValue).toBeGreaterThan(0.001);
    // Same seed would be perfectly dependent:
    const a2 = assigner({ seed: 'exp_one', arms: [{ name: 'x', weight: 50 }, { name: 'y', weight: 50 }], holdout: 0 });
    expect(ids(1000).every((id) => a(id) === a2(id))).toBe(true);
  });

  it('is stable: the same seed and id give the same arm in every process and on every machine (frozen values)', () => {
    const assign = assigner({ seed: 'exp_fixed', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }], holdout: 0 });
    const frozen: [string, number, string][] = [['cus_A', 0.9223, 'b'], ['cus_B', 0.5754, 'b'], ['cus_D', 0.0478, 'control'], ['cus_F', 0.6498, 'b']];
    for (const [id, bucket, arm] of frozen) {
      expect(hashV2('exp_fixed', id)).toBe(bucket);
      expect(assign(id)).toBe(arm);
    }
  });

  it('a stored (treated) arm wins over the hash after the split changes', () => {
    const before = { seed: 'exp_sticky', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }], holdout: 0 };
    const after = { ...before, arms: [{ name: 'control', weight: 10 }, { name: 'b', weight: 90 }] };
    const treated = new Map(ids(2000).map((id) => [id, assigner(before)(id)]));
    const moved = ids(2000).filter((id) => assigner(after)(id) !== treated.get(id));
    expect(moved.length).toBeGreaterThan(500); // the new split alone would move ~40% of them
    for (const id of ids(2000)) expect(assignArm(after, id, treated.get(id))).toBe(treated.get(id));
    // Untreated customers follow the new split.
    expect(assignArm(after, 'cus_new', null)).toBe(assigner(after)('cus_new'));
  });
});
