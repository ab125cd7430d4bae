import type { Sqlite } from '../db/sqlite';
import { catalogFor, type FactField } from '../facts/catalog';

/**
 * catalogFor reads the distinct values of several facts columns (a GROUP BY
 * scan each: seconds at 1M customers). The live preview asks for it on every
 * keystroke, between which nothing is written, so it is cached per connection
 * until any write: this connection's total_changes() or, for writes by other
 * connections (a sync, the CLI), PRAGMA data_version moves.
 */
const cache = new WeakMap<Sqlite, { key: string; catalog: FactField[] }>();

export function cachedCatalog(db: Sqlite): FactField[] {
  const key = `${db.pragma('data_version', { simple: true }) as number}:${db.prepare('SELECT total_changes()').pluck().get() as number}`;
  const hit = cache.get(db);
  if (hit && hit.key === key) return hit.catalog;
  const catalog = catalogFor(db);
  cache.set(db, { key, catalog });
  return catalog;
}
