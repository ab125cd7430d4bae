import { Option, type Command } from 'commander';
import { OperatorRole, ROLE_LABELS, type Operator } from '../../../shared/operators';
import { CliExit, type CliContext } from '../context';
import { table } from '../format';

const ROLES = OperatorRole.options;

/** `reclaim operators …` (#23): the workspace's operators and who is signed in on this desktop. */
export function registerOperatorCommands(program: Command, { call, print, confirm, workspaceId }: CliContext): void {
  /** An operator by id or email address. */
  const find = async (ws: string, ref: string): Promise<Operator> => {
    const { operators } = await call('operators.list', { workspaceId: ws });
    const hit = operators.find((o) => o.id === ref) ?? operators.find((o) => o.email.toLowerCase() === ref.trim().toLowerCase());
    if (!hit) throw new CliExit(1, `No operator "${ref}" in this workspace (see: reclaim operators list)`);
    return hit;
  };
  const who = (o: Operator) => `${o.name} <${o.email}>, ${ROLE_LABELS[o.role].toLowerCase()}`;

  const ops = program.command('operators').description('who works this workspace, their roles, and who is signed in on this computer');
  ops
    .command('list')
    .description('the operators; * marks who is signed in here')
    .action(async () => {
      const res = await call('operators.list', { workspaceId: await workspaceId() });
      print(res, () =>
        res.operators.length === 0
          ? 'No operators: one person works this workspace, and everything is allowed. Add the first with: reclaim operators add --name N --email E --role specialist'
          : table(
              res.operators.map((o) => ({ here: o.id === res.signedIn?.id ? '*' : '', id: o.id, name: o.name, email: o.email, role: ROLE_LABELS[o.role] })),
              [{ key: 'here', label: ' ' }, { key: 'id', label: 'ID' }, { key: 'name', label: 'NAME' }, { key: 'email', label: 'EMAIL' }, { key: 'role', label: 'ROLE' }],
            ),
      );
    });
  ops
    .command('add')
    .description('add an operator (the first must be an admin or a specialist; this computer is then signed in as them)')
    .requiredOption('--name <name>', 'their name, as the audit log shows it')
    .requiredOption('--email <email>', 'their address (the queue’s assignee)')
    .addOption(new Option('--role <role>', 'what they may do').choices(ROLES).makeOptionMandatory())
    .action(async (opts: { name: string; email: string; role: OperatorRole }) => {
      const op = await call('operators.add', { workspaceId: await workspaceId(), name: opts.name, email: opts.email, role: opts.role });
      print(op, () => `Added ${who(op)} (${op.id})`);
    });
  ops
    .command('update <operator>')
    .description('change an operator’s name, email or role (by id or email)')
    .option('--name <name>', 'new name')
    .option('--email <email>', 'new address')
    .addOption(new Option('--role <role>', 'new role').choices(ROLES))
    .action(async (ref: string, opts: { name?: string; email?: string; role?: OperatorRole }) => {
      const ws = await workspaceId();
      if (!opts.name && !opts.email && !opts.role) throw new CliExit(2, 'Give --name, --email or --role to change');
      const target = await find(ws, ref);
      const op = await call('operators.update', { workspaceId: ws, id: target.id, ...(opts.name ? { name: opts.name } : {}), ...(opts.email ? { email: opts.email } : {}), ...(opts.role ? { role: opts.role } : {}) });
      print(op, () => `Changed: ${who(op)} (${op.id})`);
    });
  ops
    .command('remove <operator>')
    .description('remove an operator (by id or email); their past actions keep their name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (ref: string, opts: { yes?: boolean }) => {
      const ws = await workspaceId();
      const target = await find(ws, ref);
      await confirm(`Remove operator ${who(target)}?`, opts.yes);
      const res = await call('operators.remove', { workspaceId: ws, id: target.id });
      print(res, () => `Removed ${who(target)}`);
    });
  ops
    .command('sign-in <operator>')
    .description('sign this computer in as an operator (by id or email); the app and the CLI share it')
    .action(async (ref: string) => {
      const ws = await workspaceId();
      const target = await find(ws, ref);
      const res = await call('operators.signIn', { workspaceId: ws, id: target.id });
      print(res, () => `Signed in as ${who(target)}`);
    });
  ops
    .command('sign-out')
    .description('nobody is signed in on this computer (a workspace with operators then only reads)')
    .action(async () => {
      const res = await call('operators.signIn', { workspaceId: await workspaceId(), id: null });
      print(res, () => 'Signed out');
    });
  ops
    .command('whoami')
    .description('who is signed in on this computer')
    .action(async () => {
      const res = await call('operators.current', { workspaceId: await workspaceId() });
      print(res, () => (res.signedIn ? `Signed in as ${who(res.signedIn)}` : res.hasOperators ? 'Nobody is signed in (reclaim operators sign-in ID|EMAIL)' : 'No operators: one person works this workspace'));
    });
}
