import { GrowthBook } from '@growthbook/growthbook';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { assigner } from '../../main/core/experiments/assign';
import { call, clockedCore, step } from '../whiteglove/engine-helpers';
import { DAY, NOW, seed } from '../whiteglove/helpers';

/**
 * Experiments end to end on a real core and SQLite: create (with clear errors
 * for bad input), assign (reproduced with GrowthBook's SDK), preview with SRM,
 * the planner giving each customer its arm's strategy, a run, payments,
 * results, a split change that leaves treated customers in their arm, ship.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
const reclaim = (args: string[], dataDir: string) => {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8', input: '' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

function gbArm(customerId: string, seed: string, arms: { name: string; weight: number }[], holdout: number): string {
  const run = (s: string, names: string[], weights: number[]) => {
    const gb = new GrowthBook({ attributes: { id: customerId } });
    const r = gb.run({ key: 'x', seed: s, hashVersion: 2, hashAttribute: 'id', variations: names as [string, string, ...string[]], weights });
    gb.destroy();
    return r.value;
  };
  if (holdout > 0 && run(`${seed}:holdout`, ['holdout', 'in'], [holdout / 100, 1 - holdout / 100]) === 'holdout') return 'holdout';
  return run(seed, arms.map((a) => a.name), arms.map((a) => a.weight / 100));
}

const customers = (prefix: string, n: number, segment: 'Enterprise' | 'Starter') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(3, '0')}`, amountAtRisk: 10_000 + i, mrr: 5_000, segment }));

describe('experiments inside a segment', () => {
  it('assigns, previews, plans each customer with its arm’s strategy, measures results, keeps treated arms after a split change, ships the winner', async () => {
    const { core, clock } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    const workspaceId = ws.id;
    const db = core.registry.openDb(ws.id);
    seed(db, [...customers('e', 300, 'Enterprise'), ...customers('s', 20, 'Starter')]);
    await call(core, 'strategies.set', { workspaceId, segmentId: 'seg_enterprise', strategy: { name: 'Email A', steps: [step.email('a1', 0)] } });

    // Clear one-line errors for bad input.
    const bad = async (input: Record<string, unknown>) => {
      const r = await dispatch(core, 'experiments.create', { workspaceId, name: 'x', ...input }, silentLogger);
      return r.ok ? 'ok' : r.error.message;
    };
    expect(await bad({ segmentId: 'seg_enterprise', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 40 }] })).toBe('Arm weights must sum to 100 (control:50,b:40 sums to 90)');
    expect(await bad({ segmentId: 'Nope', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }] })).toBe('Unknown segment "Nope" (see: reclaim segments list)');
    expect(await bad({ segmentId: 'seg_enterprise', arms: [{ name: 'control', weight: 50 }, { name: 'control', weight: 50 }] })).toBe('Arm "control" is named twice; arm names must be unique');
    expect(await bad({ segmentId: 'seg_enterprise', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50, strategy: { name: 'B', steps: 'no' } }] })).toBe("Arm b's strategy is not valid: Steps must be a list ([…])");
    // A template the engine could not render is refused now, as `strategies set` refuses it, not when the email is due.
    const badTemplate = { ...step.email('b1', 0), config: { tone: 'warm', sender: 'workspace', template: { subject: 'Hi {{ no_such_variable }}', text: 'x', html: '' } } };
    expect(await bad({ segmentId: 'seg_enterprise', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50, strategy: { name: 'B', steps: [badTemplate] } }] })).toMatch(/^Arm b's strategy is not valid: Step 1, email “Hi \{\{ no_such_variable \}\}”: the subject uses an unknown variable “no_such_variable” \(line 1\)$/);

    const arms = [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }];
    const exp = await call(core, 'experiments.create', {
      workspaceId, name: 'Two emails', segmentId: 'Enterprise', holdout: 10,
      arms: [arms[0]!, { ...arms[1]!, strategy: { name: 'Email B', steps: [step.email('b1', 0), step.email('b2', 1)] } }],
    });
    expect(exp).toMatchObject({ hashVersion: 2, holdout: 10, status: 'running', segmentName: 'Enterprise', arms: [{ name: 'control', weight: 50, strategy: { name: 'Email A', source: 'segment' } }, { name: 'b', strategy: { name: 'Email B', source: 'custom' } }] });
    expect(await bad({ segmentId: 'seg_enterprise', arms })).toBe('Segment "Enterprise" already has a running experiment ("Two emails"); stop or ship it first');

    // Every current member, each arm exactly what GrowthBook's SDK computes from the seed.
    const assigned = await call(core, 'experiments.assign', { workspaceId, id: exp.id });
    expect(assigned).toHaveLength(300);
    for (const a of assigned) expect(a.arm, a.customerId).toBe(gbArm(a.customerId, exp.seed, arms, 10));
    const armOf = new Map(assigned.map((a) => [a.customerId, a.arm]));

    const preview = await call(core, 'experiments.preview', { workspaceId, id: exp.id });
    expect(preview.members).toBe(300);
    expect(preview.arms.map((a) => a.arm)).toEqual(['holdout', 'control', 'b']);
    expect(preview.arms.map((a) => a.share)).toEqual([0.1, 0.45, 0.45]);
    expect(preview.arms.reduce((s, a) => s + a.customers, 0)).toBe(300);
    for (const a of preview.arms) {
      expect(a.customers).toBe(assigned.filter((x) => x.arm === a.arm).length);
      expect(a.amountAtRisk).toBe(assigned.filter((x) => x.arm === a.arm).reduce((s, x) => s + 10_000 + Number(x.customerId.slice(1)), 0));
    }
    expect(preview.srm.flagged).toBe(false);

    // The planner: each Enterprise row carries its arm and follows that arm's strategy; Starter rows carry none.
    const plan = await call(core, 'runs.plan', { workspaceId });
    for (const r of plan.rows) {
      if (r.segmentId === 'seg_starter') {
        expect(r).toMatchObject({ experimentId: null, arm: null });
        continue;
      }
      expect(r.experimentId).toBe(exp.id);
      expect(r.arm).toBe(armOf.get(r.customerId));
      expect(r.steps.map((s) => s.stepId)).toEqual(r.arm === 'b' ? ['b1', 'b2'] : ['a1']);
    }
    const run = await call(core, 'runs.start', { workspaceId, planId: plan.planId, confirm: true, wait: true });

    // Payments: every b customer pays, every third control customer pays, the holdout pays like control.
    let i = 0;
    for (const [c, arm] of armOf) {
      if (arm === 'b' || i++ % 3 === 0) {
        db.prepare(`UPDATE invoices SET status = 'paid', amount_remaining = 0, amount_paid = amount_due, raw = json_set(raw, '$.status_transitions.paid_at', ?) WHERE customer_id = ?`).run(NOW + DAY, c);
      }
    }
    clock.sec = NOW + DAY + 60;
    await call(core, 'runs.tick', { workspaceId });
    const res = await call(core, 'experiments.results', { workspaceId, id: exp.id });
    const by = new Map(res.arms.map((a) => [a.arm, a]));
    const nB = [...armOf.values()].filter((a) => a === 'b').length;
    expect(by.get('b')).toMatchObject({ customers: nB, entered: nB, recovered: nB, rate: 1, rateByAmount: 1, medianSecondsToRecovery: 4 * DAY }); // first failure NOW − 3 days, paid NOW + 1 day
    const c = by.get('control')!;
    expect(c.recovered).toBeGreaterThan(0);
    expect(c.recovered).toBeLessThan(c.entered);
    expect(by.get('b')!.vsControl!.diff).toBeCloseTo(1 - c.recovered / c.entered, 10);
    expect(by.get('b')!.vsControl!.pValue).toBeLessThan(0.001);
    expect(by.get('b')!.verdict).toBe('Variant b likely better than control.');
    // Beside the p-value, the Bayesian chance to beat control; control has none.
    expect(by.get('b')!.chanceToBeatControl).toBeGreaterThan(0.999);
    expect(c.chanceToBeatControl).toBeNull();
    // Recovery curves by day since entry (joined at NOW, paid at NOW + 1 day): nothing on day 0, everything (b) or the paid share (control) by day 1.
    expect(res.curveDays).toBe(30);
    expect(by.get('b')!.curve.map((p) => [p.day, p.recovered])).toEqual([[0, 0], [1, 1]]);
    expect(c.curve.map((p) => p.day)).toEqual([0, 1]);
    expect(c.curve[0]!.recovered).toBe(0);
    expect(c.curve[1]!.recovered).toBeCloseTo(c.recovered / c.entered, 10);
    expect(c.curve[0]!.atRisk).toBe(c.entered);
    expect(res.srm.flagged).toBe(false);
    expect(run.id).toMatch(/^run_/);

    // Split change: treated customers keep their arm; new (untreated) members follow the new split.
    await call(core, 'experiments.setSplit', { workspaceId, id: exp.id, arms: [{ name: 'control', weight: 10 }, { name: 'b', weight: 90 }] });
    seed(db, customers('n', 60, 'Enterprise'));
    const after = await call(core, 'experiments.assign', { workspaceId, id: exp.id });
    const newSpec = assigner({ seed: exp.seed, arms: [{ name: 'control', weight: 10 }, { name: 'b', weight: 90 }], holdout: 10 });
    for (const a of after) expect(a.arm, a.customerId).toBe(a.customerId.startsWith('e') ? armOf.get(a.customerId) : newSpec(a.customerId));
    const moved = [...armOf].filter(([id, arm]) => newSpec(id) !== arm).length;
    expect(moved).toBeGreaterThan(30); // without stickiness these would have switched arms
    // The split change is not a sample-ratio mismatch: treated customers count with the split they were treated under.
    const afterPreview = await call(core, 'experiments.preview', { workspaceId, id: exp.id });
    expect(afterPreview.members).toBe(360);
    expect(afterPreview.srm.flagged).toBe(false);

    // Ship: the significantly better arm becomes the segment's strategy.
    const shipped = await call(core, 'experiments.ship', { workspaceId, id: exp.id });
    expect(shipped).toMatchObject({ status: 'shipped', winner: 'b' });
    const s = await call(core, 'strategies.get', { workspaceId, segmentId: 'seg_enterprise' });
    expect(s.steps.map((x) => x.id)).toEqual(['b1', 'b2']);
    // With the experiment over, a plan follows the segment's (now shipped) strategy without an arm.
    const plan2 = await call(core, 'runs.plan', { workspaceId });
    const fresh = plan2.rows.find((r) => r.customerId.startsWith('n'))!;
    expect(fresh).toMatchObject({ experimentId: null, arm: null });
  });

  it('SRM: a deliberately biased assignment is flagged in results and blocks shipping; a fair one is not', async () => {
    const { core } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    const db = core.registry.openDb(ws.id);
    seed(db, customers('e', 10, 'Enterprise'));
    const exp = await call(core, 'experiments.create', { workspaceId: ws.id, name: 'Biased', segmentId: 'seg_enterprise', arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }] });
    const put = db.prepare(`INSERT INTO experiment_assignments (experiment_id, customer_id, arm, first_run_id, assigned_at_ms) VALUES (?, ?, ?, 'run_x', ?)`);
    // Fair: the hash's own arms for 1,000 ids.
    const fair = assigner({ seed: exp.seed, arms: [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }], holdout: 0 });
    for (let i = 0; i < 1000; i++) put.run(exp.id, `f${i}`, fair(`f${i}`), NOW * 1000);
    const ok = await call(core, 'experiments.results', { workspaceId: ws.id, id: exp.id });
    expect(ok.srm.flagged).toBe(false);
    // Biased: 300 more customers, all put in b (e.g. a bug that only records one arm's treatments).
    for (let i = 0; i < 300; i++) put.run(exp.id, `x${i}`, 'b', NOW * 1000);
    const res = await call(core, 'experiments.results', { workspaceId: ws.id, id: exp.id });
    expect(res.srm.flagged).toBe(true);
    expect(res.summary).toMatch(/^Sample ratio mismatch/);
    const ship = await dispatch(core, 'experiments.ship', { workspaceId: ws.id, id: exp.id }, silentLogger);
    expect(ship.ok ? '' : ship.error.message).toMatch(/^Not shipped: Sample ratio mismatch/);
  });

  it('the segmentation holdout sends its share of every segment to the Default strategy, and measures segmented vs one-size-fits-all', async () => {
    const { core, clock } = clockedCore(NOW);
    cleanups.push(() => core.close());
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    const db = core.registry.openDb(ws.id);
    seed(db, [...customers('e', 200, 'Enterprise'), ...customers('s', 200, 'Starter')]);
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_enterprise', strategy: { name: 'E', steps: [step.email('ent', 0), step.email('ent-2', 5)] } });
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'seg_starter', strategy: { name: 'S', steps: [step.email('sta', 0), step.email('sta-2', 5)] } });
    await call(core, 'strategies.set', { workspaceId: ws.id, segmentId: 'default', strategy: { name: 'D', steps: [step.email('dflt', 0), step.email('dflt-2', 5)] } });
    const settings = await call(core, 'experiments.settings.set', { workspaceId: ws.id, segmentationHoldout: 20 });
    const plan = await call(core, 'runs.plan', { workspaceId: ws.id });
    const held = plan.rows.filter((r) => r.arm === 'segmentation_holdout');
    expect(held.length).toBeGreaterThan(50);
    expect(held.length).toBeLessThan(110);
    for (const r of plan.rows) {
      const inHoldout = gbArm(r.customerId, settings.seed, [{ name: 'segmentation_holdout', weight: 20 }, { name: 'in', weight: 80 }], 0) === 'segmentation_holdout';
      expect(r.arm === 'segmentation_holdout', r.customerId).toBe(inHoldout);
      expect(r.steps[0]!.stepId).toBe(inHoldout ? 'dflt' : r.segmentId === 'seg_starter' ? 'sta' : 'ent');
    }

    // The measured lift: run the plan (a second email keeps it running), segmented customers pay, held-out ones do not.
    expect((await call(core, 'experiments.segmentationResults', { workspaceId: ws.id })).summary).toBe('Not enough data yet.');
    await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
    for (const r of plan.rows) {
      if (r.arm !== 'segmentation_holdout') db.prepare(`UPDATE invoices SET status = 'paid', amount_remaining = 0, amount_paid = amount_due WHERE id = ?`).run(r.invoiceId);
    }
    clock.sec = NOW + 60;
    await call(core, 'runs.tick', { workspaceId: ws.id });
    const lift = await call(core, 'experiments.segmentationResults', { workspaceId: ws.id });
    expect(lift.arms.map((a) => [a.arm, a.entered, a.recovered])).toEqual([['segmentation_holdout', held.length, 0], ['segmented', 400 - held.length, 400 - held.length]]);
    expect(lift.arms[1]!.vsControl!.diff).toBe(1);
    expect(lift.summary).toMatch(/^Segmented strategies recover more than one-size-fits-all: \+100\.0 points/);
  });

  it('CLI: create --json, assign --json, preview, and one-line errors', async () => {
    const { core, dataDir } = clockedCore(NOW);
    const ws = await call(core, 'workspaces.create', { name: 'Acme', mode: 'test', currency: 'usd' });
    seed(core.registry.openDb(ws.id), customers('e', 50, 'Enterprise'));
    await core.close();

    const sum = reclaim(['experiment', 'create', '--segment', 'Enterprise', '--name', 'T', '--arms', 'control:50,b:40'], dataDir);
    expect(sum.code).toBe(2);
    expect(sum.err.trim()).toBe('reclaim: Arm weights must sum to 100 (control:50,b:40 sums to 90)');
    const seg = reclaim(['experiment', 'create', '--segment', 'Nope', '--name', 'T', '--arms', 'control:50,b:50'], dataDir);
    expect(seg.code).toBe(2);
    expect(seg.err.trim()).toBe('reclaim: Unknown segment "Nope" (see: reclaim segments list)');

    const created = reclaim(['--json', 'experiment', 'create', '--segment', 'Enterprise', '--name', 'Voice test', '--arms', 'control:50,b:50', '--holdout', '10', '--arm-strategy', 'b=default'], dataDir);
    expect(created.err).toBe('');
    const e = JSON.parse(created.out) as { id: string; key: string; seed: string; hashVersion: number; arms: { name: string; weight: number; strategy: { name: string; source: string } }[] };
    expect(e).toMatchObject({ id: expect.stringMatching(/^exp_/), key: expect.stringMatching(/^voice-test-/), hashVersion: 2 });
    expect(e.arms.map((a) => [a.name, a.weight, a.strategy.source])).toEqual([['control', 50, 'segment'], ['b', 50, 'default']]);

    const assigned = JSON.parse(reclaim(['--json', 'experiment', 'assign', e.id], dataDir).out) as { customerId: string; arm: string }[];
    expect(assigned).toHaveLength(50);
    for (const a of assigned) expect(a.arm).toBe(gbArm(a.customerId, e.seed, [{ name: 'control', weight: 50 }, { name: 'b', weight: 50 }], 10));

    const preview = reclaim(['experiment', 'preview', e.id], dataDir);
    expect(preview.code).toBe(0);
    expect(preview.out).toMatch(/Assigned counts match the planned split/);
    expect(preview.out).toMatch(/ARM\s+SPLIT\s+CUSTOMERS/);
    const ghost = reclaim(['experiment', 'results', 'exp_nope'], dataDir);
    expect(ghost.code).toBe(1);
    expect(ghost.err.trim()).toBe('reclaim: The experiment "exp_nope" was not found');
  });
});
