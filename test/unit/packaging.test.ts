import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WINDOW_ICON_PATH } from '../../main/electron/policy';
import pkg from '../../package.json';

const ROOT = path.resolve(import.meta.dirname, '../..');
const config = parse(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const RES = path.join(ROOT, (config.directories as { buildResources: string }).buildResources);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  expect(b.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Sizes inside a Windows .ico (0 in the directory means 256). */
function icoSizes(file: string): number[] {
  const b = fs.readFileSync(file);
  expect(b.readUInt16LE(0)).toBe(0);
  expect(b.readUInt16LE(2), 'type 1 = icon').toBe(1);
  return Array.from({ length: b.readUInt16LE(4) }, (_, i) => b.readUInt8(6 + i * 16) || 256);
}

/** Element types inside a macOS .icns. */
function icnsTypes(file: string): string[] {
  const b = fs.readFileSync(file);
  expect(b.toString('latin1', 0, 4)).toBe('icns');
  expect(b.readUInt32BE(4), 'length header matches the file').toBe(b.length);
  const types: string[] = [];
  for (let off = 8; off < b.length; off += b.readUInt32BE(off + 4)) types.push(b.toString('latin1', off, off + 4));
  return types;
}

describe('electron-builder.yml (packaging cannot run here, so its config is checked statically)', () => {
  it('packs into an asar with better-sqlite3 unpacked and rebuilt for Electron', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining([expect.stringContaining('better-sqlite3')]));
    expect(config.npmRebuild).toBe(true);
  });

  it('ships the built app and points at the main bundle the build writes', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'package.json']));
    expect((config.extraMetadata as { main: string }).main).toBe(pkg.main);
    const build = fs.readFileSync(path.join(ROOT, 'scripts/build.mjs'), 'utf8');
    expect(build).toContain(pkg.main);
  });

  it('targets mac, windows and linux with an app id, on architectures Electron 45 publishes', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    for (const os of ['mac', 'win', 'linux']) {
      const targets = (config[os] as { target: { target: string; arch: string[] }[] }).target;
      expect(targets.length, os).toBeGreaterThan(0);
      // Electron 44 dropped win32-ia32 and linux-armv7l binaries.
      for (const t of targets) expect(t.arch.filter((a) => a === 'ia32' || a === 'armv7l'), `${os} ${t.target}`).toEqual([]);
    }
    expect(Number((config.mac as { minimumSystemVersion: string }).minimumSystemVersion)).toBeGreaterThanOrEqual(13);
  });

  it('keeps native and runtime modules in dependencies, electron (current major) and tsx in devDependencies', () => {
    expect(pkg.dependencies).toHaveProperty('better-sqlite3');
    expect(pkg.devDependencies).toHaveProperty('electron');
    expect(pkg.devDependencies).toHaveProperty('electron-builder');
    expect(pkg.dependencies).not.toHaveProperty('electron');
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(pkg.devDependencies.electron).toMatch(/^\^45\./);
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string; scripts?: Record<string, string> };
    expect(installed.version).toMatch(/^45\./);
    // No postinstall: `npm install` never needs GitHub; the binary comes from install-electron.
    expect(installed.scripts?.postinstall).toBeUndefined();
    expect(pkg.scripts['electron:fetch']).toBe('install-electron');
  });
});

describe('resources/ (icons electron-builder and the window read)', () => {
  it('has the vector source and the 1024 px icon.png generated from it', () => {
    expect(fs.readFileSync(path.join(RES, 'icon.svg'), 'utf8')).toMatch(/<svg[^>]+viewBox="0 0 1024 1024"/);
    expect(pngSize(path.join(RES, 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('mac: the .icns named in mac.icon holds 16…1024 px images', () => {
    const file = path.join(RES, (config.mac as { icon: string }).icon);
    expect(file.endsWith('.icns')).toBe(true);
    // is32 16, il32 32, it32 128, ic08 256, ic09 512, ic10 1024 (Apple's icns element types).
    expect(icnsTypes(file)).toEqual(expect.arrayContaining(['is32', 'il32', 'it32', 'ic08', 'ic09', 'ic10']));
  });

  it('windows: the .ico named in win.icon holds 16…256 px images', () => {
    const file = path.join(RES, (config.win as { icon: string }).icon);
    expect(file.endsWith('.ico')).toBe(true);
    expect(icoSizes(file)).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });

  it('linux: the folder named in linux.icon has NxN.png files of their stated size, up to 512 and beyond', () => {
    const dir = path.join(RES, (config.linux as { icon: string }).icon);
    const files = fs.readdirSync(dir).filter((f) => /^\d+x\d+\.png$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '48x48.png', '128x128.png', '256x256.png', '512x512.png']));
    for (const f of files) {
      const [w, h] = f.replace('.png', '').split('x').map(Number);
      expect(pngSize(path.join(dir, f)), f).toEqual({ width: w, height: h });
    }
  });

  it('the window icon main/electron uses exists and is packed', () => {
    expect(pngSize(path.join(ROOT, WINDOW_ICON_PATH))).toEqual({ width: 256, height: 256 });
    expect(config.files).toContain(WINDOW_ICON_PATH);
  });
});
