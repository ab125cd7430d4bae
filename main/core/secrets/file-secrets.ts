import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { secureDir, secureFile } from '../db/files';
import { UserError } from '../errors';
import type { Secrets } from '../ports';

const KEY_BYTES = 32;

/**
 * Secrets for the Node shells (CLI, browser console): AES-256-GCM, each secret
 * in its own file, with a random master key in a 0600 file beside them. The
 * Electron app uses the OS keychain through safeStorage instead. Anyone who can
 * read the user's files can read these secrets — `note` says so in the app.
 */
export class FileSecrets implements Secrets {
  readonly backend = 'encrypted file (AES-256-GCM, key file 0600)';
  readonly note: string;
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'secrets');
    this.note =
      `The Stripe key is encrypted in a file, and the key that decrypts it (${path.join(this.dir, 'master.key')}) sits beside it: ` +
      'this keeps it out of casual sight, but anyone who can read your files can read the key. The desktop app keeps keys in the OS keychain instead.';
  }

  private get keyFile(): string {
    return path.join(this.dir, 'master.key');
  }

  /**
   * The master key, created atomically: written to a temp file, flushed, then
   * linked into place (link fails if another process got there first, whose key
   * wins). A crash can leave a stray temp file, never an empty master.key.
   */
  private masterKey(): Buffer {
    secureDir(this.dir);
    const file = this.keyFile;
    let key: Buffer | null = null;
    try {
      key = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (key === null) {
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        fs.writeSync(fd, crypto.randomBytes(KEY_BYTES));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      try {
        fs.linkSync(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      key = fs.readFileSync(file);
    }
    secureFile(file);
    if (key.length !== KEY_BYTES) {
      throw new UserError(
        'unavailable',
        `The secret-store key ${file} is damaged (${key.length} bytes, expected ${KEY_BYTES}), so stored Stripe keys cannot be read. ` +
          `Delete the folder ${this.dir} and connect your Stripe key again (reclaim connect --key -).`,
      );
    }
    return key;
  }

  private fileOf(id: string, ext = 'enc'): string {
    return path.join(this.dir, `${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}.${ext}`);
  }

  async set(id: string, secret: string): Promise<void> {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.masterKey(), iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const file = this.fileOf(id);
    fs.writeFileSync(`${file}.tmp`, Buffer.concat([iv, cipher.getAuthTag(), body]), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    secureFile(file);
  }

  async get(id: string): Promise<string | null> {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.fileOf(id));
    } catch {
      if (fs.existsSync(this.fileOf(id, 'safe'))) {
        throw new UserError(
          'bad_request',
          'This workspace’s Stripe key was connected in the desktop app, which keeps it in the OS keychain; the command line and the browser console cannot read it there. ' +
            'Connect the key here as well (reclaim connect --key -), or sync from the desktop app.',
        );
      }
      return null;
    }
    const key = this.masterKey();
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new UserError(
        'unavailable',
        `The stored Stripe key cannot be decrypted (its file or ${this.keyFile} was changed or damaged). Connect the key again (reclaim connect --key -).`,
      );
    }
  }

  async delete(id: string): Promise<void> {
    fs.rmSync(this.fileOf(id), { force: true });
  }
}
