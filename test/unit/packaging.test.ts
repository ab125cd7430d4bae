import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import pkg from '../../package.json';

const ROOT = path.resolve(import.meta.dirname, '../..');
const config = parse(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;

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

  it('targets mac, windows and linux with an app id', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    for (const os of ['mac', 'win', 'linux']) expect((config[os] as { target: unknown[] }).target.length, os).toBeGreaterThan(0);
  });

  it('keeps native and runtime modules in dependencies and electron in devDependencies', () => {
    expect(pkg.dependencies).toHaveProperty('better-sqlite3');
    expect(pkg.devDependencies).toHaveProperty('electron');
    expect(pkg.devDependencies).toHaveProperty('electron-builder');
    expect(pkg.dependencies).not.toHaveProperty('electron');
  });
});
