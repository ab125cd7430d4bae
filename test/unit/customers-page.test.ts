import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticFacts } from '../../bench/synthetic-facts';
import { listCustomers, readsMembers, type PageQuery } from '../../main/core/customers/page';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { catalogFor } from '../../main/core/facts/catalog';
import * as segments from '../../main/core/segments/service';
import { SORTABLE, type CustomerFacts } from '../../shared/contract';
import { tempDir } from '../helpers/core';

const NOW = 1_793_491_200;

function workspace(n: number, seed = 11): Sqlite {
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  writeSyntheticFacts(db, n, seed, NOW);
  return db;
}

/** A customer written the way the facts recompute writes it (an UPSERT: facts/compute.ts). */
function putCustomer(db: Sqlite, id: string, name: string | null, email: string | null, amountAtRisk = 0) {
  db.prepare(
    `INSERT INTO customer_facts (customer_id, email, name, tenure_days, amount_at_risk, created, computed_at) VALUES (?, ?, ?, 10, ?, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, name = excluded.name, amount_at_risk = excluded.amount_at_risk`,
  ).run(id, email, name, amountAtRisk, NOW, NOW);
}

/** Every page by cursor (`next`), as the Customers table loads them. */
function allPages(db: Sqlite, q: Omit<PageQuery, 'offset' | 'limit' | 'after'>, limit: number, between?: (page: number) => void): CustomerFacts[] {
  const out: CustomerFacts[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const r = listCustomers(db, { ...q, offset: 0, limit, ...(after ? { after } : {}) });
    out.push(...r.rows);
    if (!r.next) return out;
    after = r.next;
    between?.(page);
  }
  throw new Error('paging never ended');
}

const ids = (rows: CustomerFacts[]) => rows.map((r) => r.customer_id);
const search = (db: Sqlite, text: string) => ids(allPages(db, { search: text, sort: 'email', dir: 'asc' }, 50)).sort();

/** (value, id) in the page's order: values in `dir` with empty ones last, ties by id in the same direction. */
function inOrder(rows: CustomerFacts[], sort: (typeof SORTABLE)[number], dir: 'asc' | 'desc'): boolean {
  const sign = dir === 'asc' ? 1 : -1;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    const va = a[sort] as string | number | null;
    const vb = b[sort] as string | number | null;
    let c: number;
    if (va === null || vb === null) c = va === vb ? 0 : va === null ? 1 : -1;
    else c = (va < vb ? -1 : va > vb ? 1 : 0) * sign;
    if (c === 0) c = (a.customer_id < b.customer_id ? -1 : 1) * sign;
    if (c >= 0) return false;
  }
  return true;
}

