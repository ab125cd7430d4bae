import type { Command } from 'commander';
import type { ArmInput, ExperimentPreview, ExperimentResults } from '../../../shared/experiments';
import { formatMoney } from '../../../shared/money';
import { CliExit, type CliContext } from '../context';
import { formatTime, table } from '../format';
import { readInput } from '../input';

/**
 * `reclaim experiment …` (#20). An arm's strategy: the first arm (the
 * control) follows the segment's current strategy; every other arm starts as
 * a copy of it, unless `--arm-strategy NAME=SOURCE` says otherwise, where
 * SOURCE is a strategy JSON file ({name, steps: [...]}, as `strategies set`
 * takes; - for stdin), `segment` (the segment's live strategy), `copy`,
 * `default` (the Default strategy) or another segment's id or name.
 */

const SOURCES = new Set(['segment', 'copy', 'default']);

export function parseArms(spec: string): { name: string; weight: number }[] {
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) throw new CliExit(2, `--arms needs at least two arms, e.g. control:50,b:50 (got "${spec.slice(0, 80)}")`);
  return parts.map((p) => {
    const m = /^([^:]+):(\d{1,3})$/.exec(p);
    if (!m) throw new CliExit(2, `--arms: "${p.slice(0, 40)}" is not NAME:PERCENT (e.g. control:50,b:50)`);
    return { name: m[1]!.trim(), weight: Number(m[2]) };
  });
}

