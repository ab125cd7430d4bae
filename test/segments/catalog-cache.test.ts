import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { cachedCatalog } from '../../main/core/segments/catalog-cache';
import { addAttribute, insertFacts, workspaceDb } from './helpers';

let db: Sqlite;
let dir: string;
let close: () => void;
beforeEach(() => ({ db, dir, close } = workspaceDb()));
afterEach(() => close());

const names = (c: { name: string }[]) => c.map((f) => f.name);

describe('the preview catalog cache', () => {
  it('is reused between reads and refreshed after a write on this or another connection', () => {
    insertFacts(db, [{ customer_id: 'cus_1', region: 'emea' }]);
    const first = cachedCatalog(db);
    expect(cachedCatalog(db)).toBe(first);

    addAttribute(db, 'seats', 'number');
    expect(names(cachedCatalog(db))).toContain('attrs.seats');

    const other = openSqlite(path.join(dir, 'ws.sqlite'));
    try {
      insertFacts(other, [{ customer_id: 'cus_2', region: 'apac' }]);
      const region = cachedCatalog(db).find((f) => f.name === 'region')!;
      expect(region.values).toEqual(['apac', 'emea']);
    } finally {
      other.close();
    }
  });
});
