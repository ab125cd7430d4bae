import { _electron as electron, expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronBinary } from '../../scripts/electron-binary.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const binary = electronBinary();

test.skip(!binary, 'Electron binary not installed on this machine (npm run electron:fetch where GitHub is reachable)');

test('the desktop app opens sandboxed, creates a workspace over IPC and shows its TEST badge', async () => {
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-electron-'));
  const app = await electron.launch({ executablePath: binary!, args: [ROOT], cwd: ROOT, env: { ...process.env, RECLAIM_DATA_DIR: userData, RECLAIM_NO_DEMO: '1' } });
  const win = await app.firstWindow();
  expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  expect(await win.evaluate(() => typeof (window as unknown as { reclaimBridge?: unknown }).reclaimBridge)).toBe('object');
  await win.keyboard.press('Alt+8');
  await win.getByLabel('Workspace name').fill('Desktop test');
  await win.getByRole('button', { name: /Create workspace/ }).click();
  await expect(win.locator('header').getByTestId('mode-badge')).toHaveText('TEST');
  await app.close();
});
