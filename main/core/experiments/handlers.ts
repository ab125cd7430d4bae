import type { ExperimentMethod } from '../../../shared/experiments';
import type { HandlerContext, HandlerGroup } from '../context';
import { badRequest, conflict } from '../errors';
import { audit } from '../recovery/audit';
import { actorName } from '../operators/session';
import { setStrategy } from '../recovery/strategies';
import { HOLDOUT_ARM } from './assign';
import { readExpSettings, writeSegmentationHoldout } from './planner';
import { memberArms, previewOf } from './preview';
import { resultsOf } from './results';
import { segmentationLift } from './segmentation';
import { armStrategy, createExperiment, getExperiment, listExperiments, newSeed, resolveArms, segmentOrThrow, setSplit, setStatus, toView } from './store';

export function experimentHandlers(ctx: HandlerContext): HandlerGroup<ExperimentMethod> {
  const nowMs = () => ctx.ports.clock.now();
  const log = (workspaceId: string, kind: string, message: string, data: Record<string, unknown>) => {
    const db = ctx.db(workspaceId);
    audit(db, nowMs(), { actor: actorName(db), kind, message, data });
  };
  return {
    'experiments.list': async ({ workspaceId }) => {
      const db = ctx.db(workspaceId);
      return listExperiments(db).map((e) => toView(db, e));
    },
    'experiments.get': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      return toView(db, getExperiment(db, id));
    },
    'experiments.create': async ({ workspaceId, name, segmentId, arms, holdout, seed }) => {
      const db = ctx.db(workspaceId);
      const e = createExperiment(db, { name, segmentId, arms, holdout, seed }, nowMs());
      const view = toView(db, e);
      log(workspaceId, 'experiment.created', `experiment ${e.id} "${name}" started on segment ${view.segmentName}: ${e.arms.map((a) => `${a.name} ${a.weight}%`).join(', ')}${holdout ? `, holdout ${holdout}%` : ''}`, { id: e.id, seed: e.seed, arms: view.arms, holdout });
      return view;
    },
    'experiments.preview': async ({ workspaceId, id, draft }) => {
      const db = ctx.db(workspaceId);
      if (id) {
        const e = getExperiment(db, id);
        return previewOf(db, e, toView(db, e).segmentName);
      }
      const d = draft!;
      const seg = segmentOrThrow(db, d.segmentId);
      const arms = resolveArms(db, seg.id, d.arms);
      return previewOf(db, { id: '', segmentId: seg.id, seed: d.seed ?? newSeed(), arms, holdout: d.holdout, splits: [] }, seg.name);
    },
    'experiments.assign': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      return memberArms(db, getExperiment(db, id)).map((m) => ({ customerId: m.customerId, arm: m.arm }));
    },
    'experiments.results': async ({ workspaceId, id, mde, power, curveDays }) => {
      const db = ctx.db(workspaceId);
      return resultsOf(db, getExperiment(db, id), mde, power, nowMs(), curveDays);
    },
    'experiments.stop': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      const e = getExperiment(db, id);
      if (e.status !== 'running') throw conflict(`Experiment ${e.id} is already ${e.status}`);
      const done = setStatus(db, e.id, 'stopped', null, nowMs());
      log(workspaceId, 'experiment.stopped', `experiment ${e.id} "${e.name}" stopped; its segment gets its own strategy again`, { id: e.id });
      return toView(db, done);
    },
    'experiments.setSplit': async ({ workspaceId, id, arms, holdout }) => {
      const db = ctx.db(workspaceId);
      const e = setSplit(db, getExperiment(db, id), arms, holdout, nowMs());
      log(workspaceId, 'experiment.split', `experiment ${e.id} "${e.name}" split changed to ${e.arms.map((a) => `${a.name} ${a.weight}%`).join(', ')}, holdout ${e.holdout}% (treated customers keep their arm)`, { id: e.id, arms: arms, holdout: e.holdout });
      return toView(db, e);
    },
    'experiments.ship': async ({ workspaceId, id, arm }) => {
      const db = ctx.db(workspaceId);
      const e = getExperiment(db, id);
      if (e.status === 'shipped') throw conflict(`Experiment ${e.id} was already shipped (${e.winner})`);
      let winner = arm;
      if (winner === undefined) {
        const r = resultsOf(db, e, 0.05, 0.8, nowMs());
        const better = r.arms.filter((a) => a.vsControl && a.vsControl.pValue < 0.05 && a.vsControl.diff > 0).sort((x, y) => y.vsControl!.diff - x.vsControl!.diff)[0];
        if (r.srm.flagged) throw conflict(`Not shipped: ${r.srm.message}`);
        if (!better) throw conflict('No arm is significantly better than control yet; pass an arm name to ship one anyway');
        winner = better.arm;
      }
      if (winner === HOLDOUT_ARM || !e.arms.some((a) => a.name === winner)) throw badRequest(`Experiment ${e.id} has no arm "${winner.slice(0, 40)}" (arms: ${e.arms.map((a) => a.name).join(', ')})`);
      const s = armStrategy(db, e, winner);
      db.transaction(() => {
        setStrategy(db, e.segmentId, { name: s.name, description: s.description, enabled: s.enabled, steps: s.steps }, nowMs());
        setStatus(db, e.id, 'shipped', winner, nowMs());
      })();
      log(workspaceId, 'experiment.shipped', `experiment ${e.id} "${e.name}": arm ${winner} is now the segment's strategy`, { id: e.id, arm: winner });
      ctx.events.emit('strategies.changed', { workspaceId, segmentId: e.segmentId });
      return toView(db, getExperiment(db, e.id));
    },
    'experiments.segmentationResults': async ({ workspaceId }) => segmentationLift(ctx.db(workspaceId)),
    'experiments.settings.get': async ({ workspaceId }) => readExpSettings(ctx.db(workspaceId)),
    'experiments.settings.set': async ({ workspaceId, segmentationHoldout }) => {
      const db = ctx.db(workspaceId);
      writeSegmentationHoldout(db, segmentationHoldout, nowMs());
      log(workspaceId, 'experiment.settings', `segmentation holdout set to ${segmentationHoldout}% (those customers get the Default strategy)`, { segmentationHoldout });
      return readExpSettings(db);
    },
  };
}
