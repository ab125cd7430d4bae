import fc from 'fast-check';
import fs from 'node:fs';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { contract } from '../../shared/contract';
import { api, startConsoleChild } from '../helpers/console-child';
import { cloneDataDir, openCore, type Fixture } from './lib/fixture';
import type { Tally } from './lib/tally';
import { cliTrials } from './hostile-cli';
import { ipcTrials } from './hostile-ipc';
import { auditTamperTrials } from './hostile-audit';
import { settingsPatchTrials } from './hostile-settings';
import { webhookTargetTrials } from './hostile-webhook';
import { templateTrials } from './hostile-templates';

const FIELDS = ['mrr', 'ltv', 'failures_12m', 'plan', 'subscription_status', 'last_decline_code', 'tags', 'attrs.harness_score', 'attrs.x"); DROP TABLE segments;--', 'constructor', '__proto__', ''];
const OPS = ['=', '!=', '<', '>', '>=', 'between', 'in', 'notIn', 'contains', 'null', 'notNull', 'hasAny', 'withinLastDays', 'DROP', ''];
const value = fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 30 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }), fc.constant(null), fc.constant("' OR 1=1 --"), fc.constant('=cmd|/C calc'), fc.boolean());
const leaf = fc.record({ field: fc.constantFrom(...FIELDS), operator: fc.constantFrom(...OPS), value }, { requiredKeys: [] });
const { rule: ruleArb } = fc.letrec((tie) => ({
  rule: fc.record({ combinator: fc.constantFrom('and', 'or', 'xor', 'AND'), not: fc.boolean(), rules: fc.array(fc.oneof({ depthSize: 'small' }, leaf, tie('rule')), { maxLength: 6 }) }, { requiredKeys: ['rules'] }),
}));
const hugeRule = fc.integer({ min: 90, max: 1500 }).map((n) => ({ combinator: 'and', rules: Array.from({ length: n }, (_, i) => (i % 2 ? { combinator: 'or', rules: [] } : { field: 'mrr', operator: '>', value: i })) }));
const deepRule = fc.integer({ min: 5, max: 60 }).map((d) => {
  let r: Record<string, unknown> = { combinator: 'and', rules: [] };
  for (let i = 0; i < d; i++) r = { combinator: i % 2 ? 'or' : 'and', not: i % 3 === 0, rules: [r] };
  return r;
});

function csvArb(ids: string[]) {
  const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('=HYPERLINK("http://x")', '+1+1', '-2', '@SUM(A1)', 'n/a', '1e5', '  7 ', '"quoted, comma"', 'true', ''), fc.integer().map(String));
  const header = fc.array(fc.constantFrom('harness_score', 'score', 'Score', '__proto__', 'constructor', 'mrr', 'bad/name', 'a'.repeat(70), 'ok col', 'x'), { minLength: 1, maxLength: 4 });
  return fc
    .record({
      header,
      rows: fc.array(fc.tuple(fc.constantFrom(...ids.slice(0, 20), 'cus_missing', ''), fc.array(cell, { maxLength: 5 })), { maxLength: 12 }),
      bom: fc.boolean(),
      encoding: fc.constantFrom('utf8', 'utf8', 'utf8', 'utf16le', 'latin1'),
      huge: fc.boolean(),
      lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
    })
    .map(({ header, rows, bom, encoding, huge, lineEnd }) => {
      const lines = [['id', ...header].join(','), ...rows.map(([id, cells]) => [id, ...cells.map((c) => (c.includes(',') && !c.startsWith('"') ? `"${c}"` : c))].join(','))];
      if (huge) lines.push(`${ids[0]},${'9'.repeat(200_000)}`);
      const text = (bom ? '\uFEFF' : '') + lines.join(lineEnd);
      return encoding === 'utf8' ? text : Buffer.from(text, encoding as BufferEncoding).toString('utf8');
    });
}

const segmentsJson = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.array(fc.record({ name: fc.string({ maxLength: 90 }), rule: fc.oneof(ruleArb, hugeRule, deepRule), color: fc.string({ maxLength: 10 }) }), { maxLength: 4 }).map((segments) => JSON.stringify({ format: 'reclaim.segments', version: 1, segments })),
);

interface Snapshot {
  segments: string;
  attributes: number;
}

function snapshot(core: Core, ws: string): Snapshot {
  const db = core.registry.openDb(ws);
  return {
    segments: JSON.stringify(db.prepare('SELECT id, name, rule, priority FROM segments ORDER BY id').all()),
    attributes: db.prepare('SELECT count(*) FROM custom_attributes').pluck().get() as number,
  };
}

/**
 * fast-check over rules, segment imports, CSV imports, templates with customer
 * text, and every contract method with invalid payloads over the IPC handler
 * and over the bridge: a clear error (never an internal one), the process up,
 * and data unchanged when refused.
 */
