/**
 * The customers table at one scale (issue #22): one 200-row page, each figure
 * as a ratio to a floor measured in the same run — reading the same rows the
 * page shows by primary key (the bare indexed lookup: what any page of them
 * must pay; for a search, the trigram index's bare matches). The issue's goal is ≤ 150 ms each at 1M; the ms are printed.
 *
 * - first page (by amount at risk), a middle page by cursor (the page after
 *   the N/2-th customer), a search by name or email (FTS5 trigrams), one
 *   segment's members (the first by priority, and the slowest of all).
 */
import { listCustomers, type PageQuery } from '../main/core/customers/page';
import { ftsPhrase } from '../main/core/customers/search';
import type { Sqlite } from '../main/core/db/sqlite';
import * as segments from '../main/core/segments/service';
import type { BenchRow } from './table';

type Time = (fn: () => unknown, runs?: number) => number;

/** A page may cost this many times reading its rows: a count, the keyset seek and the winning segment on top. */
const TARGET = 3;

export function customerPageRows(db: Sqlite, n: number, scale: string, time: Time, runs: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const base: PageQuery = { sort: 'amount_at_risk', dir: 'desc', offset: 0, limit: 200 };
  const byId = db.prepare(`SELECT * FROM customer_facts WHERE customer_id IN (SELECT value FROM json_each(?))`);
  const add = (figure: string, q: PageQuery, note?: string, floor?: { label: string; run: () => unknown }) => {
    const ids = JSON.stringify(listCustomers(db, q).rows.map((r) => r.customer_id));
    const ms = time(() => listCustomers(db, q), runs);
    const floorMs = time(floor?.run ?? (() => byId.all(ids)), runs);
    rows.push({
      section: 'customers page', figure, scale, ms, floorMs, floor: floor?.label ?? 'same rows by id', ratio: ms / floorMs, target: TARGET,
      note: `${ms.toFixed(0)} ms (goal ≤ 150 ms at 1M)${note ? `; ${note}` : ''}`,
    });
  };
  add('first page (200 rows, by amount at risk)', base);
  const mid = listCustomers(db, { ...base, offset: Math.floor(n / 2) - 1, limit: 1 }).next!;
  add('middle page, by cursor', { ...base, after: mid });
  // A search's floor: the trigram index's matches read by rowid, unsorted (the page adds count, order and the winning segment).
  const matches = db.prepare(`SELECT * FROM customer_facts WHERE rowid IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)`);
  add('search by name or email', { ...base, search: 'customer4242' }, undefined, { label: 'bare index match', run: () => matches.all(ftsPhrase('customer4242')) });
  // As in the app, where the segments list has grouped the bitmasks.
  segments.stats(db);
  const segs = segments.list(db);
  add(`one segment's members (${segs[0]!.name})`, { ...base, segmentId: segs[0]!.id });
  const each = segs.map((s) => ({ s, ms: time(() => listCustomers(db, { ...base, segmentId: s.id }), 1) }));
  const worst = each.reduce((a, b) => (b.ms > a.ms ? b : a));
  add(`one segment's members, slowest of ${segs.length}`, { ...base, segmentId: worst.s.id }, worst.s.name);
  return rows;
}
