import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|mjs|js|cjs)$/.test(e.name) ? [rel] : [];
  });
}

const importsElectron = (text: string) => /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]electron(?:\/[^'"]*)?['"]/.test(text);

describe('module boundaries', () => {
  it('only main/electron/ and preload/ import electron', () => {
    const offenders = ['main', 'shared', 'renderer', 'bin']
      .flatMap(sourceFiles)
      .filter((f) => !f.startsWith(path.join('main', 'electron') + path.sep))
      .filter((f) => importsElectron(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the detector itself recognises an electron import', () => {
    expect(importsElectron("import { app } from 'electron';")).toBe(true);
    expect(importsElectron("const { shell } = require('electron')")).toBe(true);
    expect(importsElectron("import x from 'electron-builder';")).toBe(false);
  });

  it('the renderer never imports the main side', () => {
    const offenders = sourceFiles('renderer').filter((f) => /from\s+['"](\.\.\/)+main\//.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
