import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Sqlite } from '../db/sqlite';
import { badRequest, conflict, notFound } from '../errors';
import { issuesMessage } from '../issue-words';
import { catalogFor, type Catalog } from '../facts/catalog';
import { evaluateRule, type ExplainNode, type FactsRow } from './explain';
import { validateRule, type RuleError, type RuleGroup } from './rule';
import { minorExponent } from '../../../shared/money';
import { membershipStats, refreshMembershipViews } from './membership';

/**
 * Segments of one workspace database. All `now` arguments are unix SECONDS
 * (stored *_ms columns are now * 1000). Membership (membership.ts) is rebuilt
 * by recomputeMembership; reorder, archive and remove only regenerate the
 * winner/member views (no rule evaluation).
 */

export interface SegmentRecord {
  id: string;
  name: string;
  description: string;
  color: string;
  /** The rule JSON as stored (react-querybuilder RuleGroupType). */
  rule: RuleGroup;
  ruleVersion: number;
  priority: number;
  isDefault: boolean;
  archived: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SegmentInput {
  name: string;
  description?: string;
  color?: string;
  rule: unknown;
}

const NAME_MAX = 80;
const DEFAULTS_META_KEY = 'segments.defaults_created';
const EXPORT_FORMAT = 'reclaim.segments';

const inputSchema = z.object({
  name: z.string().trim().min(1, 'Name is required').max(NAME_MAX, `Name is at most ${NAME_MAX} characters`),
  description: z.string().max(500).default(''),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Colour is a hex value such as #4c6ef5').default('#4c6ef5'),
  rule: z.unknown(),
});

interface SegmentRow {
  id: string; name: string; description: string; color: string; rule: string; rule_version: number;
  priority: number; is_default: number; archived: number; created_at_ms: number; updated_at_ms: number;
}

function assertSeconds(now: number): void {
  if (!Number.isFinite(now) || now > 1e11) throw new Error(`now must be unix seconds, got ${now}`);
}

function toRecord(r: SegmentRow): SegmentRecord {
  return {
    id: r.id, name: r.name, description: r.description, color: r.color, rule: JSON.parse(r.rule) as RuleGroup,
    ruleVersion: r.rule_version, priority: r.priority, isDefault: r.is_default === 1, archived: r.archived === 1,
    createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms,
  };
}

function ruleIssues(errors: RuleError[], prefix = 'rule'): { path: string; message: string }[] {
  return errors.map((e) => ({ path: e.path ? `${prefix}.${e.path}` : prefix, message: e.message }));
}

function checkRule(rule: unknown, catalog: Catalog): void {
  const r = validateRule(rule, catalog);
  if (!r.ok) throw badRequest(`The rule is not valid: ${r.errors[0]!.message}`, ruleIssues(r.errors));
}

function parseInput(input: unknown) {
  const p = inputSchema.safeParse(input);
  if (!p.success) {
    const issues = p.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw badRequest(issuesMessage(p.error.issues, input), issues);
  }
  return p.data;
}

function workspaceCurrency(db: Sqlite): string {
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'currency'`).get() as { value: string } | undefined;
  return (row?.value ?? 'usd').toLowerCase();
}

function fmtMajor(major: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase(), maximumFractionDigits: 0 }).format(major);
  } catch {
    return `${major} ${currency.toUpperCase()}`;
  }
}

// ---------- defaults ----------

/** The At-Risk default's description (workspace migration 13 moves unedited older defaults to it). */
export const AT_RISK_DESCRIPTION = 'Payments failed on two or more invoices in the last 12 months.';

/** The six default segments, thresholds in minor units of `currency` (editable after creation). */
export function defaultSegments(currency: string): Required<SegmentInput>[] {
  const unit = 10 ** minorExponent(currency);
  const enterprise = 999 * unit;
  const growth = 100 * unit;
  const money = (major: number) => fmtMajor(major, currency);
  // Priority order (#12): the tiers would otherwise always win, since every paying customer is in one;
  // under this order the product page's scenarios come out as it describes (test/recovery/scenarios.test.ts).
  return [
    {
      name: 'Enterprise',
      description: `MRR of ${money(999)} or more.`,
      color: '#7048e8',
      rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: enterprise }] },
    },
    {
      name: 'At-Risk',
      description: AT_RISK_DESCRIPTION,
      color: '#e03131',
      // Failure episodes, not attempts: Stripe's own retries of one invoice are one episode (#17 item 14).
      rule: { combinator: 'and', rules: [{ field: 'failed_invoices_12m', operator: '>=', value: 2 }] },
    },
    {
      name: 'New Customer',
      description: 'Customer for less than 90 days.',
      color: '#f59f00',
      rule: { combinator: 'and', rules: [{ field: 'tenure_days', operator: '<', value: 90 }] },
    },
    {
      name: 'Loyal Customer',
      description: 'Customer for more than a year.',
      color: '#0ca678',
      rule: { combinator: 'and', rules: [{ field: 'tenure_days', operator: '>', value: 365 }] },
    },
    {
      name: 'Growth',
      description: `MRR from ${money(100)} up to ${money(999)}.`,
      color: '#1c7ed6',
      rule: { combinator: 'and', rules: [{ field: 'mrr', operator: 'between', value: [growth, enterprise - 1] }] },
    },
    {
      name: 'Starter',
      description: `Paying, with MRR below ${money(100)}.`,
      color: '#37b24d',
      rule: {
        combinator: 'and',
        rules: [
          { field: 'mrr', operator: '>', value: 0 },
          { field: 'mrr', operator: '<', value: growth },
        ],
      },
    },
  ];
}

/** The defaults' order before #12 (tiers first), and the order it maps to now. */
const OLD_DEFAULT_ORDER = ['Enterprise', 'Growth', 'Starter', 'New Customer', 'Loyal Customer', 'At-Risk'];
const NEW_DEFAULT_ORDER = ['Enterprise', 'At-Risk', 'New Customer', 'Loyal Customer', 'Growth', 'Starter'];
const ORDER_META_KEY = 'segments.default_order_v2';

/**
 * Moves a workspace created with the old default order to the new one, only
 * when the user never reordered: the six defaults are live, still named as
 * created, and still first in the old order. Runs once (a meta flag). Returns
 * true when it changed the order (membership must then be recomputed).
 */
export function upgradeDefaultOrder(db: Sqlite, now: number): boolean {
  assertSeconds(now);
  return db.transaction(() => {
    if (db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(ORDER_META_KEY)) return false;
    db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`).run(ORDER_META_KEY, String(now));
    if (!db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(DEFAULTS_META_KEY)) return false;
    const live = list(db);
    const first = live.slice(0, OLD_DEFAULT_ORDER.length);
    const untouched = first.length === OLD_DEFAULT_ORDER.length && first.every((s, i) => s.isDefault && s.name === OLD_DEFAULT_ORDER[i]);
    if (!untouched) return false;
    const byName = new Map(first.map((s) => [s.name, s.id]));
    reorder(db, [...NEW_DEFAULT_ORDER.map((n) => byName.get(n)!), ...live.slice(OLD_DEFAULT_ORDER.length).map((s) => s.id)]);
    return true;
  })();
}

