import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../../main/core/api';
import { dispatch } from '../../main/core/dispatch';
import { NOW, seedWorkspace } from '../recovery/fixture';
import { coreAt, mutableClock, startSmtp } from '../recovery/helpers';
import { tempDir } from './lib/fixture';
import type { Tally } from './lib/tally';

const CANARY = `reclaim-canary-${process.pid}-${Date.now()}`;

/** Customer text an attacker controls (their Stripe name, email, metadata; a CSV attribute). */
const HOSTILE_TEXT = [
  '{{ pay_url }}', '{{ name }}{{ name }}', '{% include "/etc/passwd" %}', "{% render 'x' %}", '{% layout "/etc/hosts" %}',
  "{% for i in (1..100000000) %}{{ i }}{% endfor %}", "{% assign s = 'x' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}",
  "{{ 'x' | append: name | nosuchfilter }}", '{%', '{{', '}}%}', '{% raw %}', '{% comment %}',
  '<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '"><svg onload=alert(3)>', "'; DROP TABLE customers; --", '&amp;&lt;',
  'Mallory\r\nBcc: evil@x.test', 'x\r\n\r\n<html>injected body', 'Eve\nCc: evil@x.test', '=?utf-8?B?QmNjOiBldmlsQHgudGVzdA==?=', 'a,b@evil.test, "c" <d@evil.test>',
  '\u202Eevil\u202C', '\u0000NUL\u0000', '\uFEFF', 'مرحبا بالعالم', '😀👨‍👩‍👧', 'Ω≈ç√∫', '\u0007\u001b[31m', ' ', '',
];
const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...HOSTILE_TEXT), { minLength: 2, maxLength: 5 }).map((a) => a.join(' ')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('{{ name }}', '<b>', '\r\nBcc: evil@x.test', 'é'), fc.integer({ min: 1_000, max: 60_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))) },
);
const email = fc.oneof(
  fc.constantFrom('ok@customer.test', 'victim,evil@x.test', 'victim;evil@x.test', 'victim@customer.test\r\nBcc: evil@x.test', 'a@b.test, evil@x.test', '"{{ name }}"@customer.test', '<script>@x.test', 'a@b.test\u0000', 'a@b.test>\r\nCc: evil@x.test'),
  fc.emailAddress(),
  text,
);
const customer = fc.record({
  name: fc.option(text, { nil: null }),
  email: fc.option(email, { nil: null }),
  accountManager: fc.option(fc.oneof(text, fc.constantFrom('alice.wong@reclaim-demo.test', 'am@x.test\r\nBcc: evil@x.test')), { nil: undefined }),
  plan: text,
  metadata: fc.dictionary(text, text, { maxKeys: 3 }),
  attr: text,
});

/** A template that prints every customer-derived variable once. */
const PROBE = {
  subject: 'Hi {{ name }} ({{ first_name }})',
  text: 'N:{{ name }}|F:{{ first_name }}|E:{{ email }}|P:{{ plan }}|A:{{ account_manager }}|M:{{ account_manager_email }}|S:{{ sender_name }}|B:{{ business }}',
  html: '<p>{{ name }}</p><p>{{ first_name }}</p><p>{{ email }}</p><p>{{ plan }}</p><p>{{ account_manager }}</p><p>{{ sender_name }}</p><p>{{ business }}</p>',
};
const expectedText = (v: Record<string, string>) => `N:${v.name}|F:${v.first_name}|E:${v.email}|P:${v.plan}|A:${v.account_manager}|M:${v.account_manager_email}|S:${v.sender_name}|B:${v.business}`;

/** Operator-written template fragments, many hostile. */
function operatorFragments(canaryFile: string) {
  return [
    '{{ name }}', '{{ amount }}', 'Hello', '\n', '<b>{{ pay_url }}</b>',
    '{{ nme }}', '{{ process.env.HOME }}', '{{ constructor.constructor }}', '{{ name.__proto__ }}', '{{ this }}',
    `{% include "${canaryFile}" %}`, `{% render "${canaryFile}" %}`, `{% layout "${canaryFile}" %}`, '{% include "/etc/passwd" %}', "{% render 'x' %}", '{% include ../../../../etc/shadow %}',
    '{{ name | nosuchfilter }}', '{{ name | append }}', '{{ 1 | divided_by: 0 }}',
    '{% for i in (1..100000000) %}{{ i }}{% endfor %}', '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}',
    "{% assign s = 'x' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}", '{{ (1..1000000000) | join: "," }}',
    '{% if %}', '{{', '{% endfor %}', '{% raw %}', '{% comment %}', '{% liquid include "x" %}', '{% tablerow %}', '{% cycle %}', '{%- unknowntag -%}',
  ];
}

const BAD = /internal|could not complete|\n\s+at |Error: |\/node_modules\//;
const ALLOWED_HEADERS = new Set(['from', 'to', 'subject', 'message-id', 'date', 'mime-version', 'content-type', 'content-transfer-encoding', 'x-reclaim-action', 'list-unsubscribe', 'auto-submitted', 'reply-to', 'list']);

