/** Path of the Electron binary, or null when it was not downloaded. Never downloads. */
export function electronBinary(): string | null;
/** The Electron version the app ships with (node_modules/electron), or null. */
export function electronVersion(): string | null;
/** Where install-electron downloads from: $ELECTRON_MIRROR or GitHub releases. */
export function electronDownloadOrigin(env?: NodeJS.ProcessEnv): string;
/** Downloads the binary with install-electron within time limits. */
export function fetchElectronBinary(opts?: { probeMs?: number; timeoutMs?: number; log?: (line: string) => void }): Promise<{ binary: string; reason?: undefined } | { binary: null; reason: string }>;
