import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Where } from '../../main/core/db/where';

describe('Where', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE t (run_id TEXT, at INTEGER); INSERT INTO t VALUES ('a', 0), ('a', 5), ('b', 5), (NULL, 9);`);
  const count = (w: Where) => db.prepare(`SELECT count(*) FROM t ${w.sql}`).pluck().get(...w.args);

  it('adds only the filters that are set, and binds their values', () => {
    expect(count(new Where())).toBe(4);
    expect(count(new Where().add('run_id = ?', undefined).add('at >= ?', null))).toBe(4);
    expect(count(new Where().add('run_id = ?', 'a'))).toBe(2);
    // 0 is a value, not "unset".
    expect(count(new Where().add('run_id = ?', 'a').add('at > ?', 0))).toBe(1);
    expect(count(new Where().add('run_id = ?', "a' OR 1=1 --"))).toBe(0);
  });
});
