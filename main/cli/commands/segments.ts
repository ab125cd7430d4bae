import type { Command } from 'commander';
import { formatMoney } from '../../../shared/money';
import type { Segment } from '../../../shared/contract';
import { CliExit, type CliContext } from '../context';
import { table } from '../format';
import { parseMode, writeExport } from '../export-file';
import { readInput } from '../input';

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new CliExit(2, `${what} is not a JSON object (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function registerSegmentCommands(program: Command, ctx: CliContext): void {
  const { call, print } = ctx;
  /** A rule's warnings (e.g. a value no customer has) go to stderr, one line each; --json output carries them too. */
  const warn = (warnings: string[] | undefined) => {
    for (const w of warnings ?? []) ctx.io.err(`reclaim: warning: ${w}`);
  };
  const currency = async (workspaceId: string) => (await call('workspaces.list', {})).find((w) => w.id === workspaceId)?.currency ?? 'usd';
  const find = async (workspaceId: string, ref: string): Promise<Segment> => {
    const { segments } = await call('segments.list', { workspaceId, includeArchived: true });
    const hit = segments.find((s) => s.id === ref) ?? segments.find((s) => s.name.toLowerCase() === ref.toLowerCase());
    if (!hit) throw new CliExit(1, `No segment "${ref}" (see: reclaim segments list)`);
    return hit;
  };

  const seg = program.command('segments').description('segments: rules, priority order and membership');
  seg
    .command('list')
    .description('segments in priority order with members, MRR, amount at risk and wins')
    .action(async () => {
      const workspaceId = await ctx.workspaceId();
      const cur = await currency(workspaceId);
      const r = await call('segments.list', { workspaceId });
      print(r, () =>
        [
          table(
            r.segments.map((s) => ({
              p: s.priority,
              id: s.id,
              name: s.name,
              members: s.stats.members,
              wins: s.stats.wins,
              mrr: formatMoney(s.stats.mrr, cur),
              risk: formatMoney(s.stats.amountAtRisk, cur),
              open: s.stats.openInvoices,
            })),
            [
              { key: 'p', label: '#', align: 'right' },
              { key: 'id', label: 'ID' },
              { key: 'name', label: 'NAME' },
              { key: 'members', label: 'MEMBERS', align: 'right' },
              { key: 'wins', label: 'WINS', align: 'right' },
              { key: 'mrr', label: 'MRR', align: 'right' },
              { key: 'open', label: 'OPEN INV', align: 'right' },
              { key: 'risk', label: 'AT RISK', align: 'right' },
            ],
          ),
          `${r.defaultWins.toLocaleString('en')} of ${r.total.toLocaleString('en')} customers match no segment (Default strategy)`,
        ].join('\n'),
      );
    });
  seg
    .command('show <segment>')
    .description('one segment with its rule (by id or name)')
    .action(async (ref: string) => {
      const s = await find(await ctx.workspaceId(), ref);
      print(s, () => `${s.name} (#${s.priority}, ${s.id})\n${s.description}\n${JSON.stringify(s.rule, null, 2)}`);
    });
  seg
    .command('create <name>')
    .description('create a segment from a rule file (react-querybuilder RuleGroupType JSON; "-" reads stdin)')
    .requiredOption('--rule <file>', 'rule JSON file, or - for stdin')
    .option('--description <text>', 'description', '')
    .option('--color <hex>', 'colour', '#4c6ef5')
    .action(async (name: string, opts: { rule: string; description: string; color: string }) => {
      const workspaceId = await ctx.workspaceId();
      const rule = parseJson(await readInput(opts.rule), 'The rule');
      const s = await call('segments.create', { workspaceId, name, rule, description: opts.description, color: opts.color });
      warn(s.warnings);
      print(s, () => `Created segment ${s.name} (${s.id}) at priority #${s.priority}: ${s.stats.members} members`);
    });
  seg
    .command('update <segment>')
    .description('change a segment’s name, description, colour or rule')
    .option('--rule <file>', 'rule JSON file, or - for stdin')
    .option('--name <name>')
    .option('--description <text>')
    .option('--color <hex>')
    .action(async (ref: string, opts: { rule?: string; name?: string; description?: string; color?: string }) => {
      const workspaceId = await ctx.workspaceId();
      const current = await find(workspaceId, ref);
      const s = await call('segments.update', {
        workspaceId,
        id: current.id,
        ...(opts.rule ? { rule: parseJson(await readInput(opts.rule), 'The rule') } : {}),
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.description !== undefined ? { description: opts.description } : {}),
        ...(opts.color ? { color: opts.color } : {}),
      });
      warn(s.warnings);
      print(s, () => `Updated ${s.name}: ${s.stats.members} members`);
    });
  seg
    .command('delete <segment>')
    .description('delete a segment')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, opts: { yes?: boolean }) => {
      const workspaceId = await ctx.workspaceId();
      const s = await find(workspaceId, ref);
      await ctx.confirm(`Delete segment "${s.name}"?`, opts.yes);
      const r = await call('segments.remove', { workspaceId, id: s.id });
      print(r, () => `Deleted ${s.name}`);
    });
  seg
    .command('reorder <segments...>')
    .description('set the priority order: every live segment, highest priority first (ids or names)')
    .action(async (refs: string[]) => {
      const workspaceId = await ctx.workspaceId();
      const ids = [];
      for (const ref of refs) ids.push((await find(workspaceId, ref)).id);
      const r = await call('segments.reorder', { workspaceId, ids });
      print(r, () => r.map((s) => `${s.priority}. ${s.name} (wins ${s.stats.wins})`).join('\n'));
    });
  seg
    .command('export [file]')
    .description('write all segments as JSON (stdout when no file; a new file is private, 0600)')
    .option('--mode <octal>', 'permissions of FILE, e.g. 644 (default: 0600 for a new file, an existing file keeps its own)', parseMode)
    .action(async (file: string | undefined, o: { mode?: number }) => {
      const { json } = await call('segments.export', { workspaceId: await ctx.workspaceId() });
      if (file) {
        writeExport(file, json, o.mode);
        ctx.io.err(`Wrote ${file}`);
      } else ctx.io.out(json);
    });
  seg
    .command('import <file>')
    .description('add segments from an export file ("-" reads stdin); names that clash get a suffix')
    .action(async (file: string) => {
      const r = await call('segments.import', { workspaceId: await ctx.workspaceId(), json: await readInput(file) });
      print(r, () => `Imported ${r.imported} segment(s)`);
    });

  program
    .command('evaluate')
    .description('count the customers a rule matches: {count, mrr, amountAtRisk, ids}; a bad rule exits 2')
    .requiredOption('--rule <file>', 'RuleGroupType JSON file, or - for stdin')
    .action(async (opts: { rule: string }) => {
      const workspaceId = await ctx.workspaceId();
      const rule = parseJson(await readInput(opts.rule), 'The rule');
      const r = await call('segments.evaluate', { workspaceId, rule });
      warn(r.warnings);
      const cur = await currency(workspaceId);
      print(r, () => `${r.count.toLocaleString('en')} customers · MRR ${formatMoney(r.mrr, cur)} · at risk ${formatMoney(r.amountAtRisk, cur)}`);
    });

  program
    .command('membership')
    .description('every segment for one customer, matched or not and why, and the winner')
    .requiredOption('--customer <id>', 'Stripe customer id')
    .action(async (opts: { customer: string }) => {
      const r = await call('segments.membership', { workspaceId: await ctx.workspaceId(), customerId: opts.customer });
      print(r, () =>
        [
          r.why,
          ...r.segments.map((s) => `  #${s.priority} ${s.matched ? '✓' : '✗'} ${s.name}: ${s.explanation.description}`),
        ].join('\n'),
      );
    });
}
