import { Command, CommanderError } from 'commander';
import path from 'node:path';
import readline from 'node:readline/promises';
import { ClientError, unwrap, type Input, type Method, type Output } from '../../shared/contract';
import { createCore, type Core } from '../core/api';
import { dispatch } from '../core/dispatch';
import { UserError } from '../core/errors';
import { createLogger } from '../core/logging';
import { createNodePorts } from '../core/node-ports';
import { defaultDataDir } from '../core/paths';
import { VERSION } from '../core/version';
import { registerDataCommands } from './commands/data';
import { registerExperimentCommands } from './commands/experiments';
import { registerExportCommand } from './commands/export';
import { registerFactsCommands } from './commands/facts';
import { registerOfferCommands } from './commands/offer';
import { registerQueueCommands } from './commands/queue';
import { registerOperatorCommands } from './commands/operators';
import { registerSegmentCommands } from './commands/segments';
import { registerRecoveryCommands } from './commands/recovery';
import { registerReviewCommand } from './commands/review';
import { registerAuditVerify } from './commands/audit-verify';
import { registerStripeCommands } from './commands/stripe';
import { registerWorkspaceCommands } from './commands/workspaces';
import { CliExit, type CliContext, type CliIO, type GlobalOpts } from './context';
import { printUpgradeProgress } from './upgrade-progress';

export { CliExit, type CliIO } from './context';

async function resolveWorkspace(call: CliContext['call'], ref: string | undefined): Promise<string> {
  const list = await call('workspaces.list', {});
  if (ref) {
    const hit = list.find((w) => w.id === ref) ?? list.find((w) => w.name.toLowerCase() === ref.toLowerCase());
    if (!hit) throw new CliExit(1, `No workspace "${ref}" (see: reclaim workspaces list)`);
    return hit.id;
  }
  if (list.length === 1) return list[0]!.id;
  if (list.length === 0) throw new CliExit(1, 'No workspace yet: run `reclaim demo` or `reclaim connect --key …` first');
  throw new CliExit(2, `There are ${list.length} workspaces; choose one with --workspace ID|NAME`);
}

export function buildProgram(io: CliIO, hooks: { serveConsole: (core: Core, opts: { port?: number; json: boolean; demo: boolean }) => Promise<void> }): Command {
  const program = new Command('reclaim');
  let core: Core | null = null;

  const globals = (): GlobalOpts => program.opts<GlobalOpts>();
  const getCore = (shell: 'cli' | 'console' = 'cli'): Core => {
    if (!core) {
      const given = globals().dataDir;
      if (given !== undefined && given.trim() === '') throw new CliExit(2, '--data-dir is empty; give a folder (or leave the option out for the default)');
      const dataDir = path.resolve(given ?? defaultDataDir(io.env));
      let logger;
      try {
        logger = createLogger({ destination: path.join(dataDir, 'logs', 'reclaim.log') });
      } catch {
        // A read-only data folder: no log file, errors only on stderr.
        logger = createLogger({ level: 'error' });
      }
      try {
        core = createCore(createNodePorts({ dataDir, shell, logger }));
        printUpgradeProgress(core, io, () => Boolean(globals().json));
      } catch (e) {
        if (e instanceof UserError) throw new CliExit(1, e.message);
        throw e;
      }
    }
    return core;
  };
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const c = getCore();
    const envelope = await dispatch(c, method, input, c.ports.logger);
    try {
      return unwrap(envelope) as Output<M>;
    } catch (e) {
      if (e instanceof ClientError) throw new CliExit(e.code === 'bad_request' ? 2 : 1, e.message);
      throw e;
    }
  };
  const print = (value: unknown, human: () => string) => io.out(globals().json ? JSON.stringify(value, null, 2) : human());
  const confirm = async (question: string, yes: boolean | undefined): Promise<void> => {
    if (yes) return;
    if (!io.isTTY) throw new CliExit(2, `${question} Pass --yes to confirm when not running interactively.`);
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`${question} [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliExit(1, 'Cancelled; nothing was changed.');
  };

  program
    .description('Reclaim — failed-payment recovery console for Stripe')
    .version(VERSION, '-v, --version', 'print the version')
    .option('--data-dir <dir>', 'data folder (default: the desktop app’s per-user folder, or $RECLAIM_DATA_DIR)')
    .option('--json', 'machine-readable JSON output')
    .option('-w, --workspace <id|name>', 'workspace to act on (default: the only one)')
    .showHelpAfterError('(run reclaim --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  const ctx: CliContext = { io, call, print, confirm, globals, getCore, workspaceId: async () => resolveWorkspace(call, globals().workspace) };
  registerWorkspaceCommands(program, ctx);
  registerStripeCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerFactsCommands(program, ctx);
  registerSegmentCommands(program, ctx);
  registerRecoveryCommands(program, ctx);
  registerAuditVerify(program, ctx);
  registerQueueCommands(program, ctx);
  registerOperatorCommands(program, ctx);
  registerOfferCommands(program, ctx);
  registerExperimentCommands(program, ctx);
  registerReviewCommand(program, ctx);
  registerExportCommand(program, ctx);

  program
    .command('console')
    .description('serve the browser console on 127.0.0.1 and print its URL (with the access token)')
    .option('--port <port>', 'port (default: random)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliExit(2, `--port must be a port number, got "${v}"`);
      return n;
    })
    .option('--no-demo', 'do not build the demo workspace when there is no workspace yet')
    .action(async (opts: { port?: number; demo: boolean }) => {
      await hooks.serveConsole(getCore('console'), { ...(opts.port !== undefined ? { port: opts.port } : {}), json: Boolean(globals().json), demo: opts.demo });
    });

  (program as Command & { closeCore?: () => Promise<void> }).closeCore = async () => core?.close();
  return program;
}

/** Runs the CLI; resolves to the exit code. Never throws, never prints a stack. */
export async function runCli(argv: string[], io: CliIO, hooks: Parameters<typeof buildProgram>[1]): Promise<number> {
  const program = buildProgram(io, hooks);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.cause instanceof CliExit) {
        io.err(`reclaim: ${e.cause.message}`);
        return e.cause.code;
      }
      return 2;
    }
    if (e instanceof CliExit) {
      io.err(`reclaim: ${e.message}`);
      return e.code;
    }
    io.err(`reclaim: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await (program as Command & { closeCore?: () => Promise<void> }).closeCore?.();
  }
}
