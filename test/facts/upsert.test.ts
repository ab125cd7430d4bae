import path from 'node:path';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { staleSince } from '../../main/core/facts/freshness';
import { listCustomers } from '../../main/core/customers/page';
import { catalogFor } from '../../main/core/facts/catalog';
import * as segments from '../../main/core/segments/service';
import { tempDir } from '../helpers/core';

/**
 * #22: the facts recompute writes customer_facts with an UPSERT that leaves an unchanged
 * row alone (migration 22 rewrote the triggers for it). Real workspace files throughout.
 */
const NOW = 1_793_491_200; // 2026-11-01 00:00 UTC
const DAY = 86_400;
const N = 40;

function addCustomer(db: Sqlite, i: number) {
  const id = `cus_${String(i).padStart(3, '0')}`;
  db.prepare(`INSERT INTO customers (id, email, name, created, currency, metadata, raw) VALUES (?, ?, ?, ?, 'usd', ?, '{}')`).run(
    id, `owner${i}@shop${i}.test`, `Shop ${i} Ltd`, NOW - (i + 1) * 10 * DAY, JSON.stringify({ region: i % 2 ? 'emea' : 'amer' }),
  );
  return id;
}

function workspace(migrations = workspaceMigrations): Sqlite {
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, migrations);
  for (let i = 0; i < N; i++) addCustomer(db, i);
  return db;
}

const recompute = (db: Sqlite, now = NOW) => recomputeFacts(db, { now, reportingCurrency: 'usd', customerIds: 'all' });
const dirty = (db: Sqlite) => db.prepare('SELECT customer_id FROM membership_dirty ORDER BY 1').pluck().all() as string[];
/** What the Customers page's search box finds (the FTS index for three characters or more). */
const search = (db: Sqlite, text: string) => listCustomers(db, { search: text, sort: 'email', dir: 'asc', offset: 0, limit: 100 }).rows.map((r) => r.customer_id).sort();
/** A fingerprint of every stored page of the search index: equal means the index was not written. */
const searchPages = (db: Sqlite) => {
  const h = createHash('sha256');
  for (const r of db.prepare('SELECT id, block FROM customer_search_data ORDER BY id').iterate() as Iterable<{ id: number; block: Buffer }>) {
    h.update(String(r.id)).update(r.block);
  }
  for (const r of db.prepare('SELECT * FROM customer_search_idx ORDER BY 1, 2').all()) h.update(JSON.stringify(r));
  return h.digest('hex');
};
/** FTS5's own check of the index against the facts rows (throws when they disagree). */
const indexMatchesFacts = (db: Sqlite) => {
  db.prepare(`INSERT INTO customer_search (customer_search, rank) VALUES ('integrity-check', 1)`).run();
  return true;
};

