import type { Sqlite } from '../db/sqlite';

/**
 * An index on each membership word column (w0, w1, …), so one segment's members
 * are found by their few distinct bitmasks instead of a pass over every customer
 * (customers/segment-filter.ts). Created where word columns are created: the
 * migration (w0), ensureWords (more words) and the background recompute's
 * membership_next, which replaces the table and so brings its own indexes.
 */
export function indexWords(db: Sqlite, table: 'membership' | 'membership_next', words: number): void {
  const indexed = new Set(
    db
      .prepare(`SELECT c.name FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS c WHERE c.seqno = 0`)
      .pluck()
      .all(table) as string[],
  );
  const names = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).pluck().all() as string[]);
  for (let i = 0; i < words; i++) {
    if (indexed.has(`w${i}`)) continue;
    // A renamed membership_next keeps its index names, so take the first free one.
    let name = `membership_w${i}`;
    for (let k = 1; names.has(name); k++) name = `membership_w${i}_${k}`;
    names.add(name);
    db.exec(`CREATE INDEX ${name} ON ${table}(w${i})`);
  }
}