async function armInputs(spec: string, armStrategies: string[]): Promise<ArmInput[]> {
  const arms: ArmInput[] = parseArms(spec);
  const sum = arms.reduce((a, b) => a + b.weight, 0);
  if (sum !== 100) throw new CliExit(2, `Arm weights must sum to 100 (${spec} sums to ${sum})`);
  for (const a of armStrategies) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new CliExit(2, `--arm-strategy takes NAME=FILE|segment|copy|default|SEGMENT (got "${a.slice(0, 60)}")`);
    const name = a.slice(0, eq);
    const source = a.slice(eq + 1);
    const arm = arms.find((x) => x.name === name);
    if (!arm) throw new CliExit(2, `--arm-strategy names arm "${name.slice(0, 40)}", which is not in --arms (${arms.map((x) => x.name).join(', ')})`);
    if (SOURCES.has(source)) arm.strategyFrom = source;
    else if (source === '-' || /\.json$/i.test(source)) {
      try {
        arm.strategy = JSON.parse(await readInput(source)) as Record<string, unknown>;
      } catch (e) {
        if (e instanceof CliExit) throw e;
        throw new CliExit(2, `The strategy file for arm ${name} is not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    } else arm.strategyFrom = source;
  }
  return arms;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const signedPct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const duration = (s: number | null) => (s === null ? '—' : s < 86_400 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86_400).toFixed(1)} d`);

export function previewText(p: ExperimentPreview): string {
  const rows = p.arms.map((a) => ({
    arm: a.arm, share: `${(a.share * 100).toFixed(1)}%`, customers: a.customers, expected: a.expected.toFixed(1),
    deviation: `${a.deviation >= 0 ? '+' : ''}${a.deviation.toFixed(1)} (±${a.expectedSd.toFixed(1)})`, mrr: formatMoney(a.mrr, p.currency), risk: formatMoney(a.amountAtRisk, p.currency), treated: a.treated,
  }));
  return [
    `${p.srm.flagged ? 'WARNING ' : ''}${p.srm.message}`,
    `Segment ${p.segmentName}: ${p.members} current members; seed ${p.seed}`,
    table(rows, [
      { key: 'arm', label: 'ARM' }, { key: 'share', label: 'SPLIT', align: 'right' }, { key: 'customers', label: 'CUSTOMERS', align: 'right' },
      { key: 'expected', label: 'EXPECTED', align: 'right' }, { key: 'deviation', label: 'DIFF (±1 SD FROM HASHING)', align: 'right' },
      { key: 'mrr', label: 'MRR', align: 'right' }, { key: 'risk', label: 'AT RISK', align: 'right' }, { key: 'treated', label: 'TREATED', align: 'right' },
    ]),
  ].join('\n');
}

export function resultsText(r: ExperimentResults): string {
  const rows = r.arms.map((a) => ({
    arm: a.arm, customers: a.customers, entered: a.entered, recovered: a.recovered, rate: pct(a.rate), byAmount: pct(a.rateByAmount),
    median: duration(a.medianSecondsToRecovery), revenue: formatMoney(a.recoveredRevenue, r.currency), cost: formatMoney(a.offerCost, r.currency),
    diff: a.vsControl ? `${signedPct(a.vsControl.diff)} pts [${signedPct(a.vsControl.ciLow)}, ${signedPct(a.vsControl.ciHigh)}] p=${a.vsControl.pValue.toFixed(4)}` : '—',
    beat: a.chanceToBeatControl === null ? '—' : a.chanceToBeatControl > 0.999 ? '> 99.9%' : a.chanceToBeatControl < 0.001 ? '< 0.1%' : pct(a.chanceToBeatControl),
    verdict: a.verdict,
  }));
  return [
    `${r.experiment.name} (${r.experiment.id}, ${r.experiment.status}) on ${r.experiment.segmentName}`,
    `${r.srm.flagged ? 'WARNING ' : ''}${r.srm.message}`,
    table(rows, [
      { key: 'arm', label: 'ARM' }, { key: 'customers', label: 'CUSTOMERS', align: 'right' }, { key: 'entered', label: 'INVOICES', align: 'right' },
      { key: 'recovered', label: 'RECOVERED', align: 'right' }, { key: 'rate', label: 'RATE', align: 'right' }, { key: 'byAmount', label: 'BY AMOUNT', align: 'right' },
      { key: 'median', label: 'MEDIAN TIME', align: 'right' }, { key: 'revenue', label: 'REVENUE', align: 'right' }, { key: 'cost', label: 'OFFER COST', align: 'right' },
      { key: 'diff', label: 'VS CONTROL (95% CI)' }, { key: 'beat', label: 'CHANCE TO BEAT CONTROL', align: 'right' }, { key: 'verdict', label: 'VERDICT' },
    ]),
    `To detect ${(r.mde * 100).toFixed(1)} points at power ${r.power}: ${r.neededPerArm} invoices per arm${r.moreDays === null ? '' : r.moreDays === 0 ? ' (reached)' : `, about ${r.moreDays} more days at the current rate`}.`,
    r.summary,
  ].join('\n');
}

export function registerExperimentCommands(program: Command, ctx: CliContext): void {
  const { call, print } = ctx;
  const exp = program.command('experiment').alias('experiments').description('A/B tests inside a segment: arms are strategy variants (docs/EXPERIMENTS.md)');
  const num = (flag: string, min: number, max: number) => (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new CliExit(2, `${flag} must be a number from ${min} to ${max} (got "${v.slice(0, 20)}")`);
    return n;
  };

  exp
    .command('create')
    .description('start an experiment on a segment (the first arm is the control and keeps the segment’s strategy)')
    .requiredOption('--segment <segment>', 'segment id or name')
    .requiredOption('--name <name>', 'experiment name')
    .requiredOption('--arms <arms>', 'NAME:PERCENT,… summing to 100, e.g. control:50,b:50')
    .option('--holdout <percent>', 'percent of the segment held out on its current strategy (0–50)', num('--holdout', 0, 50), 0)
    .option('--arm-strategy <arm=source>', 'an arm’s strategy: FILE.json (or -), segment, copy, default, or a segment id/name (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--seed <seed>', 'hash seed (default: random)')
    .option('--dry-run', 'show the preview only; nothing is created')
    .action(async (o: { segment: string; name: string; arms: string; holdout: number; armStrategy: string[]; seed?: string; dryRun?: boolean }) => {
      if (!Number.isInteger(o.holdout)) throw new CliExit(2, `--holdout must be a whole percent (got ${o.holdout})`);
      const workspaceId = await ctx.workspaceId();
      const arms = await armInputs(o.arms, o.armStrategy);
      const draft = { segmentId: o.segment, arms, holdout: o.holdout, ...(o.seed ? { seed: o.seed } : {}) };
      if (o.dryRun) {
        const p = await call('experiments.preview', { workspaceId, draft });
        print(p, () => previewText(p));
        return;
      }
      const e = await call('experiments.create', { workspaceId, name: o.name, ...draft });
      print(
        { id: e.id, key: e.key, seed: e.seed, hashVersion: e.hashVersion, holdout: e.holdout, segmentId: e.segmentId, arms: e.arms },
        () => `Started ${e.name} (${e.id}) on ${e.segmentName}: ${e.arms.map((a) => `${a.name} ${a.weight}% → ${a.strategy.name} [${a.strategy.source}]`).join('; ')}${e.holdout ? `; holdout ${e.holdout}%` : ''}\nseed ${e.seed}, GrowthBook hash v${e.hashVersion}`,
      );
    });

  exp
    .command('list')
    .description('every experiment')
    .action(async () => {
      const list = await call('experiments.list', { workspaceId: await ctx.workspaceId() });
      print(list, () =>
        table(
          list.map((e) => ({ id: e.id, name: e.name, segment: e.segmentName, arms: e.arms.map((a) => `${a.name}:${a.weight}`).join(','), holdout: `${e.holdout}%`, status: e.status, winner: e.winner, created: formatTime(e.createdAt) })),
          [
            { key: 'id', label: 'ID' }, { key: 'name', label: 'NAME' }, { key: 'segment', label: 'SEGMENT' }, { key: 'arms', label: 'ARMS' },
            { key: 'holdout', label: 'HOLDOUT', align: 'right' }, { key: 'status', label: 'STATUS' }, { key: 'winner', label: 'SHIPPED' }, { key: 'created', label: 'CREATED' },
          ],
        ),
      );
    });

  exp
    .command('preview <id>')
    .description('arm sizes, MRR and amount at risk per arm for the current members; sample-ratio check')
    .action(async (id: string) => {
      const p = await call('experiments.preview', { workspaceId: await ctx.workspaceId(), id });
      print(p, () => previewText(p));
    });

  exp
    .command('assign <id>')
    .description('every current member of the segment with its arm (reproducible with GrowthBook)')
    .action(async (id: string) => {
      const rows = await call('experiments.assign', { workspaceId: await ctx.workspaceId(), id });
      print(rows, () => table(rows, [{ key: 'customerId', label: 'CUSTOMER' }, { key: 'arm', label: 'ARM' }]));
    });

  exp
    .command('results <id>')
    .description('recovery per arm, difference vs control with a 95% interval and p-value, sample size')
    .option('--mde <points>', 'minimum detectable effect, absolute (0.05 = 5 points)', num('--mde', 0.001, 0.999), 0.05)
    .option('--power <power>', 'statistical power', num('--power', 0.51, 0.99), 0.8)
    .option('--curve-days <days>', 'window of the recovery curves (--json), days since entry', (v: string) => {
      const n = num('--curve-days', 1, 365)(v);
      if (!Number.isInteger(n)) throw new CliExit(2, `--curve-days must be a whole number of days (got "${v.slice(0, 20)}")`);
      return n;
    }, 30)
    .action(async (id: string, o: { mde: number; power: number; curveDays: number }) => {
      const r = await call('experiments.results', { workspaceId: await ctx.workspaceId(), id, mde: o.mde, power: o.power, curveDays: o.curveDays });
      print(r, () => resultsText(r));
    });

  exp
    .command('stop <id>')
    .description('stop assigning; the segment gets its own strategy again')
    .action(async (id: string) => {
      const e = await call('experiments.stop', { workspaceId: await ctx.workspaceId(), id });
      print(e, () => `Stopped ${e.name} (${e.id})`);
    });

  exp
    .command('split <id>')
    .description('change the split percentages (same arms); customers already treated keep their arm')
    .requiredOption('--arms <arms>', 'NAME:PERCENT,… summing to 100')
    .option('--holdout <percent>', 'new holdout percent (0–50)', num('--holdout', 0, 50))
    .action(async (id: string, o: { arms: string; holdout?: number }) => {
      const e = await call('experiments.setSplit', { workspaceId: await ctx.workspaceId(), id, arms: parseArms(o.arms), ...(o.holdout !== undefined ? { holdout: o.holdout } : {}) });
      print(e, () => `${e.name} (${e.id}) split: ${e.arms.map((a) => `${a.name} ${a.weight}%`).join(', ')}; holdout ${e.holdout}%`);
    });

  exp
    .command('ship <id>')
    .description('make an arm’s strategy the segment’s strategy (default: the arm significantly better than control)')
    .option('--arm <name>', 'the arm to ship')
    .action(async (id: string, o: { arm?: string }) => {
      const e = await call('experiments.ship', { workspaceId: await ctx.workspaceId(), id, ...(o.arm ? { arm: o.arm } : {}) });
      print(e, () => `Shipped arm ${e.winner} of ${e.name}: it is now the strategy of ${e.segmentName}`);
    });

  exp
    .command('lift')
    .description('segmented strategies vs one-size-fits-all, measured on the segmentation holdout')
    .action(async () => {
      const r = await call('experiments.segmentationResults', { workspaceId: await ctx.workspaceId() });
      print(r, () => {
        const rows = r.arms.map((a) => ({ group: a.arm, invoices: a.entered, recovered: a.recovered, rate: pct(a.rate), byAmount: pct(a.rateByAmount), revenue: formatMoney(a.recoveredRevenue, r.currency) }));
        return [
          `Segmentation holdout: ${r.segmentationHoldout}%${r.since === null ? '' : ` since ${formatTime(r.since)}`}`,
          table(rows, [
            { key: 'group', label: 'GROUP' }, { key: 'invoices', label: 'INVOICES', align: 'right' }, { key: 'recovered', label: 'RECOVERED', align: 'right' },
            { key: 'rate', label: 'RATE', align: 'right' }, { key: 'byAmount', label: 'BY AMOUNT', align: 'right' }, { key: 'revenue', label: 'REVENUE', align: 'right' },
          ]),
          r.summary,
        ].join('\n');
      });
    });

  exp
    .command('holdout [percent]')
    .description('the workspace-wide segmentation holdout: this percent of all customers get the Default strategy (show it without a percent)')
    .action(async (percent: string | undefined) => {
      const workspaceId = await ctx.workspaceId();
      const s = percent === undefined
        ? await call('experiments.settings.get', { workspaceId })
        : await call('experiments.settings.set', { workspaceId, segmentationHoldout: num('holdout percent', 0, 50)(percent) });
      print(s, () => `Segmentation holdout: ${s.segmentationHoldout}% of customers get the Default strategy (seed ${s.seed})`);
    });
}
