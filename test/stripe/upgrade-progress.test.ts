import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/contract';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { runReclaim } from '../helpers/cli';
import { tempDir, testCore } from '../helpers/core';

const V21 = workspaceMigrations.findIndex((m) => m.version === 21);
const INVOICES = 400;

/**
 * A workspace file as the version before migration 21 left it (as test/stripe/shrink-raw.test.ts
 * builds one): one customer and INVOICES invoices, each stored as Stripe's whole object.
 */
function oldWorkspace(): { dataDir: string; id: string } {
  const dataDir = tempDir();
  const core = testCore({ dataDir });
  const ws = core.registry.create({ name: 'Old', mode: 'test', currency: 'usd' });
  const file = core.registry.fileOf(ws.id);
  void core.close();
  // The file as the version before migration 21 made it (not a current file with its version
  // turned back: the later migrations would run again over what they already created).
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const db = openSqlite(file);
  migrate(db, workspaceMigrations.slice(0, V21));
  db.prepare(`INSERT INTO meta (key, value) VALUES ('currency', 'usd')`).run();
  const unset = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field_${i}`, null]));
  db.transaction(() => {
    db.prepare(`INSERT INTO customers (id, email, created, deleted, raw) VALUES ('cus_1', 'a@example.com', 1700000000, 0, ?)`).run(JSON.stringify({ id: 'cus_1', object: 'customer', ...unset }));
    const put = db.prepare(
      `INSERT INTO invoices (id, customer_id, status, currency, amount_due, amount_paid, amount_remaining, created, raw) VALUES (?, 'cus_1', 'open', 'usd', 1000, 0, 1000, 1700000000, ?)`,
    );
    for (let i = 0; i < INVOICES; i++) put.run(`in_${i}`, JSON.stringify({ id: `in_${i}`, object: 'invoice', customer: 'cus_1', amount_due: 1000, ...unset }));
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { dataDir, id: ws.id };
}

const ROWS = INVOICES + 1;
const SHRINKING = 'shrinking stored Stripe data';

describe('opening a workspace from before migration 21 says how far its upgrade is (#22)', () => {
  it('the app gets workspaces.upgrade events counting the stored Stripe objects up to N of N, then the VACUUM', async () => {
    const { dataDir, id } = oldWorkspace();
    const core = testCore({ dataDir });
    const seen: EventPayload<'workspaces.upgrade'>[] = [];
    core.events.on('workspaces.upgrade', (p) => seen.push(p));
    // The first request that reads the workspace opens (and upgrades) it, as the Customers page does.
    const r = await dispatch(core, 'customers.list', { workspaceId: id, limit: 1 }, silentLogger);
    expect(r.ok).toBe(true);
    await core.close();

    const shrinking = seen.filter((p) => p.step === SHRINKING);
    expect(shrinking.length).toBeGreaterThanOrEqual(2);
    expect(shrinking.every((p) => p.workspaceId === id && p.total === ROWS)).toBe(true);
    expect(shrinking[0]!.done).toBe(0);
    for (let i = 1; i < shrinking.length; i++) expect(shrinking[i]!.done).toBeGreaterThanOrEqual(shrinking[i - 1]!.done);
    expect(shrinking.at(-1)).toMatchObject({ done: ROWS, total: ROWS, message: `Upgrading the workspace: ${SHRINKING} (${ROWS} of ${ROWS})` });
    // Then the freed space goes back to the disk, and the last event says the upgrade is over.
    expect(seen.slice(seen.indexOf(shrinking.at(-1)!) + 1).map((p) => p.message)).toEqual([
      'Upgrading the workspace: giving the freed space back to the disk…',
      'Upgrading the workspace: giving the freed space back to the disk',
    ]);
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
  });

  it('the CLI prints the upgrade on stderr, ending at N of N; the next open prints nothing', async () => {
    const { dataDir } = oldWorkspace();
    const first = await runReclaim(dataDir, ['customers']);
    expect(first.code, first.err).toBe(0);
    const lines = first.err.split('\n').filter((l) => l.startsWith('Upgrading the workspace:'));
    expect(lines[0]).toBe(`Upgrading the workspace: ${SHRINKING} (0 of ${ROWS})`);
    expect(lines).toContain(`Upgrading the workspace: ${SHRINKING} (${ROWS} of ${ROWS})`);
    const again = await runReclaim(dataDir, ['customers']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toContain('Upgrading the workspace');
  }, 60_000);
});
