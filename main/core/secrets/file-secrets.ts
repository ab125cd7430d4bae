import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Secrets } from '../ports';

/**
 * Secrets for the Node shells (CLI, browser console): AES-256-GCM, each secret
 * in its own file, with a random master key in a 0600 file beside them. The
 * Electron app uses the OS keychain through safeStorage instead. Anyone who can
 * read the user's files can read these secrets — the README says so.
 */
export class FileSecrets implements Secrets {
  readonly backend = 'encrypted file (AES-256-GCM, key file 0600)';
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'secrets');
  }

  private masterKey(): Buffer {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, 'master.key');
    try {
      return fs.readFileSync(file);
    } catch {
      const key = crypto.randomBytes(32);
      fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
      return fs.readFileSync(file);
    }
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}.enc`);
  }

  async set(id: string, secret: string): Promise<void> {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.masterKey(), iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const file = this.fileOf(id);
    fs.writeFileSync(`${file}.tmp`, Buffer.concat([iv, cipher.getAuthTag(), body]), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  async get(id: string): Promise<string | null> {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.fileOf(id));
    } catch {
      return null;
    }
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.masterKey(), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }

  async delete(id: string): Promise<void> {
    fs.rmSync(this.fileOf(id), { force: true });
  }
}
