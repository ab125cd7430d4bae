import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Plan, RunSummary, Strategy } from '../../shared/contract';
import { tempDir } from '../helpers/core';

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
let dir: string;

function reclaim(args: string[], input = '') {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], { encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function json<T>(args: string[], input = ''): T {
  const r = reclaim(['--json', ...args], input);
  if (r.code !== 0) throw new Error(`reclaim ${args.join(' ')} failed: ${r.err}`);
  return JSON.parse(r.out) as T;
}

// Each CLI call is a fresh process (≈1–5 s on a busy machine).
vi.setConfig({ testTimeout: 300_000 });

describe('reclaim CLI: strategies, plan, run, outbox, audit on the demo', () => {
  beforeAll(() => {
    dir = tempDir();
    const r = reclaim(['demo', '--customers', '200', '--seed', '9', '--no-history']);
    expect(r.code, r.err).toBe(0);
  }, 240_000);

  it('lists strategies and round-trips one through a file', () => {
    const list = json<(Strategy & { priority: number | null })[]>(['strategies', 'list']);
    expect(list.map((s) => s.segmentName)).toEqual(['Enterprise', 'At-Risk', 'New Customer', 'Loyal Customer', 'Growth', 'Starter', 'Default']);
    const def = json<Strategy>(['strategies', 'show', 'default']);
    const file = path.join(dir, 'default.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'Short default', steps: def.steps.slice(0, 2) }));
    const saved = json<Strategy>(['strategies', 'set', 'default', '--file', file]);
    expect(saved).toMatchObject({ name: 'Short default', customized: true });
    expect(saved.steps).toHaveLength(2);
    const bad = reclaim(['strategies', 'set', 'Starter', '--file', '-'], '{"name":"x","steps":[{"id":"a","channel":"fax"}]}');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('reclaim: The strategy was not saved: Step 1: channel must be one of email, Stripe retry, offer, voice call, account-manager task, webhook (not “fax”)\n');
  });

  it('plans without sending, exports CSV, and refuses to start without --yes when not interactive', () => {
    const out = path.join(dir, 'plan.csv');
    const plan = json<Plan>(['run', 'plan', '--segment', 'Enterprise', '--segment', 'At-Risk', '--out', out]);
    expect(plan.rows.length).toBeGreaterThan(0);
    for (const r of plan.rows) expect(['Enterprise', 'At-Risk']).toContain(r.segmentName);
    expect(fs.readFileSync(out, 'utf8').split('\r\n')[0]).toMatch(/^invoice,/);
    const human = reclaim(['run', 'plan']);
    expect(human.out).toMatch(/Smart Retries/);
    expect(human.out).toMatch(/captured in Reclaim/);
    const refused = reclaim(['run', 'start']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--yes/);
    expect(json<{ total: number }>(['outbox']).total).toBe(0);
  });

  it('runs, captures the demo’s emails, and reports status, tick and audit', () => {
    const run = json<RunSummary>(['run', 'start', '--yes']);
    expect(run.id).toMatch(/^run_/);
    expect(run.counts.succeeded).toBeGreaterThan(0);
    expect(run.counts.in_flight).toBe(0);
    const outbox = json<{ total: number; rows: { id: string; to: string; transport: string }[] }>(['outbox', '--limit', '1000']);
    expect(outbox.total).toBeGreaterThan(0);
    expect(outbox.rows.every((m) => m.transport === 'capture')).toBe(true);
    const one = json<{ text: string; to: string }>(['outbox', 'show', outbox.rows[0]!.id]);
    expect(one.text.length).toBeGreaterThan(20);
    const status = json<RunSummary>(['run', 'status', run.id]);
    expect(status.id).toBe(run.id);
    const tick = json<{ fired: number }>(['run', 'tick']);
    expect(tick.fired).toBe(0);
    expect(reclaim(['run', 'status', run.id]).out).toMatch(new RegExp(`Run ${run.id} — running`));
    const paused = json<RunSummary>(['run', 'pause', run.id]);
    expect(paused.status).toBe('paused');
    const canceled = json<RunSummary>(['run', 'cancel', run.id]);
    expect(canceled.status).toBe('canceled');
    expect(canceled.counts.scheduled).toBe(0);
    const audit = json<{ rows: { kind: string }[] }>(['audit', '--since', '2000-01-01', '--limit', '1000']);
    const kinds = new Set(audit.rows.map((r) => r.kind));
    for (const k of ['run.planned', 'run.confirmed', 'action.succeeded', 'run.paused', 'run.canceled']) expect(kinds).toContain(k);
    expect(reclaim(['audit', '--since', 'yesterday-ish']).code).toBe(2);
  });

  it('after the cancel, a new plan skips what the run did ("already sent"), unless --repeat-done (#17.10)', () => {
    const plan = json<Plan>(['run', 'plan']);
    const reasons = plan.rows.flatMap((r) => r.steps.map((s) => s.skipReason ?? ''));
    expect(reasons.some((r) => /^already sent (just now|\d+ min ago) \(run_/.test(r))).toBe(true);
    expect(reclaim(['run', 'plan']).out).toMatch(/\d+ × already sent/);
    const again = json<Plan>(['run', 'plan', '--repeat-done']);
    expect(again.filters.repeatDone).toBe(true);
    expect(again.rows.flatMap((r) => r.steps.map((s) => s.skipReason ?? '')).filter((r) => r.startsWith('already '))).toEqual([]);
    const refused = reclaim(['run', 'start', '--plan', plan.planId, '--repeat-done', '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^reclaim: --repeat-done is part of the plan/);
  });

  it('stores the SMTP password from stdin and never prints it', () => {
    const secret = `pw-${Math.random().toString(36).slice(2)}`;
    const r = json<{ passwordSet: boolean; host: string }>(['smtp', 'set', '--host', 'smtp.example.test', '--port', '2525', '--tls', 'none', '--user', 'u', '--pass', '-', '--from', 'billing@example.test'], `${secret}\n`);
    expect(r).toMatchObject({ passwordSet: true, host: 'smtp.example.test' });
    expect(reclaim(['smtp', 'show']).out).not.toContain(secret);
    expect(reclaim(['smtp', 'set', '--host', 'h', '--port', '25', '--pass', secret, '--from', 'a@b.test']).code).toBe(2);
    for (const f of fs.readdirSync(path.join(dir, 'workspaces'))) expect(fs.readFileSync(path.join(dir, 'workspaces', f)).includes(secret)).toBe(false);
  });
});
