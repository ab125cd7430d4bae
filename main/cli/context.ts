import type { Input, Method, Output } from '../../shared/contract';
import type { Core } from '../core/api';

export interface CliIO {
  out: (text: string) => void;
  /** Standard output as a stream, for output written in chunks with backpressure (customers --all). */
  stdout?: NodeJS.WritableStream;
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

export interface GlobalOpts {
  dataDir?: string;
  json?: boolean;
  workspace?: string;
}

/** What every command module gets. */
export interface CliContext {
  io: CliIO;
  call: <M extends Method>(method: M, input: Input<M>) => Promise<Output<M>>;
  print: (value: unknown, human: () => string) => void;
  confirm: (question: string, yes: boolean | undefined) => Promise<void>;
  globals: () => GlobalOpts;
  getCore: (shell?: 'cli' | 'console') => Core;
  /** The workspace from --workspace (id or name), or the only one there is. */
  workspaceId: () => Promise<string>;
}
