import type { Output } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { decodeCursor, encodeCursor, type Cursor } from './cursor';
import { orderOf, toFacts, type CustomerQuery, type FactsRow } from './queries';
import { searchFilter } from './search';
import { segmentFilter } from './segment-filter';

/**
 * One page of the customers table (`customers.list`), at any size:
 *
 * - Keyset pagination: a page starts after the previous page's last (sort
 *   value, customer id), read from the (column, customer_id) index, so the
 *   middle of 1M customers costs what the first page costs. Nullable sorts go
 *   in two index ranges: the values, then the empty ones by id (NULLS LAST).
 *   `offset` (the CLI's --offset) still works, and reads every skipped row.
 * - Search: the trigram index (search.ts). Segment: its bitmasks (segment-filter.ts);
 *   a small segment's members are read and sorted, a large one is walked in the
 *   page's order testing each customer's bit (a page fills within a few hundred rows).
 */
export type PageQuery = CustomerQuery & { offset: number; limit: number; after?: string | undefined };

interface Filter {
  where: string[];
  params: (string | number)[];
}

/**
 * Read a segment's members whole and sort them, or walk the page's order testing each customer's
 * bit? Measured at 1M: reading members costs ~20 µs each (a facts lookup per member), the walk
 * ~0.45 µs a row and, when members are spread evenly, reads limit × customers / members rows. So
 * the members are read when members² < limit × customers / 40 (about 2,000 at 1M): a segment whose
 * members sit at the far end of the order still costs a whole walk (~0.4 s at 1M).
 */
export function readsMembers(members: number, limit: number, customers: number): boolean {
  return members * members * 40 <= limit * customers;
}

export function listCustomers(db: Sqlite, q: PageQuery): Output<'customers.list'> {
  const order = orderOf(q);
  const cursor = q.after ? decodeCursor(q.after, q.sort, q.dir) : null;
  const search = searchFilter(q.search);
  const filter: Filter = { where: [], params: [] };
  if (search) {
    filter.where.push(search.where);
    filter.params.push(...search.params);
  }
  let total: number | null = null;
  if (q.segmentId) {
    const seg = segmentFilter(db, q.segmentId);
    const customers = countAll(db);
    const small = seg.members !== null && readsMembers(seg.count, q.limit, customers);
    const use = small && !search?.indexed && seg.members ? seg.members : { where: seg.probe, params: [] };
    filter.where.push(use.where);
    filter.params.push(...use.params);
    if (!search) total = seg.count;
  }
  total ??= filter.where.length ? count(db, filter) : countAll(db);

  const ids =
    cursor || q.offset === 0
      ? keysetPage(db, filter, order, cursor, q.limit)
      : (db
          .prepare(`SELECT f.customer_id AS id, ${order.column} AS v FROM customer_facts f ${whereOf(filter.where)} ORDER BY ${order.sql} LIMIT ? OFFSET ?`)
          .all(...filter.params, q.limit, q.offset) as KeyRow[]);
  const rows = rowsFor(db, ids.map((r) => r.id));
  const last = ids.at(-1);
  const next = last && ids.length === q.limit ? encodeCursor({ sort: q.sort, dir: q.dir, value: last.v, id: last.id }) : null;
  return { total, rows, next };
}

interface KeyRow {
  id: string;
  v: string | number | null;
}

const whereOf = (w: string[]) => (w.length ? `WHERE ${w.join(' AND ')}` : '');

function countAll(db: Sqlite): number {
  return db.prepare(`SELECT count(*) FROM customer_facts`).pluck().get() as number;
}

function count(db: Sqlite, f: Filter): number {
  return db.prepare(`SELECT count(*) FROM customer_facts f ${whereOf(f.where)}`).pluck().get(...f.params) as number;
}

/** The page's keys after `cursor` (or from the start): the sorted values, then (nullable sorts) the empty ones by id. */
function keysetPage(db: Sqlite, f: Filter, order: ReturnType<typeof orderOf>, cursor: Cursor | null, limit: number): KeyRow[] {
  const { column, dir, nullable } = order;
  const cmp = dir === 'DESC' ? '<' : '>';
  const out: KeyRow[] = [];
  if (!cursor || cursor.value !== null) {
    const where = [...f.where];
    const params = [...f.params];
    if (nullable) where.push(`${column} IS NOT NULL`);
    if (cursor) {
      where.push(`(${column}, f.customer_id) ${cmp} (?, ?)`);
      params.push(cursor.value as string | number, cursor.id);
    }
    out.push(
      ...(db
        .prepare(`SELECT f.customer_id AS id, ${column} AS v FROM customer_facts f ${whereOf(where)} ORDER BY ${column} ${dir}, f.customer_id ${dir} LIMIT ?`)
        .all(...params, limit) as KeyRow[]),
    );
  }
  if (nullable && out.length < limit) {
    const where = [...f.where, `${column} IS NULL`];
    const params = [...f.params];
    if (cursor && cursor.value === null) {
      where.push(`f.customer_id ${cmp} ?`);
      params.push(cursor.id);
    }
    out.push(
      ...(db
        .prepare(`SELECT f.customer_id AS id, NULL AS v FROM customer_facts f ${whereOf(where)} ORDER BY f.customer_id ${dir} LIMIT ?`)
        .all(...params, limit - out.length) as KeyRow[]),
    );
  }
  return out;
}

/** The facts and winning segment of these customers, in this order. */
function rowsFor(db: Sqlite, ids: string[]) {
  if (!ids.length) return [];
  const rows = db
    .prepare(
      `SELECT f.*, s.id AS seg_id, s.name AS seg_name, s.color AS seg_color
         FROM json_each(?) AS j
         JOIN customer_facts f ON f.customer_id = j.value
         LEFT JOIN segment_winner w ON w.customer_id = f.customer_id
         LEFT JOIN segments s ON s.id = w.segment_id
        ORDER BY j.key`,
    )
    .all(JSON.stringify(ids)) as FactsRow[];
  return rows.map(toFacts);
}
