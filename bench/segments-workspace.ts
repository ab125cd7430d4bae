import path from 'node:path';
import { migrate, openSqlite, type Sqlite } from '../main/core/db/sqlite';
import { workspaceMigrations } from '../main/core/db/workspace-migrations';
import * as segments from '../main/core/segments/service';
import { BENCH_ATTRIBUTES } from './custom-segments';
import { writeSyntheticFacts } from './synthetic-facts';

/**
 * The segments bench's workspace in `dir`: n synthetic customers' facts (seed 7), the
 * bench's custom attributes in the catalog, statistics, and the six default segments.
 * The caller adds its custom segments and closes the database.
 */
export function openSegmentsWorkspace(dir: string, n: number, now: number): Sqlite {
  const db = openSqlite(path.join(dir, 'bench.sqlite'));
  migrate(db, workspaceMigrations);
  db.prepare("INSERT INTO meta(key, value) VALUES ('currency', 'usd')").run();
  for (const a of BENCH_ATTRIBUTES) db.prepare(`INSERT INTO attribute_catalog (key, type, source, label) VALUES (?, ?, 'csv', ?)`).run(a.key, a.type, a.key);
  writeSyntheticFacts(db, n, 7, now);
  db.exec('ANALYZE');
  segments.ensureDefaults(db, now);
  return db;
}
