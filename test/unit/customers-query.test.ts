import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticFacts } from '../../bench/synthetic-facts';
import { listCustomers } from '../../main/core/customers/page';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { SORTABLE } from '../../shared/contract';
import { tempDir } from '../helpers/core';

describe('customers table queries', () => {
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  writeSyntheticFacts(db, 1500, 11);

  it('pages through every customer exactly once, in order, for every sort and direction', () => {
    for (const sort of SORTABLE) {
      for (const dir of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        for (let offset = 0; offset < 1500; offset += 200) seen.push(...listCustomers(db, { sort, dir, offset, limit: 200 }).rows.map((r) => r.customer_id));
        expect(new Set(seen).size, `${sort} ${dir}`).toBe(1500);
      }
    }
    const byRisk = listCustomers(db, { sort: 'amount_at_risk', dir: 'desc', offset: 0, limit: 500 }).rows.map((r) => r.amount_at_risk);
    expect(byRisk).toEqual([...byRisk].sort((a, b) => b - a));
  });

  it('searches by id, email or name, treating % and _ literally', () => {
    expect(listCustomers(db, { search: 'customer42@', sort: 'mrr', dir: 'desc', offset: 0, limit: 10 }).rows.map((r) => r.email)).toEqual(['customer42@example.test']);
    const one = listCustomers(db, { sort: 'mrr', dir: 'desc', offset: 0, limit: 1 }).rows[0]!;
    expect(listCustomers(db, { search: one.customer_id, sort: 'mrr', dir: 'desc', offset: 0, limit: 10 }).total).toBe(1);
    expect(listCustomers(db, { search: '%', sort: 'mrr', dir: 'desc', offset: 0, limit: 10 }).total).toBe(0);
    expect(listCustomers(db, { search: "Customer 7'", sort: 'mrr', dir: 'desc', offset: 0, limit: 10 }).total).toBe(0);
  });
});