export async function hostileCategory(tally: Tally, fx: Fixture, runs: number): Promise<void> {
  const dir = cloneDataDir(fx.dataDir);
  const core = openCore(dir);
  const ws = fx.workspaceId;
  const call = (m: string, input: unknown) => dispatch(core, m, input, core.ports.logger);
  const clear = (r: Awaited<ReturnType<typeof call>>) =>
    r.ok ? null : r.error.code === 'internal' ? `internal error: ${r.error.message}` : r.error.message.length < 5 || /\n\s+at /.test(r.error.message) ? `unclear: ${r.error.message}` : null;
  try {
    for (const [i, rule] of fc.sample(fc.oneof(ruleArb, hugeRule, deepRule), runs).entries()) {
      await tally.trial(`rule #${i}`, async () => {
        const before = snapshot(core, ws);
        const p = await call('segments.preview', { workspaceId: ws, rule });
        const c = await call('segments.create', { workspaceId: ws, name: `Fuzz ${i}`, rule });
        const problems = [clear(p), clear(c)].filter((x): x is string => x !== null);
        if (!c.ok && snapshot(core, ws).segments !== before.segments) problems.push('refused, yet segments changed');
        if (c.ok) {
          const after = await call('segments.list', { workspaceId: ws });
          if (!after.ok) problems.push(`workspace broken after saving: ${after.error.message}`);
          await call('segments.remove', { workspaceId: ws, id: (c.value as { id: string }).id });
        }
        return problems;
      });
    }
    for (const [i, json] of fc.sample(segmentsJson, runs).entries()) {
      await tally.trial(`segment import #${i}`, async () => {
        const before = snapshot(core, ws);
        const r = await call('segments.import', { workspaceId: ws, json });
        const problems = [clear(r)].filter((x): x is string => x !== null);
        if (!r.ok && snapshot(core, ws).segments !== before.segments) problems.push('refused, yet segments changed');
        const list = await call('segments.list', { workspaceId: ws });
        if (!list.ok) problems.push(`workspace broken after import: ${list.error.message}`);
        return problems;
      });
    }
    for (const [i, csv] of fc.sample(csvArb(fx.customerIds), runs).entries()) {
      await tally.trial(`CSV import #${i}`, async () => {
        const before = snapshot(core, ws);
        const p = await call('attributes.previewCsv', { workspaceId: ws, csv });
        const r = await call('attributes.importCsv', { workspaceId: ws, csv });
        const problems = [clear(p), clear(r)].filter((x): x is string => x !== null);
        if (!r.ok && snapshot(core, ws).attributes !== before.attributes) problems.push('refused, yet attributes changed');
        return problems;
      });
    }
    // The Electron IPC handler (main/electron/ipc-handler.ts), without Electron.
    const fingerprint = () =>
      JSON.stringify([snapshot(core, ws), core.registry.list().map((w) => w.id), core.registry.openDb(ws).prepare('SELECT count(*) FROM recovery_suppressions').pluck().get()]);
    await ipcTrials(tally, core, ws, runs, fingerprint);
    await settingsPatchTrials(tally, call, ws, runs);
    await auditTamperTrials(tally, runs);
    await webhookTargetTrials(tally, call, ws, runs);
  } finally {
    await core.close();
  }

  await templateTrials(tally, runs);
  // The reclaim CLI in pipelines and its exports (issue #18 items 2, 3, 5, 9).
  await cliTrials(tally, fx, runs);

  // Every contract method with invalid payloads, over the bridge of a real console process.
  const consoleChild = await startConsoleChild(dir);
  try {
    const methods = Object.keys(contract).filter((m) => !['demo.create', 'workspaces.connect', 'sync.start'].includes(m));
    const junk = fc.oneof(
      fc.constantFrom('{', 'null', '[]', '"x"', '{"workspaceId": null}', `{"workspaceId": "${ws}", "rule": {"combinator": "and", "rules": [[[[]]]]}}`),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.record({ workspaceId: fc.constantFrom(ws, 'ws_ffff', '../x', ''), id: fc.string(), rule: fc.jsonValue({ maxDepth: 3 }), csv: fc.string(), json: fc.string(), ids: fc.array(fc.string()), limit: fc.oneof(fc.integer(), fc.string()) }).map((v) => JSON.stringify(v)),
    );
    const samples = fc.sample(fc.tuple(fc.constantFrom(...methods), junk), runs * 2);
    for (const [i, [method, body]] of samples.entries()) {
      await tally.trial(`bridge ${method} #${i}`, async () => {
        const r = await api(consoleChild, method, body);
        if (consoleChild.exited()) return 'the console process exited';
        if (r.status === 500 || r.status <= 0) return `HTTP ${r.status}: ${r.body?.error?.message ?? ''}`;
        if (r.body && !r.body.ok && !r.body.error?.message) return 'error without a message';
        return null;
      });
    }
  } finally {
    await consoleChild.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  tally.note(`templates: ${runs} customers with hostile text through preview (every ${Math.max(1, Math.round(runs / 10))}th also test-sent to a real SMTP server), ${runs} hostile operator templates through preview, test send and strategy save; IPC: ${runs * 2} invalid requests and ${runs} from foreign frames through main/electron/ipc-handler.ts; settings: sequences of partial updates to the webhook, AM, voice, SMTP and operator settings, each leaving every field it does not name as it was; audit log: ${runs} random tamperings (REPLACE, UPDATE of any column, DELETE, forged entry; triggers kept or dropped) — refused, or named at the exact entry by the chain check; webhook targets: ${runs} link-local/metadata URLs in every spelling (dotted, decimal, hex, IPv4-mapped, IPv6) refused, ${Math.max(3, Math.round(runs / 2))} private-range URLs accepted with a warning`);
}
