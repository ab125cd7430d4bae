import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openSqlite, type Sqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';

export const NOW = 1_750_000_000;
export const DAY = 86_400;

/** A migrated workspace database in a fresh temp dir. */
export function workspaceDb(): { db: Sqlite; dir: string; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reclaim-seg-'));
  const db = openSqlite(path.join(dir, 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  return {
    db,
    dir,
    close: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FactsInput {
  customer_id: string;
  email?: string | null;
  name?: string | null;
  currency?: string | null;
  plan?: string | null;
  product_id?: string | null;
  billing_interval?: string | null;
  subscription_status?: string | null;
  mrr?: number;
  tenure_days?: number;
  ltv?: number;
  failures_12m?: number;
  /** Defaults to failures_12m (one failed attempt per invoice). */
  failed_invoices_12m?: number;
  last_decline_code?: string | null;
  last_decline_hard?: number | null;
  last_advice_code?: string | null;
  card_expiry?: string | null;
  card_expires_in_days?: number | null;
  open_past_due_count?: number;
  amount_at_risk?: number;
  days_since_first_failure?: number | null;
  region?: string | null;
  industry?: string | null;
  account_manager?: string | null;
  tags?: unknown;
  country?: string | null;
  state?: string | null;
  preferred_locales?: unknown;
  tax_exempt?: string | null;
  attrs?: unknown;
  created?: number;
}

const COLUMNS = [
  'customer_id', 'email', 'name', 'currency', 'plan', 'product_id', 'billing_interval', 'subscription_status', 'mrr',
  'tenure_days', 'ltv', 'failures_12m', 'failed_invoices_12m', 'last_decline_code', 'last_decline_hard', 'last_advice_code', 'card_expiry', 'card_expires_in_days',
  'open_past_due_count', 'amount_at_risk', 'days_since_first_failure', 'region', 'industry', 'account_manager', 'tags',
  'country', 'state', 'preferred_locales', 'tax_exempt', 'attrs', 'created', 'computed_at',
] as const;

/** A full customer_facts row (as SQLite returns it) from partial input. */
export function factsRow(c: FactsInput): Record<string, unknown> & { customer_id: string } {
  return {
    email: null, name: null, currency: null, plan: null, product_id: null, billing_interval: null,
    subscription_status: null, mrr: 0, tenure_days: 0, ltv: 0, failures_12m: 0, last_decline_code: null,
    last_decline_hard: null, last_advice_code: null, card_expiry: null, card_expires_in_days: null, open_past_due_count: 0, amount_at_risk: 0,
    days_since_first_failure: null, region: null, industry: null, account_manager: null, country: null, state: null, tax_exempt: null, created: NOW, computed_at: NOW,
    ...c,
    failed_invoices_12m: c.failed_invoices_12m ?? c.failures_12m ?? 0,
    tags: typeof c.tags === 'string' ? c.tags : JSON.stringify(c.tags ?? []),
    preferred_locales: typeof c.preferred_locales === 'string' ? c.preferred_locales : JSON.stringify(c.preferred_locales ?? []),
    attrs: typeof c.attrs === 'string' ? c.attrs : JSON.stringify(c.attrs ?? {}),
  };
}

export function insertFacts(db: Sqlite, rows: FactsInput[]): void {
  const stmt = db.prepare(
    `INSERT INTO customer_facts (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`,
  );
  db.transaction(() => {
    for (const r of rows) stmt.run(factsRow(r));
  })();
}

export function addAttribute(db: Sqlite, key: string, type: 'number' | 'string' | 'boolean', label = key): void {
  db.prepare(`INSERT INTO attribute_catalog (key, type, source, label) VALUES (?, ?, 'csv', ?)`).run(key, type, label);
}
