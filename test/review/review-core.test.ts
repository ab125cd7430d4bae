import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, methods, type Method } from '../../shared/contract';
import { PerformanceReport } from '../../shared/performance';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { silentLogger } from '../../main/core/ports';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { performanceReport } from '../../main/core/performance/report';
import type { StripeSim } from '../../main/stripe-sim';
import { tempDir, testCore } from '../helpers/core';
import { syncedFactsDb } from '../helpers/synced-db';
import { htmlReport, sampleReport } from './report-fixture';

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function call(core: Core, method: string, input: unknown) {
  return dispatch(core, method, input, silentLogger);
}

/** A user-facing refusal: one line, no stack, no internal id, no schema path. */
function expectOneLine(message: string, ...mustMention: string[]) {
  expect(message).not.toMatch(/\n|\s at |review_[0-9a-f]|ws_[0-9a-f]|\b(totals|filters|workspace)\.[a-z]/);
  for (const m of mustMention) expect(message).toContain(m);
}

describe('offline review of a workspace database copy', () => {
  let sim: StripeSim;
  let copy: string;
  let dir: string;
  let core: Core;

  beforeAll(async () => {
    const synced = await syncedFactsDb({ seed: 19, customers: 40 });
    sim = synced.sim;
    synced.db.prepare(`INSERT INTO meta (key, value) VALUES ('currency', 'usd')`).run();
    const file = synced.db.name;
    synced.db.close();
    dir = tempDir('reclaim-review-');
    copy = path.join(dir, 'acme-copy.sqlite');
    fs.copyFileSync(file, copy);
    core = testCore();
  }, 120_000);

  afterAll(async () => {
    await core.close();
    await sim.close();
  });

  it('opens the copy read-only, and its file bytes are unchanged after the session', async () => {
    const before = sha256(copy);
    const opened = await call(core, 'review.open', { path: copy });
    expect(opened).toMatchObject({ ok: true, value: { source: 'database', fileName: 'acme-copy.sqlite', workspaceName: 'acme-copy', mode: 'test', simulated: false } });
    const id = opened.ok ? (opened.value as { id: string }).id : '';
    expect((await call(core, 'review.list', {})).ok && (await call(core, 'review.list', {}))).toMatchObject({ value: [{ id }] });
    // Whatever is tried against the review (reads, syncs, plans, runs, sends), the file is not written.
    await call(core, 'review.report', { reviewId: id, windowDays: 60 });
    await call(core, 'sync.start', { workspaceId: id });
    await call(core, 'runs.plan', { workspaceId: id });
    expect(await call(core, 'review.close', { reviewId: id })).toMatchObject({ ok: true, value: { closed: true } });
    expect(sha256(copy)).toBe(before);
    expect((await call(core, 'review.list', {})).ok).toBe(true);
    expect(await call(core, 'review.list', {})).toMatchObject({ value: [] });
  });

  it('recomputes the report from the copy with the filters given, as performance.report does on the workspace', async () => {
    const before = sha256(copy);
    const opened = await call(core, 'review.open', { path: copy });
    const id = opened.ok ? (opened.value as { id: string }).id : '';
    const filters = { windowDays: 60, from: '2000-01-01', to: new Date().toISOString().slice(0, 10) };
    const got = await call(core, 'review.report', { reviewId: id, ...filters });
    if (!got.ok) throw new Error(got.error.message);
    const report = got.value as PerformanceReport;
    expect(report.filters).toMatchObject(filters);
    expect(report.workspace).toMatchObject({ name: 'acme-copy', currency: 'usd', mode: 'test' });
    // The same figures as the report computed on the original (read-only) file.
    const original = new Database(copy, { readonly: true });
    const direct = performanceReport(original, { id, name: 'acme-copy', kind: 'stripe', mode: 'test', currency: 'usd' }, filters, report.generatedAtMs);
    original.close();
    expect(report.totals.invoices).toBeGreaterThan(0);
    expect({ ...report, generatedAtMs: 0 }).toEqual({ ...direct, generatedAtMs: 0 });
    // Narrower filters change the answer: the copy is recomputed, not a stored report.
    const narrow = await call(core, 'review.report', { reviewId: id, ...filters, windowDays: 1 });
    if (!narrow.ok) throw new Error(narrow.error.message);
    expect((narrow.value as PerformanceReport).filters.windowDays).toBe(1);
    await call(core, 'review.close', { reviewId: id });
    expect(sha256(copy)).toBe(before);
  });

  it('refuses a review id in every request but review.*, in one sentence naming the file', async () => {
    const before = sha256(copy);
    const opened = await call(core, 'review.open', { path: copy });
    const id = opened.ok ? (opened.value as { id: string }).id : '';
    expect(id).not.toBe('');
    let checked = 0;
    for (const m of methods as Method[]) {
      if (m.startsWith('review.')) continue;
      const shape = (contract[m].input as { shape?: Record<string, unknown> }).shape ?? {};
      for (const key of ['workspaceId', 'id'].filter((k) => k in shape)) {
        const handler = core.handlers[m] as (input: unknown) => Promise<unknown>;
        const err = await handler({ [key]: id }).then(
          () => null,
          (e: unknown) => e as { code?: string; message: string },
        );
        expect(err, m).not.toBeNull();
        expect(err!.code, m).toBe('forbidden');
        expect(err!.message, m).toMatch(/^Review mode is read-only: acme-copy\.sqlite is open for review/);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
    // Through the transport, with inputs that are otherwise valid: the sync, a run and a send are refused.
    for (const [m, input] of [
      ['sync.start', { workspaceId: id }],
      ['runs.plan', { workspaceId: id }],
      ['runs.start', { workspaceId: id, planId: 'plan_1', confirm: true }],
      ['runs.tick', { workspaceId: id }],
      ['queue.sendEmail', { workspaceId: id, taskId: 'task_1' }],
      ['workspaces.remove', { id }],
    ] as const) {
      const r = await call(core, m, input);
      expect(r, m).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      if (!r.ok) expectOneLine(r.error.message, 'read-only');
    }
    // Text that merely looks like a review id is not one: a workspace's search is not refused.
    const ws = await call(core, 'workspaces.create', { name: 'Searchable' });
    const wsId = ws.ok ? (ws.value as { id: string }).id : '';
    expect(await call(core, 'customers.list', { workspaceId: wsId, search: id })).toMatchObject({ ok: true, value: { total: 0 } });
    await call(core, 'review.close', { reviewId: id });
    // A closed review's id is refused all the same.
    expect(await call(core, 'sync.start', { workspaceId: id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(sha256(copy)).toBe(before);
  });

  it('says in words when the copy is from an older or a newer Reclaim, or is not a Reclaim workspace', async () => {
    const latest = workspaceMigrations.length;
    for (const [version, words] of [
      [latest - 1, 'older Reclaim'],
      [latest + 1, 'newer Reclaim'],
    ] as const) {
      const other = path.join(dir, `v${version}.sqlite`);
      fs.copyFileSync(copy, other);
      const w = new Database(other);
      w.pragma(`user_version = ${version}`);
      w.close();
      const r = await call(core, 'review.open', { path: other });
      expect(r, String(version)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      if (!r.ok) expectOneLine(r.error.message, `v${version}.sqlite`, words, `schema ${version}`);
    }
    const foreign = path.join(dir, 'browser-history.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE visits (url TEXT)');
    f.close();
    const r = await call(core, 'review.open', { path: foreign });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'browser-history.sqlite is a database, but not a Reclaim workspace.' } });
    const missing = await call(core, 'review.open', { path: path.join(dir, 'nope.sqlite') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    if (!missing.ok) expectOneLine(missing.error.message, 'no file');
  });
});

describe('offline review of an exported report', () => {
  let core: Core;
  beforeAll(() => {
    core = testCore();
  });
  afterAll(async () => {
    await core.close();
  });

  it('opens a .json report sent as content and returns the stored report with its filters', async () => {
    const report = sampleReport();
    const opened = await call(core, 'review.open', { fileName: 'performance.json', content: JSON.stringify(report) });
    expect(opened).toMatchObject({
      ok: true,
      value: { source: 'report', fileName: 'performance.json', workspaceName: 'Acme </script> EU', mode: 'test', simulated: true, generatedAtMs: report.generatedAtMs },
    });
    const id = opened.ok ? (opened.value as { id: string }).id : '';
    const got = await call(core, 'review.report', { reviewId: id });
    expect(got.ok).toBe(true);
    if (got.ok) expect(PerformanceReport.parse(got.value)).toEqual(report);
  });

  it('opens an .html report by path (the JSON it embeds, `<` escaped) with the same figures', async () => {
    const report = sampleReport();
    const file = path.join(tempDir('reclaim-review-'), 'Acme report.html');
    fs.writeFileSync(file, htmlReport(report));
    const opened = await call(core, 'review.open', { path: file });
    expect(opened).toMatchObject({ ok: true, value: { source: 'report', fileName: 'Acme report.html', workspaceName: 'Acme </script> EU' } });
    const id = opened.ok ? (opened.value as { id: string }).id : '';
    const got = await call(core, 'review.report', { reviewId: id });
    if (!got.ok) throw new Error(got.error.message);
    const back = got.value as typeof report;
    expect(back.bySegment.map((s) => [s.label, s.recovered, s.amountRecovered])).toEqual([
      ['Enterprise', 8, 400_000],
      ['Starter', 14, 30_000],
    ]);
    // Nothing can be executed from it either.
    expect(await call(core, 'runs.plan', { workspaceId: id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a truncated JSON, a JSON that is not a report, a page without a report and other files in one line', async () => {
    const json = JSON.stringify(sampleReport());
    const cases: [Record<string, string>, string][] = [
      [{ fileName: 'performance.json', content: json.slice(0, json.length / 2) }, 'performance.json is not a complete report: its data ends early or is damaged. Export the report again.'],
      [{ fileName: 'package.json', content: '{"name":"reclaim","version":"1.0.0"}' }, 'package.json is not a Reclaim performance report'],
      [{ fileName: 'index.html', content: '<!doctype html><p>Hello</p>' }, 'index.html is a web page without a Reclaim report in it'],
      [{ fileName: 'invoice.pdf', content: '%PDF-1.7' }, 'invoice.pdf is neither'],
      [{ fileName: 'ws.sqlite', content: 'SQLite format 3\u0000…' }, 'ws.sqlite is a workspace database: give its path instead'],
      [{}, 'Choose a report to review'],
    ];
    for (const [input, words] of cases) {
      const r = await call(core, 'review.open', input);
      expect(r, words).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      if (!r.ok) expectOneLine(r.error.message, words);
    }
    // A truncated HTML report (its script element cut off) is refused the same way.
    const cut = htmlReport(sampleReport()).slice(0, 900);
    const r = await call(core, 'review.open', { fileName: 'report.html', content: cut });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    if (!r.ok) expectOneLine(r.error.message, 'report.html');
    expect(await call(core, 'review.list', {})).toMatchObject({ ok: true, value: expect.any(Array) });
  });

  it('answers an unknown review id with not found', async () => {
    expect(await call(core, 'review.report', { reviewId: 'review_0000' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
