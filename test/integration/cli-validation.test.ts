import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runReclaim } from '../helpers/cli';
import { tempDir } from '../helpers/core';

// #21 "no message names an internal id or a schema path": every CLI command
// that takes a file or JSON (or a setting) is fed bad input through the real
// `reclaim` on a temporary demo workspace; each answer is one line a recovery
// specialist can act on, with exit code 2.

vi.setConfig({ testTimeout: 600_000 });

let dir: string;
const file = (name: string, content: unknown) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

const goodRule = { combinator: 'and', rules: [{ field: 'mrr', operator: '>=', value: 1000 }] };
const emailStep = (over: Record<string, unknown> = {}) => ({
  id: 'notice',
  channel: 'email',
  config: { tone: 'warm', template: { subject: 'Your payment failed', text: 'Hello {{ customer.name }}' } },
  ...over,
});

/** What gives a schema path, a zod default sentence, an internal id or a stack away. */
const INTERNALS: [RegExp, string][] = [
  [/\b[a-zA-Z]+\.\d+\b/, 'a schema path like steps.0'],
  [/\[\d+\]/, 'an index path like rules[0]'],
  [/\b[a-z]+[A-Z][a-zA-Z]*\b/, 'a camelCase field name'],
  [/Invalid (input|option|discriminator)|Too (small|big)|expected \w+ to|received undefined|Expected '/, 'zod’s own English'],
  [/\b(ws|seg|run|exp|tsk|act|msg)_[a-z0-9]{6,}/i, 'an internal id'],
  [/\bam_task\b|\bwhite_glove\b/, 'a raw option value'],
  [/^\s+at |\w+Error\b/m, 'a stack trace'],
];

describe('reclaim: bad input gets one line of words, exit 2', () => {
  beforeAll(async () => {
    dir = tempDir();
    const r = await runReclaim(dir, ['demo', '--customers', '120', '--seed', '21']);
    expect(r.code, r.err).toBe(0);
  }, 300_000);

  const cases: { name: string; args: () => string[]; stdin?: string; says: RegExp }[] = [
    {
      name: 'strategies set: a step with an unknown channel',
      args: () => ['strategies', 'set', 'Starter', '--file', file('fax.json', { name: 'Fax', steps: [{ id: 'a', channel: 'fax' }] })],
      says: /^The strategy was not saved: Step 1: channel must be one of email, Stripe retry, offer, voice call, account-manager task, webhook \(not “fax”\)$/,
    },
    {
      name: 'strategies set: an email step without its settings',
      args: () => ['strategies', 'set', 'Starter', '--file', file('noconfig.json', { name: 'X', steps: [{ id: 'a', channel: 'email' }] })],
      says: /^The strategy was not saved: Step 1, email: settings \(“config”\) is missing$/,
    },
    {
      name: 'strategies set: several problems in one step',
      args: () => [
        'strategies', 'set', 'default', '--file',
        file('many.json', { name: 'X', steps: [emailStep({ delay: { days: -1 }, config: { tone: 'nice', template: { subject: '', text: 'x' } } })] }),
      ],
      says: /^The strategy was not saved: Step 1, email: delay days must be at least 0, tone must be one of white-glove, warm, concise, supportive, firm \(not “nice”\), subject is required/,
    },
    {
      name: 'strategies set from standard input: no name, steps not a list',
      args: () => ['strategies', 'set', 'Starter', '--file', '-'],
      stdin: '{"steps":"none"}',
      says: /^The strategy was not saved: Name is missing; Steps must be a list/,
    },
    {
      name: 'strategies set: a second step with a condition out of range',
      args: () => [
        'strategies', 'set', 'Starter', '--file',
        file('cond.json', { name: 'X', steps: [emailStep(), { id: 'call', channel: 'am_task', conditions: { declineType: 'maybe', minFailures12m: -2 } }] }),
      ],
      says: /^The strategy was not saved: Step 2, account-manager task: decline type must be one of any, soft, hard \(not “maybe”\), failures in 12 months ≥ must be at least 0$/,
    },
    {
      name: 'segments create: a rule with an unknown field',
      args: () => ['segments', 'create', 'Whales', '--rule', file('nofield.json', { combinator: 'and', rules: [{ field: 'nope', operator: '=', value: 1 }] })],
      says: /^The rule was not saved: condition 1 \("nope"\): no such field/,
    },
    {
      name: 'segments create: an empty name',
      args: () => ['segments', 'create', '', '--rule', file('good.json', goodRule)],
      says: /^The segment was not saved: Name is required$/,
    },
    {
      name: 'segments create: a colour that is not a hex value',
      args: () => ['segments', 'create', 'Blue', '--rule', file('good.json', goodRule), '--color', 'blue'],
      says: /^The segment was not saved: Colour is a hex value such as #4c6ef5$/,
    },
    {
      name: 'segments update: a condition inside a group with an operator its field does not take',
      args: () => [
        'segments', 'update', 'Starter', '--rule',
        file('group.json', { combinator: 'and', rules: [goodRule, { combinator: 'or', rules: [{ field: 'mrr', operator: 'contains', value: 'x' }] }] }),
      ],
      says: /^The rule was not saved: group 2, condition 1 \(MRR\): "contains" does not apply to an amount$/,
    },
    {
      name: 'segments import: a segment without a name',
      args: () => ['segments', 'import', file('import.json', { format: 'reclaim.segments', version: 1, segments: [{ name: 'Fine', rule: goodRule }, { name: '', rule: goodRule }] })],
      says: /^The file has invalid segments: Segment 2: Name is required$/,
    },
    {
      name: 'segments import: not a segments file',
      args: () => ['segments', 'import', file('list.json', [{ name: 'A' }])],
      says: /^This is not a Reclaim segments file \(The input must be a set of fields/,
    },
    {
      name: 'evaluate: a bad rule',
      args: () => ['evaluate', '--rule', file('nofield.json', { combinator: 'and', rules: [{ field: 'nope', operator: '=', value: 1 }] })],
      says: /^The rule is not valid: condition 1 \("nope"\): no such field/,
    },
    {
      name: 'experiment create: an arm strategy file with an unknown channel',
      args: () => ['experiment', 'create', '--segment', 'Starter', '--name', 'Fax test', '--arms', 'control:50,b:50', '--arm-strategy', `b=${path.join(dir, 'fax.json')}`],
      says: /^Arm b's strategy is not valid: Step 1: channel must be one of email, Stripe retry, offer, voice call, account-manager task, webhook \(not “fax”\)$/,
    },
    {
      name: 'experiment create: an empty name',
      args: () => ['experiment', 'create', '--segment', 'Starter', '--name', ' ', '--arms', 'control:50,b:50'],
      says: /^The experiment was not started: Name cannot be empty$/,
    },
    {
      name: 'experiment holdout: out of range',
      args: () => ['experiment', 'holdout', '70'],
      says: /^holdout percent must be a number from 0 to 50/,
    },
    {
      name: 'smtp set: a port and a rate out of range',
      args: () => ['smtp', 'set', '--host', 'mail.example.com', '--port', '99999', '--from', 'billing@example.com', '--rate', '0'],
      says: /^The email settings were not saved: Port must be at most 65535; Emails per minute must be at least 1$/,
    },
    {
      name: 'mrr --finite-coupons: not on or off',
      args: () => ['mrr', '--finite-coupons', 'maybe'],
      says: /^--finite-coupons must be on or off$/,
    },
    {
      name: 'customers --limit: too many rows',
      args: () => ['customers', '--limit', '5000'],
      says: /^--limit is 1 to 500 rows a page: use --offset N for the next page, or --all/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const r = await runReclaim(dir, c.args(), c.stdin ?? '');
      expect(r.code, r.err).toBe(2);
      expect(r.out).toBe('');
      const lines = r.err.trimEnd().split('\n');
      expect(lines, r.err).toHaveLength(1);
      const message = lines[0]!.replace(/^reclaim: /, '');
      expect(message).toMatch(c.says);
      for (const [pattern, what] of INTERNALS) expect(pattern.test(message), `${what} in: ${message}`).toBe(false);
    });
  }
});