describe('facts written by UPSERT (#22)', () => {
  let db: Sqlite;
  beforeEach(() => {
    db = workspace();
    expect(recompute(db).updated).toBe(N);
    db.prepare('DELETE FROM membership_dirty').run();
  });

  it('a recompute with nothing changed writes no row, marks no customer and leaves the search index alone', () => {
    const pages = searchPages(db);
    const rowids = db.prepare('SELECT customer_id, rowid FROM customer_facts ORDER BY 1').all();
    const r = recompute(db, NOW + 3600);
    expect(dirty(db)).toEqual([]);
    expect(searchPages(db)).toBe(pages);
    expect(r).toEqual({ updated: N, written: 0 });
    expect(db.prepare('SELECT customer_id, rowid FROM customer_facts ORDER BY 1').all()).toEqual(rowids);
    expect(search(db, 'shop 7 ltd')).toEqual(['cus_007']);
    expect(indexMatchesFacts(db)).toBe(true);
  });

  it('a changed fact marks exactly that customer for membership, without touching the search index', () => {
    const pages = searchPages(db);
    db.prepare(`UPDATE customers SET metadata = '{"region":"apac"}' WHERE id = 'cus_004'`).run();
    db.prepare(`INSERT INTO charges (id, customer_id, amount, currency, status, paid, failure_code, created, raw) VALUES ('ch_x', 'cus_011', 900, 'usd', 'failed', 0, 'card_declined', ?, '{}')`).run(NOW - DAY);
    const r = recompute(db);
    expect(dirty(db)).toEqual(['cus_004', 'cus_011']);
    expect(db.prepare(`SELECT region FROM customer_facts WHERE customer_id = 'cus_004'`).pluck().get()).toBe('apac');
    expect(db.prepare(`SELECT failures_12m FROM customer_facts WHERE customer_id = 'cus_011'`).pluck().get()).toBe(1);
    expect(searchPages(db)).toBe(pages);
    expect(r).toEqual({ updated: N, written: 2 });
  });

  it('a renamed customer is found by the new name right after the recompute, and no longer by the old one', () => {
    db.prepare(`UPDATE customers SET name = 'Ångström Bakery', email = 'billing@angstrom.test' WHERE id = 'cus_012'`).run();
    expect(search(db, 'Shop 12 Ltd')).toEqual(['cus_012']);
    recompute(db);
    expect(search(db, 'ångström')).toEqual(['cus_012']);
    expect(search(db, 'billing@angstrom')).toEqual(['cus_012']);
    expect(search(db, 'Shop 12 Ltd')).toEqual([]);
    expect(search(db, 'owner12@')).toEqual([]);
    expect(dirty(db)).toEqual(['cus_012']);
    expect(indexMatchesFacts(db)).toBe(true);
  });

  it('a customer changed again before membership caught up is written without a UNIQUE error', () => {
    // The old triggers' INSERT OR IGNORE took the UPSERT's conflict policy and failed here.
    db.prepare(`UPDATE customers SET name = 'First Rename' WHERE id = 'cus_003'`).run();
    recompute(db);
    db.prepare(`UPDATE customers SET name = 'Second Rename' WHERE id = 'cus_003'`).run();
    recompute(db);
    expect(dirty(db)).toEqual(['cus_003']);
    expect(search(db, 'second rename')).toEqual(['cus_003']);
    expect(search(db, 'first rename')).toEqual([]);
  });

  it('a deleted customer leaves search and is marked for membership; a new one is found', () => {
    db.prepare(`UPDATE customers SET deleted = 1 WHERE id = 'cus_020'`).run();
    const added = addCustomer(db, 500);
    recompute(db);
    expect(search(db, 'owner20@')).toEqual([]);
    expect(search(db, 'Shop 500')).toEqual([added]);
    expect(db.prepare(`SELECT count(*) FROM customer_facts WHERE customer_id = 'cus_020'`).pluck().get()).toBe(0);
    expect(dirty(db)).toEqual(['cus_020', added]);
    expect(indexMatchesFacts(db)).toBe(true);
  });

  it('segment membership after a recompute rewrites only the customers whose facts changed', () => {
    segments.ensureDefaults(db, NOW);
    const catalog = catalogFor(db);
    segments.recomputeMembership(db, catalog, NOW);
    recompute(db, NOW + 60);
    expect(segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' })).toMatchObject({ mode: 'changed', rewritten: 0 });
    db.prepare(`INSERT INTO charges (id, customer_id, amount, currency, status, paid, failure_code, created, raw) VALUES ('ch_y', 'cus_030', 900, 'usd', 'failed', 0, 'card_declined', ?, '{}')`).run(NOW - DAY);
    recompute(db, NOW + 120);
    expect(segments.recomputeMembership(db, catalog, NOW, { mode: 'auto' })).toMatchObject({ mode: 'changed', rewritten: 1 });
  });

  it('on a new day every row is rewritten (day counts move, the facts stop being stale), the search index is not', () => {
    const pages = searchPages(db);
    const tomorrow = NOW + DAY + 60;
    expect(staleSince(db, tomorrow)).toBe(NOW);
    recompute(db, tomorrow);
    expect(staleSince(db, tomorrow)).toBeNull();
    expect(db.prepare('SELECT DISTINCT computed_at FROM customer_facts').pluck().all()).toEqual([tomorrow]);
    expect(dirty(db)).toHaveLength(N);
    expect(searchPages(db)).toBe(pages);
  });
});

describe('migration 22 on a workspace written before it', () => {
  it('keeps the search index whole and lets the recompute rewrite the rows', () => {
    const db = workspace(workspaceMigrations.slice(0, 19));
    // Facts as the old recompute left them (INSERT OR REPLACE under the version 19 triggers).
    db.prepare(`INSERT OR REPLACE INTO customer_facts (customer_id, email, name, tenure_days, created, computed_at)
      SELECT id, email, name, 1, created, ? FROM customers`).run(NOW - DAY);
    db.prepare(`INSERT OR REPLACE INTO customer_facts (customer_id, email, name, tenure_days, created, computed_at)
      SELECT id, email, name, 1, created, ? FROM customers WHERE id = 'cus_001'`).run(NOW - DAY);
    expect(indexMatchesFacts(db)).toBe(true);
    expect(migrate(db, workspaceMigrations).to).toBe(workspaceMigrations.length);
    db.prepare(`UPDATE customers SET name = 'Renamed After Upgrade' WHERE id = 'cus_001'`).run();
    recompute(db);
    expect(search(db, 'renamed after')).toEqual(['cus_001']);
    expect(search(db, 'Shop 2 Ltd')).toEqual(['cus_002']);
    expect(indexMatchesFacts(db)).toBe(true);
    db.prepare('DELETE FROM membership_dirty').run();
    const pages = searchPages(db);
    recompute(db);
    expect(searchPages(db)).toBe(pages);
    expect(dirty(db)).toEqual([]);
  });
});
