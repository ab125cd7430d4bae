/**
 * What the core needs from the outside world. Each shell (Electron, browser
 * console bridge, CLI, tests) supplies its own implementations.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface Secrets {
  /** Where the secret is kept, for the UI ("OS keychain", "encrypted file", ...). */
  readonly backend: string;
  /** A plain sentence on how well the secret is protected here, shown in the app (null: nothing to add). */
  readonly note?: string | null;
  set(id: string, secret: string): Promise<void>;
  get(id: string): Promise<string | null>;
  delete(id: string): Promise<void>;
}

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface Paths {
  /** Per-user data folder: registry.sqlite, workspaces/<id>.sqlite, secrets. */
  dataDir: string;
}

export interface Ports {
  clock: Clock;
  secrets: Secrets;
  logger: Logger;
  paths: Paths;
  fetch: typeof fetch;
  version: string;
  /** Which shell hosts the core; shown in the UI. */
  shell: 'electron' | 'console' | 'cli' | 'test';
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
