import { Option, type Command } from 'commander';
import { CliExit, type CliContext } from '../context';
import { formatTime, table } from '../format';

export function registerWorkspaceCommands(program: Command, { call, print, confirm }: CliContext): void {
  const ws = program.command('workspaces').description('list, create and remove workspaces (one per Stripe account and mode)');
  ws.command('list')
    .description('list workspaces')
    .action(async () => {
      const list = await call('workspaces.list', {});
      print(list, () =>
        table(
          list.map((w) => ({ ...w, mode: w.kind === 'demo' ? 'DEMO' : w.mode.toUpperCase(), key: w.key?.masked ?? '', lastSync: formatTime(w.lastSyncAt) })),
          [
            { key: 'id', label: 'ID' },
            { key: 'name', label: 'NAME' },
            { key: 'mode', label: 'MODE' },
            { key: 'currency', label: 'CURRENCY' },
            { key: 'key', label: 'KEY' },
            { key: 'lastSync', label: 'LAST SYNC' },
          ],
        ),
      );
    });
  ws.command('create <name>')
    .description('create an empty workspace')
    .addOption(new Option('--mode <mode>', 'Stripe mode').choices(['test', 'live']).default('test'))
    .option('--currency <code>', 'reporting currency (ISO code)', 'usd')
    .action(async (name: string, opts: { mode: 'test' | 'live'; currency: string }) => {
      const created = await call('workspaces.create', { name, mode: opts.mode, currency: opts.currency });
      print(created, () => `Created workspace ${created.name} (${created.id}, ${created.mode.toUpperCase()}, ${created.currency.toUpperCase()})`);
    });
  ws.command('remove <workspace>')
    .description('remove a workspace and its local data (by id or name)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, opts: { yes?: boolean }) => {
      const list = await call('workspaces.list', {});
      const target = list.find((w) => w.id === ref) ?? list.find((w) => w.name.toLowerCase() === ref.toLowerCase());
      if (!target) throw new CliExit(1, `No workspace "${ref}" (see: reclaim workspaces list)`);
      await confirm(`Remove workspace "${target.name}" and its local data?`, opts.yes);
      const result = await call('workspaces.remove', { id: target.id });
      print(result, () => `Removed workspace ${target.name} (${target.id})`);
    });
}