/**
 * Templates with customer text, through the real preview and test-send paths
 * (and a real SMTP server + mailparser for part of the trials): customer text
 * is printed, never run, is escaped in HTML and never reaches a header;
 * hostile operator templates give a clear error in bounded time and read no
 * file.
 */
export async function templateTrials(tally: Tally, runs: number): Promise<void> {
  const dir = tempDir();
  const canaryFile = path.join(dir, 'canary.liquid');
  fs.writeFileSync(canaryFile, CANARY);
  const smtp = await startSmtp();
  const core: Core = coreAt(dir, mutableClock(NOW * 1000));
  const call = (m: string, input: unknown) => dispatch(core, m, input, core.ports.logger);
  try {
    // The business name (a template variable) is a company name that reads like template code too.
    const business = "Acme {{ pay_url }} {% include '/etc/passwd' %} <script>alert(1)</script> \u202Eevil";
    const created = await call('workspaces.create', { name: business });
    if (!created.ok) throw new Error(created.error.message);
    const ws = (created.value as { id: string }).id;
    await call('recovery.settings.set', { workspaceId: ws, operatorName: 'Ops', operatorEmail: 'ops@reclaim.test' });
    const smtpSet = await call('smtp.set', { workspaceId: ws, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', fromName: 'Northwind', ratePerMinute: 10_000 });
    if (!smtpSet.ok) throw new Error(smtpSet.error.message);
    const db = core.registry.openDb(ws);
    const sendEvery = Math.max(1, Math.round(runs / 10));

    for (const [i, c] of fc.sample(customer, runs).entries()) {
      await tally.trial(`customer text #${i}`, async () => {
        const id = `cus_h${i}`;
        seedWorkspace(core, ws, [{ id, name: c.name, email: c.email, mrr: 2900, tenureDays: 40, failures12m: 1, ...(c.accountManager !== undefined ? { accountManager: c.accountManager } : {}), invoice: { id: `in_h${i}`, amount: 1234, attempts: 1, failedDaysAgo: 1, decline: 'insufficient_funds', hard: false } }]);
        db.prepare('UPDATE customer_facts SET plan = ?, attrs = ? WHERE customer_id = ?').run(c.plan, JSON.stringify({ note: c.attr }), id);
        db.prepare('UPDATE customers SET metadata = ? WHERE id = ?').run(JSON.stringify(c.metadata), id);
        const problems: string[] = [];
        const sender = i % 2 ? 'account_manager' : 'workspace';
        const t0 = Date.now();
        const r = await call('templates.preview', { workspaceId: ws, customerId: id, template: PROBE, sender });
        if (Date.now() - t0 > 5_000) problems.push(`preview took ${Date.now() - t0} ms`);
        if (!r.ok) return [...problems, `preview refused a good template on hostile data: ${r.error.code}: ${r.error.message.slice(0, 200)}`];
        const out = r.value as { subject: string; text: string; html: string; from: string; variables: Record<string, string> };
        const v = out.variables;
        const wantName = c.name?.trim() || c.email || 'there';
        if (v.name !== wantName) problems.push('the name variable is not the customer name');
        if (v.email !== (c.email ?? '')) problems.push('the email variable is not the customer email');
        if (v.business !== business) problems.push(`the business variable is not the workspace name: ${JSON.stringify(v.business)}`);
        if (out.text !== expectedText(v)) problems.push('customer text was not printed verbatim (evaluated as template code?)');
        const htmlRest = out.html.replace(/<\/?p>/g, '');
        if (/[<>]/.test(htmlRest)) problems.push(`unescaped markup in the HTML part: ${JSON.stringify(htmlRest.match(/.{0,20}[<>].{0,20}/)?.[0])}`);
        // eslint-disable-next-line no-control-regex -- control characters are what a header must not carry
        if (/[\u0000-\u001f\u007f]/.test(out.subject) || /[\r\n]/.test(out.from)) problems.push(`a control character reached a header: ${JSON.stringify(out.subject.slice(0, 80))} / ${JSON.stringify(out.from.slice(0, 80))}`);
        if (i % sendEvery === 0) {
          const before = smtp.received.length;
          const s = await call('templates.testSend', { workspaceId: ws, customerId: id, to: 'ops@reclaim.test', template: PROBE, sender });
          if (!s.ok) problems.push(`test send failed: ${s.error.code}: ${s.error.message.slice(0, 200)}`);
          else {
            const got = smtp.received.slice(before);
            if (got.length !== 1) problems.push(`${got.length} messages reached the SMTP server`);
            const m = got[0];
            if (m) {
              if (m.to !== 'ops@reclaim.test' || m.rcptTo.join(',') !== 'ops@reclaim.test') problems.push(`recipients: ${m.to} (envelope ${m.rcptTo.join(', ')})`);
              const extra = [...m.headers.keys()].filter((h) => !ALLOWED_HEADERS.has(h));
              if (extra.length) problems.push(`unexpected headers: ${extra.join(', ')}`);
              if (!/<billing@northwind\.test>$/.test(m.from) && m.from !== 'billing@northwind.test') problems.push(`From: ${m.from.slice(0, 120)}`);
              if (/<script|<img|<svg/i.test(m.html)) problems.push('markup from customer text in the sent HTML');
            }
          }
        }
        return problems;
      });
    }

    // A real recovery run over those customers: mail goes only to each customer's own (plain) address.
    await tally.trial('recovery run over customers with hostile text', async () => {
      const emails = new Map((db.prepare(`SELECT customer_id, email FROM customer_facts WHERE customer_id LIKE 'cus_h%'`).all() as { customer_id: string; email: string | null }[]).map((r) => [r.customer_id, r.email]));
      const plan = await call('runs.plan', { workspaceId: ws, channels: ['email'] });
      if (!plan.ok) return `plan: ${plan.error.code}: ${plan.error.message}`;
      const before = smtp.received.length;
      const t0 = Date.now();
      const run = await call('runs.start', { workspaceId: ws, planId: (plan.value as { planId: string }).planId, confirm: true, wait: true });
      if (!run.ok) return `run: ${run.error.code}: ${run.error.message}`;
      const got = smtp.received.slice(before);
      const problems: string[] = [];
      if (Date.now() - t0 > 30_000) problems.push(`the run took ${Date.now() - t0} ms`);
      const valid = new Set([...emails.values()].filter((e): e is string => !!e && /^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(e.trim())).map((e) => e.trim()));
      const perAddress = new Map<string, number>();
      for (const m of got) {
        if (m.rcptTo.length !== 1 || m.rcptTo[0] !== m.to) problems.push(`envelope ${m.rcptTo.join(', ')} for To: ${m.to}`);
        if (!valid.has(m.to)) problems.push(`mail to an address no customer has: ${JSON.stringify(m.to)}`);
        const extra = [...m.headers.keys()].filter((h) => !ALLOWED_HEADERS.has(h));
        if (extra.length) problems.push(`unexpected headers: ${extra.join(', ')}`);
        if (/<script|<img|<svg/i.test(m.html)) problems.push('markup from customer text in the sent HTML');
        perAddress.set(m.to, (perAddress.get(m.to) ?? 0) + 1);
      }
      if (got.length === 0) problems.push('the run sent no mail (nothing checked)');
      tally.note(`templates: the recovery run sent ${got.length} emails to ${perAddress.size} of ${valid.size} customers with a plain address (${emails.size} customers in all)`);
      return problems;
    });

    const fragments = operatorFragments(canaryFile);
    const template = fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 4 }).map((a) => a.join(' '));
    const strategiesBefore = () => JSON.stringify(db.prepare('SELECT * FROM recovery_strategies ORDER BY 1').all());
    for (const [i, [subject, body, html]] of fc.sample(fc.tuple(template, template, fc.option(template, { nil: '' })), runs).entries()) {
      await tally.trial(`operator template #${i}`, async () => {
        const tpl = { subject, text: body, html };
        const problems: string[] = [];
        const check = (what: string, r: Awaited<ReturnType<typeof call>>, ms: number) => {
          if (ms > 15_000) problems.push(`${what} took ${ms} ms`);
          if (r.ok) {
            if (JSON.stringify(r.value).includes(CANARY)) problems.push(`${what} read a file`);
            return;
          }
          if (r.error.code === 'internal' || BAD.test(r.error.message) || r.error.message.length < 10) problems.push(`${what}: unclear error ${r.error.code}: ${r.error.message.slice(0, 200)}`);
          if (r.error.message.includes(CANARY)) problems.push(`${what}: a file's content in the error`);
        };
        let t0 = Date.now();
        const p = await call('templates.preview', { workspaceId: ws, customerId: 'cus_h0', template: tpl });
        check('preview', p, Date.now() - t0);
        const before = smtp.received.length;
        t0 = Date.now();
        const s = await call('templates.testSend', { workspaceId: ws, customerId: 'cus_h0', to: 'ops@reclaim.test', template: tpl });
        check('test send', s, Date.now() - t0);
        if (!s.ok && smtp.received.length !== before) problems.push('refused, yet a message was sent');
        if (p.ok !== s.ok) problems.push(`preview ${p.ok ? 'accepted' : 'refused'} what the test send ${s.ok ? 'accepted' : 'refused'}`);
        const stored = strategiesBefore();
        t0 = Date.now();
        const st = await call('strategies.set', { workspaceId: ws, segmentId: 'default', strategy: { name: 'Fuzz', steps: [{ id: 'e1', channel: 'email', config: { template: tpl } }] } });
        check('saving a strategy', st, Date.now() - t0);
        if (!st.ok && strategiesBefore() !== stored) problems.push('strategy refused, yet stored');
        if (st.ok !== p.ok) problems.push(`preview ${p.ok ? 'accepted' : 'refused'} what saving a strategy ${st.ok ? 'accepted' : 'refused'}`);
        return problems;
      });
    }
  } finally {
    await core.close();
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
