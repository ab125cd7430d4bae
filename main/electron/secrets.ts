import { safeStorage } from 'electron';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Secrets } from '../core/ports';

/** The Linux safeStorage backend when it is the hard-coded-password fallback, else null. */
export function weakBackend(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const backend = safeStorage.getSelectedStorageBackend();
    return backend === 'basic_text' || backend === 'unknown' ? backend : null;
  } catch {
    return null;
  }
}

/** Secrets encrypted with the OS keychain through Electron's safeStorage. */
export class SafeStorageSecrets implements Secrets {
  readonly backend = 'OS keychain (Electron safeStorage)';
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'secrets');
  }

  /**
   * On Linux, safeStorage falls back to a hard-coded password when no keyring
   * (gnome-libsecret, kwallet) is reachable, while still reporting that
   * encryption is available. getSelectedStorageBackend() tells; say it plainly.
   */
  get note(): string | null {
    const weak = weakBackend();
    if (weak) {
      return `No OS keychain is reachable on this system (Electron's storage backend is "${weak}"), so the Stripe key is encrypted with a fixed, publicly known password: anyone who can read your files can read it. Install and unlock a keyring (GNOME Keyring or KWallet) and reconnect the key.`;
    }
    return 'The Stripe key is kept encrypted by the OS keychain. The command line and the browser console cannot read it there; connect the key there separately if you use them.';
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${crypto.createHash('sha256').update(id).digest('hex').slice(0, 32)}.safe`);
  }

  async set(id: string, secret: string): Promise<void> {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('The OS keychain is not available, so Reclaim cannot store the key safely');
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (weakBackend()) {
      // Stored anyway (the app must work), but logged: the UI shows `note`.
      console.warn('safeStorage uses the basic_text backend: the key is not protected by an OS keychain');
    }
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
