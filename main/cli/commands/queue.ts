import { Option, type Command } from 'commander';
import { OUTCOMES, OUTCOME_LABELS, type Outcome } from '../../../shared/whiteglove';
import { CliExit, type CliContext } from '../context';
import { table } from '../format';
import { formatMoney } from '../../../shared/money';

/** CLI result names → outcomes (`updated` = card updated). */
const RESULTS: Record<string, Outcome> = Object.fromEntries(OUTCOMES.map((o) => [o, o]));

const day = (sec: number) => new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 16) + 'Z';

export function registerQueueCommands(program: Command, { call, print, workspaceId }: CliContext): void {
  const q = program.command('queue').description('the white-glove queue: account-manager and call tasks');
  q.command('list')
    .description('open tasks, highest amount at risk first')
    .option('--mine [email]', 'only tasks assigned to this account manager (no address: the operator signed in here)')
    .option('--overdue', 'only tasks past their due date')
    .option('--segment <id>', 'only tasks of this segment')
    .addOption(new Option('--status <status>', 'which tasks').choices(['open', 'done', 'all']).default('open'))
    .action(async (opts: { mine?: string | true; overdue?: boolean; segment?: string; status: 'open' | 'done' | 'all' }) => {
      const res = await call('queue.list', {
        workspaceId: await workspaceId(),
        ...(opts.mine ? { mine: opts.mine } : {}),
        overdue: Boolean(opts.overdue),
        ...(opts.segment ? { segmentId: opts.segment } : {}),
        status: opts.status,
      });
      print(res.rows, () =>
        table(
          res.rows.map((t) => ({
            id: t.id, customer: t.customerName ?? t.customerId, segment: t.segment?.name ?? 'Default', risk: formatMoney(t.amountAtRisk, res.currency), assignee: t.assignee ?? 'unassigned',
            due: `${day(t.dueAt)}${t.overdue ? ' OVERDUE' : ''}`, outcome: t.outcome ? OUTCOME_LABELS[t.outcome] : '', kind: t.kind,
          })),
          [
            { key: 'id', label: 'TASK' }, { key: 'kind', label: 'KIND' }, { key: 'customer', label: 'CUSTOMER' }, { key: 'segment', label: 'SEGMENT' },
            { key: 'risk', label: 'AT RISK', align: 'right' }, { key: 'assignee', label: 'ASSIGNEE' }, { key: 'due', label: 'DUE' }, { key: 'outcome', label: 'OUTCOME' },
          ],
        ),
      );
    });
  q.command('outcome <task>')
    .description('log the outcome of a task (promised needs --date)')
    .requiredOption('--result <result>', `one of: ${OUTCOMES.join(', ')}`)
    .option('--date <YYYY-MM-DD>', 'promised payment date (with --result promised)')
    .option('--note <text>', 'what was said')
    .option('--by <email>', 'who logs it (default: the operator signed in here, else the task’s assignee)')
    .action(async (taskId: string, opts: { result: string; date?: string; note?: string; by?: string }) => {
      const outcome = RESULTS[opts.result];
      if (!outcome) throw new CliExit(2, `--result must be one of ${OUTCOMES.join(', ')} (got "${opts.result}")`);
      if (outcome === 'promised' && !opts.date) throw new CliExit(2, '--result promised needs --date YYYY-MM-DD');
      const ws = await workspaceId();
      const t = await call('queue.outcome', {
        workspaceId: ws, taskId, outcome, ...(opts.date ? { promisedDate: opts.date } : {}), note: opts.note ?? '', ...(opts.by ? { by: opts.by } : {}),
      });
      print(t, () => `${t.id}: ${OUTCOME_LABELS[outcome]}${t.promisedDate && outcome === 'promised' ? ` by ${t.promisedDate} (remaining steps wait until then)` : ''}; task ${t.status}`);
    });
}
