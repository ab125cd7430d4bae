import fs from 'node:fs';
import { CliExit } from './context';

/**
 * Exported files (run plan --out, audit --out, segments export FILE) hold
 * customer names and emails, so they are private like the data folder
 * (0700/0600): a new file is created 0600 (owner read/write only).
 *
 * The user decides otherwise in one of two ways:
 * - `--mode 640` (octal, as chmod takes it) sets exactly that mode, on a new
 *   or an existing file;
 * - an existing file the user made readable (`chmod 644 report.csv`) keeps its
 *   mode when it is written again.
 */
export const EXPORT_MODE = 0o600;

/** `--mode` option parser: octal permission bits, e.g. 600, 640, 0644. */
export function parseMode(v: string): number {
  if (!/^0?[0-7]{3}$/.test(v.trim())) throw new CliExit(2, `--mode must be octal permissions like 600 or 644, got "${v}"`);
  return parseInt(v.trim(), 8);
}

/** Writes an export file: 0600 when new, an existing file's mode kept, `mode` when given. */
export function writeExport(file: string, text: string, mode?: number): void {
  try {
    fs.writeFileSync(file, text, { mode: mode ?? EXPORT_MODE });
    // The mode above applies only to a file this call creates (and passes the umask): apply a chosen mode always.
    if (mode !== undefined) fs.chmodSync(file, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(e));
    throw new CliExit(1, `Cannot write "${file}": ${why}`);
  }
}
