// `npm run icons`: every icon file packaging and the window read, generated from
// the vector source resources/icon.svg with ImageMagick (`convert`) and, for the
// macOS .icns, png2icns (Debian/Ubuntu: apt-get install icnsutils). The outputs
// are committed, so packaging does not need either tool.
//
//   resources/icon.png        1024×1024  (electron-builder's fallback; ≥512 required)
//   resources/icon.icns       mac        16…1024
//   resources/icon.ico        win        16…256
//   resources/icons/NxN.png   linux      16…1024 (the window icon is icons/256x256.png)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const res = path.join(root, 'resources');
const src = path.join(res, 'icon.svg');
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
export const ICNS_SIZES = [16, 32, 48, 128, 256, 512, 1024];

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error?.code === 'ENOENT') {
    const pkg = cmd === 'png2icns' ? 'icnsutils' : 'imagemagick';
    console.error(`icons: \`${cmd}\` is not installed (Debian/Ubuntu: apt-get install ${pkg}).`);
    process.exit(1);
  }
  if (r.status !== 0) {
    console.error(`icons: ${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
}

// PNGs without timestamps, so regenerating without changes changes no file.
const png = (size, out) =>
  run('convert', ['-background', 'none', src, '-resize', `${size}x${size}`, '-strip', '-define', 'png:exclude-chunks=date,time', `PNG32:${out}`]);

fs.mkdirSync(path.join(res, 'icons'), { recursive: true });
for (const size of LINUX_SIZES) png(size, path.join(res, 'icons', `${size}x${size}.png`));
fs.copyFileSync(path.join(res, 'icons', '1024x1024.png'), path.join(res, 'icon.png'));
run('convert', [...ICO_SIZES.map((s) => path.join(res, 'icons', `${s}x${s}.png`)), path.join(res, 'icon.ico')]);
run('png2icns', [path.join(res, 'icon.icns'), ...ICNS_SIZES.map((s) => path.join(res, 'icons', `${s}x${s}.png`))]);
console.log(`Icons written to resources/ from icon.svg: icon.png, icon.icns, icon.ico, icons/{${LINUX_SIZES.map((s) => `${s}x${s}`).join(',')}}.png`);
