import fs from 'node:fs';
import path from 'node:path';
import { randomTestKey } from '../../main/stripe-sim';
import { tempDir, type Fixture } from './lib/fixture';
import { cli, opChild, sleep } from './lib/procs';
import type { Tally } from './lib/tally';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Every file (outside the secret store) and every output that contains the key. */
function leaks(dataDir: string, key: string, extra: string[]): string[] {
  const store = path.join(dataDir, 'secrets') + path.sep;
  const hits: string[] = [];
  for (const f of [...filesUnder(dataDir).filter((f) => !f.startsWith(store)), ...extra.filter((f) => fs.existsSync(f))]) {
    const buf = fs.readFileSync(f);
    if (buf.includes(key) || buf.includes(Buffer.from(key, 'utf16le'))) hits.push(f);
  }
  // Inside the store, only ciphertext.
  for (const f of filesUnder(path.join(dataDir, 'secrets'))) if (fs.readFileSync(f).includes(key)) hits.push(`${f} (plaintext in the store)`);
  return hits;
}

/**
 * After a full round of use — connect, sync, export, a crash mid-sync — the
 * key appears in no file outside the secret store, no log, no export, no
 * output. (The SMTP password joins when mail lands with #12.)
 */
export async function secretsCategory(tally: Tally, fx: Fixture, rounds: number): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    const key = randomTestKey();
    fx.sim.addKey(key, 'all');
    const dir = tempDir();
    const outDir = tempDir('reclaim-out-');
    const outputs: string[] = [];
    const check = (label: string, extra: string[] = []) => tally.trial(`round ${round} ${label}`, async () => leaks(dir, key, [...extra, ...outputs]).map((f) => `key found in ${f}`));
    const keep = (name: string, text: string) => {
      const f = path.join(outDir, name);
      fs.writeFileSync(f, text);
      outputs.push(f);
    };
    const connect = await cli(dir, ['--json', 'connect', '--key', '-', '--api-base', fx.sim.url], { input: `${key}\n` }).done;
    keep('connect.out', connect.out + connect.err);
    if (connect.code !== 0) tally.record(`round ${round} connect`, connect.err.trim());
    await check('after connect');
    const ws = (JSON.parse(connect.out || '{}') as { workspace?: { id: string } }).workspace?.id ?? '';
    // A crash mid-sync, then a completed sync.
    const child = opChild(dir, ws, 'sync');
    await child.waitFor('ready');
    await sleep(150);
    child.child.kill('SIGKILL');
    await child.done;
    await check('after a crash mid-sync');
    const sync = await cli(dir, ['-w', ws, 'sync']).done;
    keep('sync.out', sync.out + sync.err);
    await check('after sync');
    const exportFile = path.join(outDir, 'segments.json');
    const exp = await cli(dir, ['-w', ws, 'segments', 'export', exportFile]).done;
    keep('export.out', exp.out + exp.err);
    outputs.push(exportFile);
    const customers = await cli(dir, ['-w', ws, '--json', 'customers', '--limit', '500']).done;
    keep('customers.json', customers.out);
    const bad = await cli(dir, ['-w', ws, 'connect', '--key', `${key}x`, '--api-base', fx.sim.url]).done;
    keep('bad-connect.out', bad.out + bad.err);
    await check('after export, customer listing and a refused key');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