/**
 * Creates the default segments the first time it runs on a workspace (a meta
 * flag remembers it, so deleted defaults are not recreated). Returns how many
 * were created.
 */
export function ensureDefaults(db: Sqlite, now: number): number {
  assertSeconds(now);
  return db.transaction(() => {
    if (db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(DEFAULTS_META_KEY)) {
      upgradeDefaultOrder(db, now);
      return 0;
    }
    const defs = defaultSegments(workspaceCurrency(db));
    for (const d of defs) insertSegment(db, { ...d, name: uniqueName(db, d.name) }, now, true);
    db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`).run(DEFAULTS_META_KEY, String(now));
    db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)`).run(ORDER_META_KEY, String(now));
    return defs.length;
  })();
}

// ---------- CRUD ----------

function nameTaken(db: Sqlite, name: string, exceptId?: string): boolean {
  return !!db
    .prepare(`SELECT 1 FROM segments WHERE archived = 0 AND lower(name) = lower(?) AND id <> ?`)
    .get(name, exceptId ?? '');
}

/** `name`, or `name (2)`, `name (3)`… — the first not used by a live segment. */
function uniqueName(db: Sqlite, name: string, taken: Set<string> = new Set()): string {
  const base = name.trim().slice(0, NAME_MAX) || 'Segment';
  const free = (n: string) => !taken.has(n.toLowerCase()) && !nameTaken(db, n);
  if (free(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = ` (${i})`;
    const candidate = base.slice(0, NAME_MAX - suffix.length) + suffix;
    if (free(candidate)) return candidate;
  }
}

function nextPriority(db: Sqlite): number {
  const row = db.prepare(`SELECT coalesce(max(priority), 0) AS p FROM segments WHERE archived = 0`).get() as { p: number };
  return row.p + 1;
}

function insertSegment(
  db: Sqlite,
  s: { name: string; description: string; color: string; rule: unknown },
  now: number,
  isDefault = false,
): SegmentRecord {
  const id = `seg_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  db.prepare(
    `INSERT INTO segments (id, name, description, color, rule, rule_version, priority, is_default, archived, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, 0, ?, ?)`,
  ).run(id, s.name, s.description, s.color, JSON.stringify(s.rule), nextPriority(db), isDefault ? 1 : 0, now * 1000, now * 1000);
  return get(db, id)!;
}

/** Renumbers live segments 1..n keeping their order. */
function renumber(db: Sqlite): void {
  const ids = db.prepare(`SELECT id FROM segments WHERE archived = 0 ORDER BY priority, created_at_ms, id`).pluck().all() as string[];
  const upd = db.prepare(`UPDATE segments SET priority = ? WHERE id = ?`);
  ids.forEach((id, i) => upd.run(i + 1, id));
}

export function get(db: Sqlite, id: string): SegmentRecord | null {
  const row = db.prepare(`SELECT * FROM segments WHERE id = ?`).get(id) as SegmentRow | undefined;
  return row ? toRecord(row) : null;
}

function mustGet(db: Sqlite, id: string): SegmentRecord {
  const s = get(db, id);
  if (!s) throw notFound('The segment');
  return s;
}

/** Live segments by priority, then (with includeArchived) archived ones by name. */
export function list(db: Sqlite, opts: { includeArchived?: boolean } = {}): SegmentRecord[] {
  const rows = db
    .prepare(
      `SELECT * FROM segments ${opts.includeArchived ? '' : 'WHERE archived = 0'} ORDER BY archived, CASE WHEN archived = 0 THEN priority END, name`,
    )
    .all() as SegmentRow[];
  return rows.map(toRecord);
}

export function create(db: Sqlite, input: SegmentInput, now: number, catalog: Catalog = catalogFor(db)): SegmentRecord {
  assertSeconds(now);
  const data = parseInput(input);
  checkRule(data.rule, catalog);
  return db.transaction(() => {
    if (nameTaken(db, data.name)) throw conflict(`A segment named "${data.name}" already exists`);
    return insertSegment(db, data, now);
  })();
}

/** Validates everything first; a refused update changes nothing. */
export function update(
  db: Sqlite,
  id: string,
  patch: Partial<SegmentInput>,
  now: number,
  catalog: Catalog = catalogFor(db),
): SegmentRecord {
  assertSeconds(now);
  const current = mustGet(db, id);
  const data = parseInput({
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    color: patch.color ?? current.color,
    rule: patch.rule ?? current.rule,
  });
  const ruleChanged = patch.rule !== undefined && JSON.stringify(patch.rule) !== JSON.stringify(current.rule);
  if (patch.rule !== undefined) checkRule(patch.rule, catalog);
  return db.transaction(() => {
    if (!current.archived && nameTaken(db, data.name, id)) throw conflict(`A segment named "${data.name}" already exists`);
    db.prepare(
      `UPDATE segments SET name = ?, description = ?, color = ?, rule = ?, rule_version = rule_version + ?, updated_at_ms = ? WHERE id = ?`,
    ).run(data.name, data.description, data.color, JSON.stringify(data.rule), ruleChanged ? 1 : 0, now * 1000, id);
    return mustGet(db, id);
  })();
}

export function duplicate(db: Sqlite, id: string, now: number): SegmentRecord {
  assertSeconds(now);
  const src = mustGet(db, id);
  return db.transaction(() =>
    insertSegment(db, { name: uniqueName(db, `${src.name} (copy)`), description: src.description, color: src.color, rule: src.rule }, now),
  )();
}

/** Archives (or restores) a segment. Archived segments have no members and no priority among live ones. */
export function archive(db: Sqlite, id: string, now: number, archived = true): SegmentRecord {
  assertSeconds(now);
  const s = mustGet(db, id);
  if (s.archived === archived) return s;
  return db.transaction(() => {
    if (archived) {
      db.prepare(`UPDATE segments SET archived = 1, updated_at_ms = ? WHERE id = ?`).run(now * 1000, id);
    } else {
      if (nameTaken(db, s.name, id)) throw conflict(`A segment named "${s.name}" already exists; rename it before restoring this one`);
      db.prepare(`UPDATE segments SET archived = 0, priority = ?, updated_at_ms = ? WHERE id = ?`).run(nextPriority(db), now * 1000, id);
    }
    renumber(db);
    // Its bits stay assigned (a restore needs no rule evaluation); the views drop or add it.
    refreshMembershipViews(db);
    return mustGet(db, id);
  })();
}

export function remove(db: Sqlite, id: string): { removed: true; id: string } {
  mustGet(db, id);
  db.transaction(() => {
    db.prepare(`DELETE FROM membership_bits WHERE segment_id = ?`).run(id);
    db.prepare(`DELETE FROM segments WHERE id = ?`).run(id);
    renumber(db);
    refreshMembershipViews(db);
  })();
  return { removed: true, id };
}

/** Sets priorities 1..n in the given order; ids must be exactly the live segments. */
export function reorder(db: Sqlite, orderedIds: string[], now?: number): SegmentRecord[] {
  if (now !== undefined) assertSeconds(now);
  return db.transaction(() => {
    const live = db.prepare(`SELECT id FROM segments WHERE archived = 0`).pluck().all() as string[];
    const given = new Set(orderedIds);
    if (given.size !== orderedIds.length) throw badRequest('The order lists a segment twice');
    if (orderedIds.length !== live.length || !live.every((id) => given.has(id))) {
      throw badRequest('The order must list every live segment exactly once');
    }
    const upd = db.prepare(`UPDATE segments SET priority = ?${now !== undefined ? ', updated_at_ms = ?' : ''} WHERE id = ?`);
    orderedIds.forEach((id, i) => (now !== undefined ? upd.run(i + 1, now * 1000, id) : upd.run(i + 1, id)));
    // Winners follow the new order at once: no rule is evaluated, no membership row written.
    refreshMembershipViews(db);
    return list(db);
  })();
}

// ---------- membership ----------

export { recomputeMembership, refreshMembershipViews, type RecomputeOptions, type RecomputeResult } from './membership';

export interface MembershipExplanation {
  customer_id: string;
  segments: { id: string; name: string; color: string; priority: number; matched: boolean; explanation: ExplainNode }[];
  winner: { id: string; name: string; priority: number } | null;
  why: string;
}

/** Evaluates every live segment for one customer now, with explanations and the winner. */
export function membershipFor(db: Sqlite, customerId: string, catalog: Catalog, now: number, currency: string): MembershipExplanation {
  assertSeconds(now);
  const row = db.prepare(`SELECT * FROM customer_facts WHERE customer_id = ?`).get(customerId) as FactsRow | undefined;
  if (!row) throw notFound('The customer');
  const out: MembershipExplanation['segments'] = [];
  for (const s of list(db)) {
    const v = validateRule(s.rule, catalog);
    if (!v.ok) {
      out.push({
        id: s.id, name: s.name, color: s.color, priority: s.priority, matched: false,
        explanation: { path: 'rule', kind: 'group', matched: false, description: `Rule is no longer valid: ${v.errors[0]!.message}` },
      });
      continue;
    }
    const { matched, tree } = evaluateRule(v.rule, row, catalog, now, { currency });
    out.push({ id: s.id, name: s.name, color: s.color, priority: s.priority, matched, explanation: tree });
  }
  const matched = out.filter((s) => s.matched);
  const w = matched[0];
  let why: string;
  if (!w) why = `Matches no segment, so the Default strategy applies.`;
  else {
    why = `Wins "${w.name}" because it is the matching segment with the highest priority (#${w.priority})`;
    const others = matched.slice(1);
    why += others.length
      ? `; it also matches ${others.map((o) => `"${o.name}" (#${o.priority})`).join(', ')}, which rank lower.`
      : '; no other segment matches.';
  }
  return { customer_id: customerId, segments: out, winner: w ? { id: w.id, name: w.name, priority: w.priority } : null, why };
}

/** Copies the current winners into membership_snapshots; returns the snapshot id. */
export function snapshotMembership(db: Sqlite, reason: string, now: number): string {
  assertSeconds(now);
  const id = `snap_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  db.prepare(
    `INSERT INTO membership_snapshots (snapshot_id, taken_at_ms, reason, customer_id, segment_id)
     SELECT ?, ?, ?, customer_id, segment_id FROM segment_winner`,
  ).run(id, now * 1000, reason);
  return id;
}

export interface SegmentStats {
  id: string;
  name: string;
  color: string;
  priority: number;
  members: number;
  mrr: number;
  openInvoices: number;
  amountAtRisk: number;
  wins: number;
}

export interface StatsResult {
  segments: SegmentStats[];
  /** overlap[i][j] = customers in both segments[i] and segments[j] (diagonal = members). */
  overlap: number[][];
  defaultWins: number;
  total: number;
}

/**
 * Per-segment figures from the stored membership (as of the last recompute),
 * wins in the current priority order, and the overlap matrix: one grouped pass
 * over the bitmasks, cached until membership changes.
 */
export function stats(db: Sqlite): StatsResult {
  const segs = list(db);
  const st = membershipStats(db);
  const byId = new Map(st.segments.map((s, i) => [s.id, i]));
  const idx = segs.map((s) => byId.get(s.id));
  return {
    segments: segs.map((s, k) => {
      const a = idx[k] === undefined ? undefined : st.segments[idx[k]];
      return {
        id: s.id, name: s.name, color: s.color, priority: s.priority,
        members: a?.members ?? 0, mrr: a?.mrr ?? 0, openInvoices: a?.openInvoices ?? 0, amountAtRisk: a?.amountAtRisk ?? 0,
        wins: a?.wins ?? 0,
      };
    }),
    overlap: idx.map((i) => idx.map((j) => (i === undefined || j === undefined ? 0 : st.overlap[i]![j]!))),
    defaultWins: st.defaultWins,
    // Every customer has a membership row unless facts changed since the last recompute.
    total: db.prepare(`SELECT 1 FROM membership_dirty LIMIT 1`).get()
      ? (db.prepare(`SELECT count(*) FROM customer_facts`).pluck().get() as number)
      : st.total,
  };
}

// ---------- import / export ----------

const exportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  segments: z
    .array(
      z.object({
        name: z.string(),
        description: z.string().optional(),
        color: z.string().optional(),
        rule: z.unknown(),
      }),
    )
    .max(500),
});

/** Live segments in priority order as JSON text (ids left out). */
export function exportSegments(db: Sqlite): string {
  return JSON.stringify(
    {
      format: EXPORT_FORMAT,
      version: 1,
      segments: list(db).map((s) => ({ name: s.name, description: s.description, color: s.color, rule: s.rule })),
    },
    null,
    2,
  );
}

/**
 * Imports segments (all or nothing): every rule is validated against the
 * catalog, ids are new, names that clash get " (2)"…, and the imported
 * segments are appended after the existing ones in the file's order.
 */
export function importSegments(db: Sqlite, json: string | unknown, now: number, catalog: Catalog = catalogFor(db)): SegmentRecord[] {
  assertSeconds(now);
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch {
      throw badRequest('The file is not JSON');
    }
  }
  const parsed = exportSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw badRequest(`This is not a Reclaim segments file (${issuesMessage(parsed.error.issues, data, 1)})`, issues);
  }
  const issues: { path: string; message: string }[] = [];
  const words: string[] = [];
  const inputs = parsed.data.segments.map((s, i) => {
    const p = inputSchema.safeParse(s);
    if (!p.success) {
      for (const e of p.error.issues) issues.push({ path: `segments[${i}].${e.path.join('.')}`, message: e.message });
      words.push(issuesMessage(p.error.issues.map((e) => ({ ...e, path: ['segments', i, ...e.path] })), data, 1));
      return null;
    }
    const v = validateRule(p.data.rule, catalog);
    if (!v.ok) {
      issues.push(...ruleIssues(v.errors, `segments[${i}].rule`));
      words.push(`Segment ${p.data.name}: ${v.errors[0]!.message}`);
    }
    return p.data;
  });
  if (issues.length) throw badRequest(`The file has invalid segments: ${words[0] ?? issues[0]!.message}`, issues);
  return db.transaction(() => {
    const taken = new Set<string>();
    return inputs.map((s) => {
      const name = uniqueName(db, s!.name, taken);
      taken.add(name.toLowerCase());
      return insertSegment(db, { ...s!, name }, now);
    });
  })();
}

