import { Command, CommanderError, Option } from 'commander';
import path from 'node:path';
import readline from 'node:readline/promises';
import { ClientError, unwrap, type Input, type Method, type Output } from '../../shared/contract';
import { createCore, type Core } from '../core/api';
import { dispatch } from '../core/dispatch';
import { createLogger } from '../core/logging';
import { createNodePorts } from '../core/node-ports';
import { defaultDataDir } from '../core/paths';
import { VERSION } from '../core/version';
import { formatTime, table } from './format';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/** Exit codes: 0 ok, 1 the request failed, 2 bad usage or bad input. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface GlobalOpts {
  dataDir?: string;
  json?: boolean;
}

export function buildProgram(io: CliIO, hooks: { serveConsole: (core: Core, opts: { port?: number; json: boolean }) => Promise<void> }): Command {
  const program = new Command('reclaim');
  let core: Core | null = null;

  const globals = (): GlobalOpts => program.opts<GlobalOpts>();
  const getCore = (shell: 'cli' | 'console' = 'cli'): Core => {
    if (!core) {
      const dataDir = path.resolve(globals().dataDir ?? defaultDataDir(io.env));
      const logger = createLogger({ destination: path.join(dataDir, 'logs', 'reclaim.log') });
      core = createCore(createNodePorts({ dataDir, shell, logger }));
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
    .showHelpAfterError('(run reclaim --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

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

  program
    .command('console')
    .description('serve the browser console on 127.0.0.1 and print its URL (with the access token)')
    .option('--port <port>', 'port (default: random)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliExit(2, `--port must be a port number, got "${v}"`);
      return n;
    })
    .action(async (opts: { port?: number }) => {
      await hooks.serveConsole(getCore('console'), { ...(opts.port !== undefined ? { port: opts.port } : {}), json: Boolean(globals().json) });
    });

  (program as Command & { closeCore?: () => void }).closeCore = () => core?.close();
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
    (program as Command & { closeCore?: () => void }).closeCore?.();
  }
}