describe('customers page: search', () => {
  const db = workspace(600);
  putCustomer(db, 'cus_zoe', 'Zoë Ångström', 'zoe+billing@exämple.test');
  putCustomer(db, 'cus_jose', 'José Müller-Lüdenscheidt', 'jose.mueller+ops@firma.de');
  putCustomer(db, 'cus_noname', null, 'ap@noname.test');

  it('finds a substring of a name or an email, in any case, including non-ASCII letters and +', () => {
    expect(search(db, 'ngstr')).toEqual(['cus_zoe']);
    expect(search(db, 'ÅNGSTRÖM')).toEqual(['cus_zoe']);
    expect(search(db, 'zoë')).toEqual(['cus_zoe']);
    expect(search(db, 'e+billing@ex')).toEqual(['cus_zoe']);
    expect(search(db, 'ämple')).toEqual(['cus_zoe']);
    expect(search(db, '+ops')).toEqual(['cus_jose']);
    expect(search(db, 'MÜLLER-LÜD')).toEqual(['cus_jose']);
    expect(search(db, 'noname')).toEqual(['cus_noname']);
    expect(search(db, '"quoted"')).toEqual([]);
  });

  it('matches exactly the customers whose name or email contains the text (ASCII, any case), as a scan would', () => {
    const all = db.prepare(`SELECT customer_id, name, email FROM customer_facts`).all() as { customer_id: string; name: string | null; email: string | null }[];
    for (const text of ['customer1', 'Customer 12', 'R 5', '@example.test', 'mer59', '9@e', 'xyz', 'st', 'Z']) {
      const t = text.toLowerCase();
      const expected = all.filter((c) => (c.name ?? '').toLowerCase().includes(t) || (c.email ?? '').toLowerCase().includes(t)).map((c) => c.customer_id).sort();
      expect(search(db, text), text).toEqual(expected);
      expect(listCustomers(db, { search: text, sort: 'mrr', dir: 'desc', offset: 0, limit: 5 }).total, text).toBe(expected.length);
    }
  });

  it('follows renames, replaced rows and removed customers', () => {
    putCustomer(db, 'cus_rename', 'Old Name Ltd', 'old@rename.test');
    expect(search(db, 'old name')).toEqual(['cus_rename']);
    putCustomer(db, 'cus_rename', 'Fresh Name Ltd', 'new@rename.test');
    expect(search(db, 'old name')).toEqual([]);
    expect(search(db, 'fresh name')).toEqual(['cus_rename']);
    db.prepare(`UPDATE customer_facts SET email = 'renamed@other.test' WHERE customer_id = 'cus_rename'`).run();
    expect(search(db, 'new@rename')).toEqual([]);
    expect(search(db, 'renamed@other')).toEqual(['cus_rename']);
    db.prepare(`DELETE FROM customer_facts WHERE customer_id = 'cus_rename'`).run();
    expect(search(db, 'fresh name')).toEqual([]);
    // Nothing left behind: the index holds exactly the facts rows (FTS5's own check against its content).
    expect(() => db.prepare(`INSERT INTO customer_search (customer_search, rank) VALUES ('integrity-check', 1)`).run()).not.toThrow();
  });

  it('builds the index for a workspace created before it', () => {
    const old = openSqlite(path.join(tempDir(), 'old.sqlite'));
    migrate(old, workspaceMigrations.filter((m) => m.version <= 18));
    writeSyntheticFacts(old, 300, 5, NOW);
    expect(() => old.prepare(`SELECT count(*) FROM customer_search`).get()).toThrow();
    migrate(old, workspaceMigrations);
    const emails = old.prepare(`SELECT customer_id FROM customer_facts WHERE email LIKE '%customer12%'`).pluck().all() as string[];
    expect(emails.length).toBe(11);
    expect(search(old, 'customer12')).toEqual(emails.sort());
  });
});

describe('customers page: paging by cursor', () => {
  const db = workspace(700, 3);
  // Ties on every sort value, empty names and emails, equal names.
  for (let i = 0; i < 30; i++) putCustomer(db, `cus_tie${String(i).padStart(2, '0')}`, i % 3 ? 'Same Name' : null, i % 4 ? null : `tie${i}@x.test`, 2900);

  it('visits every customer exactly once, in the sort order with ties broken by id, for every sort and direction', () => {
    const everyone = (db.prepare(`SELECT customer_id FROM customer_facts`).pluck().all() as string[]).sort();
    for (const sort of SORTABLE) {
      for (const dir of ['asc', 'desc'] as const) {
        const rows = allPages(db, { sort, dir }, 64);
        expect(ids(rows).sort(), `${sort} ${dir}`).toEqual(everyone);
        expect(inOrder(rows, sort, dir), `${sort} ${dir} in order`).toBe(true);
        // The same rows as the offset pages (the CLI's --offset).
        const byOffset: string[] = [];
        for (let offset = 0; offset < everyone.length; offset += 100) byOffset.push(...ids(listCustomers(db, { sort, dir, offset, limit: 100 }).rows));
        expect(ids(rows), `${sort} ${dir} = offset pages`).toEqual(byOffset);
      }
    }
  });

  it('still visits every customer once when customers are added between pages', () => {
    const before = new Set(db.prepare(`SELECT customer_id FROM customer_facts`).pluck().all() as string[]);
    for (const sort of ['amount_at_risk', 'name', 'email'] as const) {
      let k = 0;
      const rows = allPages(db, { sort, dir: 'desc' }, 50, () => {
        // Before and after the current position: top values, bottom values, empty ones, ties.
        putCustomer(db, `cus_new_${sort}_${k++}`, k % 2 ? `Added ${k}` : null, k % 3 ? null : `added${k}@x.test`, [0, 2900, 10_000_000][k % 3]!);
      });
      const seen = ids(rows);
      expect(new Set(seen).size, `${sort}: no customer twice`).toBe(seen.length);
      for (const id of before) expect(seen.includes(id), `${sort}: ${id} visited`).toBe(true);
      expect(inOrder(rows, sort, 'desc'), `${sort} in order`).toBe(true);
      for (const r of rows) before.add(r.customer_id);
    }
  });

  it('refuses a cursor of another sort in words', () => {
    const { next } = listCustomers(db, { sort: 'mrr', dir: 'desc', offset: 0, limit: 10 });
    expect(() => listCustomers(db, { sort: 'name', dir: 'desc', offset: 0, limit: 10, after: next! })).toThrow(/out of date: go back to the first page/);
    expect(() => listCustomers(db, { sort: 'mrr', dir: 'desc', offset: 0, limit: 10, after: 'garbage' })).toThrow(/out of date/);
  });
});

