// Where the Electron binary is, or null when `npm install` could not download it.
import fs from 'node:fs';
import { createRequire } from 'node:module';

export function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const p = require('electron');
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}
