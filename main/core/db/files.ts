import fs from 'node:fs';

/**
 * File modes for customer data and secrets: the data folder (and every folder
 * under it) 0700, databases with their -wal/-shm, logs and secrets 0600. Applied
 * on every open, so files written by an older Reclaim (0755/0644) are tightened
 * too. No-ops on Windows, which has no POSIX modes, and on a read-only folder.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

const posix = process.platform !== 'win32';

export function secureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (!posix) return;
  try {
    if ((fs.statSync(dir).mode & 0o777) !== DIR_MODE) fs.chmodSync(dir, DIR_MODE);
  } catch {
    /* read-only folder or not ours: reported by whoever needs to write */
  }
}

export function secureFile(file: string): void {
  if (!posix) return;
  try {
    if ((fs.statSync(file).mode & 0o777) !== FILE_MODE) fs.chmodSync(file, FILE_MODE);
  } catch {
    /* missing, or a read-only folder */
  }
}

/** A database file and its WAL companions. */
export function secureDbFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) secureFile(f);
}

/** Whether the folder can be written (EROFS / EACCES say no). */
export function isWritableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
