import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sqlite } from '../../main/core/db/sqlite';
import { catalogFor } from '../../main/core/facts/catalog';
import { countMatching } from '../../main/core/segments/compile';
import * as segments from '../../main/core/segments/service';
import { ruleWarnings } from '../../main/core/segments/warnings';
import type { StripeSim } from '../../main/stripe-sim';
import { tempDir } from '../helpers/core';
import { syncedFactsDb } from '../helpers/synced-db';

/**
 * #17 item 17: the Stripe customer's address country and state, preferred locales and
 * tax exemption are facts a rule can use; a value no customer has is a warning.
 */
let sim: StripeSim;
let db: Sqlite;
const rule = (field: string, operator: string, value: unknown) => ({ combinator: 'and', rules: [{ field, operator, value }] });

beforeAll(async () => {
  ({ sim, db } = await syncedFactsDb({ seed: 21, customers: 150 }));
});
afterAll(async () => {
  db?.close();
  await sim?.close();
});

describe("the Stripe customer's place, language and tax status as facts", () => {
  it('are read from the synced customer', () => {
    const customers = sim.snapshot().customers;
    expect(customers.some((c) => c.address === null)).toBe(true);
    for (const c of customers) {
      const f = db.prepare('SELECT country, state, preferred_locales, tax_exempt FROM customer_facts WHERE customer_id = ?').get(c.id) as Record<string, unknown>;
      const a = c.address as { country: string; state: string | null } | null;
      expect(f, c.id).toEqual({ country: a?.country ?? null, state: a?.state ?? null, preferred_locales: JSON.stringify(c.preferred_locales), tax_exempt: c.tax_exempt });
    }
  });

  it('appear in the catalog (reclaim fields, the rule builder) with the values found in the data', () => {
    const catalog = catalogFor(db);
    const by = (n: string) => catalog.find((f) => f.name === n)!;
    expect(by('country')).toMatchObject({ type: 'enum', openValues: true });
    expect(by('country').values).toEqual(expect.arrayContaining(['DE', 'GB', 'US']));
    expect(by('state').values).toEqual(expect.arrayContaining(['CA', 'NY']));
    expect(by('preferred_locales')).toMatchObject({ type: 'tags' });
    expect(by('preferred_locales').values).toEqual(expect.arrayContaining(['de-DE', 'en-US']));
    expect(by('tax_exempt').values).toEqual(['none', 'exempt', 'reverse']);
  });

  it('select customers in rules, case-insensitively, and explain membership', () => {
    const catalog = catalogFor(db);
    const customers = sim.snapshot().customers;
    const inGermany = customers.filter((c) => (c.address as { country: string } | null)?.country === 'DE').length;
    expect(inGermany).toBeGreaterThan(0);
    expect(countMatching(db, rule('country', '=', 'de'), catalog, sim.now()).count).toBe(inGermany);
    const french = customers.filter((c) => (c.preferred_locales as string[]).includes('fr-FR') || (c.preferred_locales as string[]).includes('fr-CA')).length;
    expect(countMatching(db, rule('preferred_locales', 'hasAny', ['fr-FR', 'fr-CA']), catalog, sim.now()).count).toBe(french);
    const exempt = customers.filter((c) => c.tax_exempt !== 'none').length;
    expect(countMatching(db, rule('tax_exempt', 'in', ['exempt', 'reverse']), catalog, sim.now()).count).toBe(exempt);

    segments.create(db, { name: 'Germany', description: '', color: '#4c6ef5', rule: rule('country', '=', 'DE') }, sim.now());
    segments.recomputeMembership(db, catalog, sim.now());
    const german = customers.find((c) => (c.address as { country: string } | null)?.country === 'DE')!;
    const m = segments.membershipFor(db, german.id, catalog, sim.now(), 'usd');
    const seg = m.segments.find((s) => s.name === 'Germany')!;
    expect(seg.matched).toBe(true);
    expect((seg.explanation.children as { description: string }[])[0]!.description).toBe('Country "DE" = "DE" ✓');
  });

  it('an enum or list value no customer has is a warning, not a silent 0', () => {
    const catalog = catalogFor(db);
    expect(countMatching(db, rule('country', '=', 'XX'), catalog, sim.now()).count).toBe(0);
    const [w, ...more] = ruleWarnings(db, rule('country', 'in', ['de', 'XX']), catalog);
    expect(more).toEqual([]);
    expect(w).toMatch(/^No customer has Country "XX": this condition matches nobody \(values in this workspace: .*DE.*\)\.$/);
    expect(ruleWarnings(db, rule('preferred_locales', 'hasAny', ['tlh']), catalog)).toHaveLength(1);
    expect(ruleWarnings(db, rule('currency', '=', 'kwd'), catalog)).toEqual(['No customer has Billing currency "kwd": this condition matches nobody.']);
    // Values someone has, in any case, and other fields: no warning.
    expect(ruleWarnings(db, rule('country', '=', 'us'), catalog)).toEqual([]);
    expect(ruleWarnings(db, rule('mrr', '>', 0), catalog)).toEqual([]);
  });
});

describe('through the CLI: reclaim fields, evaluate, segments create and the CSV export', () => {
  const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
  let dir: string;
  const reclaim = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...(input ? { input } : {}) });
  beforeAll(() => {
    dir = tempDir();
    const r = reclaim(['demo', '--customers', '60', '--seed', '4']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('lists the new facts, names them in the CSV header, and warns about a country no customer has', () => {
    const fields = (JSON.parse(reclaim(['--json', 'fields']).stdout) as { name: string }[]).map((f) => f.name);
    expect(fields).toEqual(expect.arrayContaining(['country', 'state', 'preferred_locales', 'tax_exempt', 'currency']));
    const header = reclaim(['customers', '--all', '--format', 'csv']).stdout.split('\n')[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['country', 'state', 'preferred_locales', 'tax_exempt', 'currency']));

    const xx = JSON.stringify(rule('country', '=', 'XX'));
    const evaluated = reclaim(['evaluate', '--rule', '-'], xx);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/^0 customers/);
    expect(evaluated.stderr).toMatch(/^reclaim: warning: No customer has Country "XX": this condition matches nobody/);
    const json = JSON.parse(reclaim(['--json', 'evaluate', '--rule', '-'], xx).stdout) as { count: number; warnings: string[] };
    expect(json.warnings).toHaveLength(1);

    const created = reclaim(['segments', 'create', 'Nowhere', '--rule', '-'], xx);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/reclaim: warning: No customer has Country "XX"/);
    const fine = reclaim(['evaluate', '--rule', '-'], JSON.stringify(rule('country', '=', 'us')));
    expect(fine.stderr).toBe('');
    expect(fine.stdout).not.toMatch(/^0 customers/);
  });
});