describe("customers page: one segment's members", () => {
  const db = workspace(1500, 7);
  segments.ensureDefaults(db, NOW);
  const catalog = catalogFor(db);
  // A small segment (a few dozen members), read whole rather than walked.
  segments.create(db, { name: 'Brand new, paying', description: '', color: '#228be6', rule: { combinator: 'and', rules: [{ field: 'tenure_days', operator: '=', value: 0 }, { field: 'mrr', operator: '>', value: 0 }] } }, NOW, catalog);
  segments.recomputeMembership(db, catalog, NOW);
  const live = segments.list(db);

  it('lists exactly the members of each segment, in order, with the member count as total', () => {
    let small = 0;
    let large = 0;
    // Fresh (member bits tested row by row), then with the segment figures' groups cached (a small segment read by its masks).
    for (const s of [...live, ...live]) {
      if (s === live[0] && small + large > 0) segments.stats(db);
      const members = (db.prepare(`SELECT customer_id FROM segment_members WHERE segment_id = ?`).pluck().all(s.id) as string[]).sort();
      if (readsMembers(members.length, 40, 1500) && members.length > 0) small++;
      else large++;
      for (const sort of ['amount_at_risk', 'name'] as const) {
        const rows = allPages(db, { segmentId: s.id, sort, dir: 'desc' }, 40);
        expect(ids(rows).sort(), `${s.name} by ${sort}`).toEqual(members);
        expect(inOrder(rows, sort, 'desc'), `${s.name} by ${sort} in order`).toBe(true);
      }
      expect(listCustomers(db, { segmentId: s.id, sort: 'mrr', dir: 'desc', offset: 0, limit: 1 }).total, s.name).toBe(members.length);
      const withText = new Set(db.prepare(`SELECT customer_id FROM customer_facts WHERE email LIKE '%customer1%'`).pluck().all() as string[]);
      expect(ids(allPages(db, { segmentId: s.id, search: 'customer1', sort: 'mrr', dir: 'desc' }, 40)).sort(), `${s.name} + search`).toEqual(
        members.filter((id) => withText.has(id)),
      );
    }
    // Both ways of reading a segment are exercised: its members sorted, and the order walked.
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(0);
  });

  it('has no members while its rule changed and membership was not recomputed, or once archived', () => {
    const s = live.find((x) => x.name === 'Enterprise')!;
    segments.update(db, s.id, { rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>', value: 1 }] } }, NOW, catalog);
    expect(listCustomers(db, { segmentId: s.id, sort: 'mrr', dir: 'desc', offset: 0, limit: 10 })).toMatchObject({ total: 0, rows: [], next: null });
  });
});
