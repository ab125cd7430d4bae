import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { silentLogger } from '../../main/core/ports';
import { EXPAND } from '../../main/core/stripe/expanded';
import { storedRaw } from '../../main/core/stripe/raw';
import { RAW_TABLES, vacuumIfPending } from '../../main/core/stripe/shrink-raw';
import { createSync } from '../../main/core/stripe/sync';
import { randomTestKey, startStripeSim, type StripeSim } from '../../main/stripe-sim';
import { tempDir, testCore } from '../helpers/core';

type O = Record<string, unknown>;

async function listAll(sim: StripeSim, key: string, resource: string): Promise<O[]> {
  const out: O[] = [];
  let after: string | null = null;
  for (;;) {
    const expand = (EXPAND[resource as keyof typeof EXPAND] ?? []).map((e) => `&expand[]=${e}`).join('');
    const url = `${sim.url}/v1/${resource}?limit=100${expand}${after ? `&starting_after=${after}` : ''}`;
    const page = (await (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: O[]; has_more: boolean };
    out.push(...page.data);
    if (!page.has_more || !page.data.length) return out;
    after = String(page.data.at(-1)!.id);
  }
}
const fileBytes = (f: string) => fs.statSync(f).size + (fs.existsSync(`${f}-wal`) ? fs.statSync(`${f}-wal`).size : 0);
const V21 = workspaceMigrations.findIndex((m) => m.version === 21);

describe('migration 21: an existing workspace shrinks (#22)', () => {
  const sims: StripeSim[] = [];
  afterAll(async () => Promise.all(sims.map((s) => s.close())));

  it('a workspace synced with whole Stripe objects gets smaller on disk, with the same facts', async () => {
    const sim = await startStripeSim({ seed: 9, customers: 150, rateLimit: null });
    sims.push(sim);
    const key = randomTestKey();
    sim.addKey(key, 'all');
    const file = path.join(tempDir(), 'ws.sqlite');
    let db = openSqlite(file);
    // A workspace of the version before: the sync of then kept each object whole in raw.
    migrate(db, workspaceMigrations.slice(0, V21));
    const now = sim.now() * 1000;
    expect((await createSync({ db, apiBase: sim.url, key, fetch, clock: { now: () => now }, logger: silentLogger, ratePerSecond: 1000, pageSize: 100 }).run()).status).toBe('completed');
    const whole = new Map<string, Map<string, O>>();
    for (const t of ['invoices', 'invoice_payments', 'payment_intents', 'charges', 'customers', 'subscriptions'] as const) {
      const objs = await listAll(sim, key, t);
      whole.set(t, new Map(objs.map((o) => [String(o.id), o])));
      const put = db.prepare(`UPDATE ${t} SET raw = ? WHERE id = ?`);
      db.transaction(() => objs.forEach((o) => put.run(JSON.stringify(o), o.id)))();
    }
    recomputeFacts(db, { now: now / 1000, reportingCurrency: 'usd', customerIds: 'all' });
    const facts = () => db.prepare(`SELECT * FROM customer_facts ORDER BY customer_id`).all();
    const before = facts();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytesBefore = fileBytes(file);
    db.close();

    // Opening it with this version migrates (as WorkspaceRegistry.openDb does) and vacuums.
    db = openSqlite(file);
    migrate(db, workspaceMigrations);
    expect(vacuumIfPending(db)).toBe(true);
    expect(vacuumIfPending(db)).toBe(false);
    const bytesAfter = fileBytes(file);
    expect(bytesAfter).toBeLessThan(bytesBefore * 0.6);

    // Each row now holds what a fresh sync would store, and the facts read from it are the same.
    for (const [t, objs] of whole) {
      const rows = (db.prepare(`SELECT id, raw FROM ${t}`).all() as { id: string; raw: string }[]).filter((r) => objs.has(r.id));
      expect(rows.length, t).toBe(objs.size);
      for (const r of rows) expect(r.raw, `${t} ${r.id}`).toBe(storedRaw(objs.get(r.id)!));
    }
    recomputeFacts(db, { now: now / 1000, reportingCurrency: 'usd', customerIds: 'all' });
    expect(facts()).toEqual(before);
    for (const t of RAW_TABLES) expect(db.prepare(`SELECT count(*) FROM ${t} WHERE NOT json_valid(raw)`).pluck().get(), t).toBe(0);
    db.close();
  }, 180_000);

  it('opening such a workspace in the app shrinks it once', () => {
    const dataDir = tempDir();
    let core = testCore({ dataDir });
    const ws = core.registry.create({ name: 'Old', mode: 'test', currency: 'usd' });
    const file = core.registry.fileOf(ws.id);
    core.close();
    // Customers as an older version stored them: Stripe's object whole, null fields included.
    // The file as the version before migration 21 made it (not a current file with its version
    // turned back: the later migrations would run again over what they already created).
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    const db = openSqlite(file);
    migrate(db, workspaceMigrations.slice(0, V21));
    db.prepare(`INSERT INTO meta (key, value) VALUES ('currency', 'usd')`).run();
    const unset = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`field_${i}`, null]));
    const put = db.prepare(`INSERT INTO customers (id, email, created, deleted, raw) VALUES (?, ?, 1700000000, 0, ?)`);
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) put.run(`cus_${i}`, `c${i}@example.com`, JSON.stringify({ id: `cus_${i}`, object: 'customer', email: `c${i}@example.com`, address: { country: 'DE', line2: null }, ...unset }));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytesBefore = fileBytes(file);

    core = testCore({ dataDir });
    const opened = core.registry.openDb(ws.id);
    expect(opened.pragma('user_version', { simple: true })).toBe(workspaceMigrations.length);
    expect(JSON.parse(opened.prepare(`SELECT raw FROM customers WHERE id = 'cus_7'`).pluck().get() as string)).toEqual({ id: 'cus_7', object: 'customer', email: 'c7@example.com', address: { country: 'DE' } });
    expect(opened.prepare(`SELECT json_extract(raw, '$.address.country') FROM customers WHERE id = 'cus_7'`).pluck().get()).toBe('DE');
    core.close();
    expect(fileBytes(file)).toBeLessThan(bytesBefore * 0.5);
  });
});
