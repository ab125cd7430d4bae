import { safeStorage } from 'electron';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Secrets } from '../core/ports';

/** Secrets encrypted with the OS keychain through Electron's safeStorage. */
export class SafeStorageSecrets implements Secrets {
  readonly backend = 'OS keychain (Electron safeStorage)';
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'secrets');
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}.safe`);
  }

  async set(id: string, secret: string): Promise<void> {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('The OS keychain is not available, so Reclaim cannot store the key safely');
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(id);
    fs.writeFileSync(`${file}.tmp`, safeStorage.encryptString(secret), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  async get(id: string): Promise<string | null> {
    try {
      return safeStorage.decryptString(fs.readFileSync(this.fileOf(id)));
    } catch {
      return null;
    }
  }

  async delete(id: string): Promise<void> {
    fs.rmSync(this.fileOf(id), { force: true });
  }
}
