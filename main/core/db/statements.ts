import type Database from 'better-sqlite3';
import type { Sqlite } from './sqlite';

type Statement = Database.Statement<unknown[], unknown>;
const caches = new WeakMap<Sqlite, Map<string, Statement>>();

/**
 * A prepared statement kept for the connection's life. better-sqlite3 compiles the SQL on
 * every `db.prepare`, which in per-invoice and per-step code (the plan asks a handful of
 * questions for each of 50,000 invoices) cost ~45% of a dry-run plan (#22, bench/plan-bench.ts).
 * For `get` / `all` / `run` only — not `iterate` (a statement being iterated is busy). The
 * result modes are reset each time, so `prepared(db, sql).pluck().get()` and a plain
 * `prepared(db, sql).get()` of the same SQL do not affect each other.
 */
export function prepared(db: Sqlite, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  } else if (stmt.reader) {
    stmt.pluck(false).raw(false).expand(false);
  }
  return stmt;
}
