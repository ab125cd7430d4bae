import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openSqlite } from '../../../main/core/db/sqlite';
import { workspaceMigrations } from '../../../main/core/db/workspace-migrations';
import { catalogFor } from '../../../main/core/facts/catalog';
import { recomputeFacts } from '../../../main/core/facts/compute';
import { recomputeMembership } from '../../../main/core/segments/service';

/**
 * Checks a workspace file the way the crash trials need: SQLite's integrity
 * check, nothing left pending, and facts + membership equal to a recompute
 * from scratch (on a private copy, so the file itself is not touched).
 * Returns the list of problems (empty = consistent).
 */
export function checkWorkspace(file: string, opts: { currency?: string; now?: number } = {}): string[] {
  const problems: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-check-'));
  const copy = path.join(dir, 'ws.sqlite');
  try {
    // A consistent copy, WAL included.
    const src = new Database(file, { readonly: true });
    try {
      const integrity = src.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
      src.exec(`VACUUM INTO '${copy.replace(/'/g, "''")}'`);
    } finally {
      src.close();
    }
    const db = openSqlite(copy);
    try {
      migrate(db, workspaceMigrations);
      const dirty = db.prepare('SELECT count(*) FROM dirty_customers').pluck().get() as number;
      if (dirty > 0) problems.push(`${dirty} customers still marked dirty (facts not recomputed)`);
      const pending = db.prepare('SELECT what FROM pending_recompute').pluck().all() as string[];
      if (pending.length) problems.push(`recompute still pending: ${pending.join(', ')}`);
      const facts = () =>
        db.prepare('SELECT * FROM customer_facts ORDER BY customer_id').all().map((r) => {
          const { computed_at: _, ...rest } = r as Record<string, unknown>;
          return JSON.stringify(rest);
        });
      const members = () => JSON.stringify(db.prepare('SELECT segment_id, customer_id FROM segment_members ORDER BY 1, 2').all());
      const winners = () => JSON.stringify(db.prepare('SELECT customer_id, segment_id FROM segment_winner ORDER BY 1').all());
      const before = { facts: facts(), members: members(), winners: winners() };
      const now = opts.now ?? Math.floor(Date.now() / 1000);
      const currency = opts.currency ?? ((db.prepare("SELECT value FROM meta WHERE key = 'currency'").pluck().get() as string | undefined) ?? 'usd');
      // Some facts move with time alone (tenure, days since the first failure): each row is
      // checked against a recompute as of its own computed_at (the product refreshes rows from
      // an earlier day on sync and plan: test/facts/freshness.test.ts). Customers without a
      // row are computed as of now, and show up as a row-count difference.
      const asOf = opts.now !== undefined ? [] : (db.prepare('SELECT computed_at AS t, json_group_array(customer_id) AS ids FROM customer_facts GROUP BY computed_at').all() as { t: number; ids: string }[]);
      for (const g of asOf) recomputeFacts(db, { now: g.t, reportingCurrency: currency, customerIds: JSON.parse(g.ids) as string[] });
      const missing = db.prepare(opts.now !== undefined ? 'SELECT id FROM customers' : 'SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM customer_facts)').pluck().all() as string[];
      recomputeFacts(db, { now, reportingCurrency: currency, customerIds: missing });
      recomputeMembership(db, catalogFor(db), asOf.length ? Math.max(...asOf.map((g) => g.t)) : now);
      const after = { facts: facts(), members: members(), winners: winners() };
      if (before.facts.length !== after.facts.length) problems.push(`facts rows ${before.facts.length}, expected ${after.facts.length}`);
      else {
        const stale = before.facts.filter((f, i) => f !== after.facts[i]).length;
        if (stale > 0) problems.push(`${stale} customers have stale facts`);
      }
      if (before.members !== after.members) problems.push('segment membership differs from a fresh recompute');
      if (before.winners !== after.winners) problems.push('winning segments differ from a fresh recompute');
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

/** Row-level fingerprint of the synced Stripe data (to compare with an uninterrupted run). */
export function stripeFingerprint(file: string): Record<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, string> = {};
    for (const t of ['customers', 'products', 'prices', 'coupons', 'subscriptions', 'subscription_items', 'invoices', 'payment_intents', 'charges', 'payment_methods', 'refunds', 'custom_attributes', 'attribute_catalog']) {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
      if (!exists) continue;
      const cols = (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name).filter((c) => !/_at_ms$|^imported/.test(c));
      const rows = db.prepare(`SELECT ${cols.join(', ')} FROM ${t} ORDER BY 1, 2`).all();
      out[t] = `${rows.length}:${hash(JSON.stringify(rows))}`;
    }
    return out;
  } finally {
    db.close();
  }
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16);
}
