import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEmail } from '../../main/core/recovery/mailer';
import { renderEmail, buildVars, toneTemplate } from '../../main/core/recovery/templates';
import { tempDir } from '../helpers/core';
import { caller, coreAt, mutableClock, startSmtp } from './helpers';
import { NOW, seedWorkspace } from './fixture';

const HOSTILE = '{{ pay_url }}{% assign x = 1 %}{% include "/etc/passwd" %}<script>alert(1)</script><img src=x onerror=alert(2)>\r\nBcc: victim@evil.test';

describe('templates: safe engine, escaping, headers', () => {
  const core = coreAt(tempDir(), mutableClock(NOW * 1000));
  const call = caller(core);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let workspaceId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    workspaceId = (await call('workspaces.create', { name: 'Templates' })).id;
    seedWorkspace(core, workspaceId, [
      { id: 'cus_evil', name: HOSTILE, email: 'evil@customer.test', mrr: 2900, tenureDays: 40, failures12m: 1, accountManager: 'Mallory\r\nBcc: am@evil.test', invoice: { id: 'in_evil', amount: 1234, attempts: 1, failedDaysAgo: 1, decline: 'insufficient_funds', hard: false } },
    ]);
    await call('smtp.set', { workspaceId, transport: 'smtp', host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'billing@northwind.test', ratePerMinute: 10_000 });
  });
  afterAll(async () => {
    await core.close();
    await smtp.close();
  });

  it('prints a customer name full of template syntax, HTML and CRLF as inert text', async () => {
    const template = { subject: 'Hello {{ name }}', text: 'Dear {{ name }}, pay {{ amount }} at {{ pay_url }}', html: '<p>Dear {{ name }}</p><p><a href="{{ pay_url }}">Pay {{ amount }}</a></p>' };
    const r = await call('templates.preview', { workspaceId, customerId: 'cus_evil', template });
    // Template syntax in data is never evaluated.
    expect(r.text).toContain('{{ pay_url }}{% assign x = 1 %}{% include "/etc/passwd" %}');
    expect(r.text).toContain('$12.34');
    // HTML in data is escaped in the HTML part.
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<img');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // CR/LF never reach a header.
    expect(r.subject).not.toMatch(/[\r\n]/);
  });

  it('a test send of that template reaches only the operator, with no injected header', async () => {
    await call('templates.testSend', { workspaceId, customerId: 'cus_evil', to: 'ops@reclaim.test', template: { subject: 'Hello {{ name }}', text: 'Dear {{ name }}', html: '' }, sender: 'account_manager' });
    expect(smtp.received).toHaveLength(1);
    const m = smtp.received[0]!;
    expect(m.to).toBe('ops@reclaim.test');
    expect(m.headers.has('bcc')).toBe(false);
    expect(m.subject.startsWith('[Test] Hello {{ pay_url }}')).toBe(true);
    // The account manager's name (with its CRLF) stays inside the From display name.
    expect(m.from).toMatch(/<billing@northwind\.test>$/);
    expect(smtp.received.map((x) => x.to)).toEqual(['ops@reclaim.test']);
    expect(m.html).toContain('&lt;script&gt;');
    expect(m.html).not.toContain('<script>');
  });

  it('the preview shows the From name an email will really carry: no CR/LF from the account manager', async () => {
    const r = await call('templates.preview', { workspaceId, customerId: 'cus_evil', template: { subject: 'Hi', text: 'x', html: '' }, sender: 'account_manager' });
    expect(r.from).not.toMatch(/[\r\n]/);
    expect(r.from).toBe('Mallory Bcc: am <billing@northwind.test>');
    expect(r.variables.sender_name).toBe('Mallory Bcc: am');
  });

  it('mail goes to one plain address: a customer address that is a list is refused, a Reply-To with CR/LF is dropped', async () => {
    const db = core.registry.openDb(workspaceId);
    const base = { db, workspaceId, secrets: core.ports.secrets, nowMs: NOW * 1000, defaultFrom: 'billing@northwind.test' };
    const rendered = { subject: 's', text: 't', html: '<p>t</p>' };
    const before = smtp.received.length;
    for (const address of ['victim,evil@x.test', 'victim;evil@x.test', '"a"b@x.test', 'a@b.test\u0000']) {
      await expect(sendEmail({ ...base, email: { key: `k-${address}`, runId: null, customerId: 'cus_evil', to: { address }, rendered } }), address).rejects.toThrow(/not a usable email address/);
    }
    expect(smtp.received.length).toBe(before);
    await sendEmail({ ...base, email: { key: 'k-reply', runId: null, customerId: 'cus_evil', to: { address: 'evil@customer.test' }, replyTo: 'am@x.test\r\nBcc: evil@x.test', rendered } });
    const m = smtp.received.at(-1)!;
    expect(m.rcptTo).toEqual(['evil@customer.test']);
    expect(m.headers.has('reply-to')).toBe(false);
    expect(m.headers.has('bcc')).toBe(false);
    await sendEmail({ ...base, email: { key: 'k-reply-ok', runId: null, customerId: 'cus_evil', to: { address: 'evil@customer.test' }, replyTo: 'alice.wong@reclaim-demo.test', rendered } });
    expect((smtp.received.at(-1)!.headers.get('reply-to') as { text: string }).text).toBe('alice.wong@reclaim-demo.test');
  });

  it('operator templates cannot reach files or unknown variables, and bad syntax is a clear error', async () => {
    const vars = buildVars({ customer: { id: 'c', email: 'a@b.test', name: 'A', plan: 'P', accountManager: null, mrr: 0, failures12m: 0, tenureDays: 0, amountAtRisk: 0 }, invoice: null, business: 'B', senderName: 'S', now: NOW });
    expect(() => renderEmail({ subject: 's', text: '{% include "/etc/passwd" %}', html: '' }, vars)).toThrow(/cannot be rendered/);
    expect(() => renderEmail({ subject: 's', text: '{{ process.env.HOME }}', html: '' }, vars)).toThrow(/cannot be rendered/);
    expect(() => renderEmail({ subject: 's', text: '{{ name | nosuchfilter }}', html: '' }, vars)).toThrow(/cannot be rendered/);
    expect(() => renderEmail({ subject: 's', text: '{% if %}', html: '' }, vars)).toThrow(/cannot be rendered/);
    expect(renderEmail(toneTemplate('warm'), vars).subject).toContain('Welcome aboard, A');
    const bad = await call('strategies.set', {
      workspaceId, segmentId: 'default',
      strategy: { name: 'x', steps: [{ id: 'e', channel: 'email', config: { template: { subject: 'Hi {{ nme }}', text: 't' } } }] },
    }).catch((e: Error) => e);
    // #21: the step in words, not its id; only the first problem.
    expect(String(bad)).toMatch(/bad_request: The strategy was not saved: Step 1, email “Hi \{\{ nme \}\}”: the subject uses an unknown variable “nme” \(line 1\)$/);
  });
});

describe('the email signature', () => {
  const customer = { id: 'c', email: 'a@b.test', name: 'Ada Lovelace', plan: 'Pro', accountManager: null, mrr: 0, failures12m: 0, tenureDays: 0, amountAtRisk: 0 };
  it('names the business once when the sender is the business (not "Demo, Demo")', () => {
    const same = renderEmail(toneTemplate('supportive'), buildVars({ customer, invoice: null, business: 'Demo', senderName: 'Demo', now: NOW }));
    expect(same.text).toContain('--\nDemo\nTo stop these emails');
    const other = renderEmail(toneTemplate('supportive'), buildVars({ customer, invoice: null, business: 'Acme', senderName: 'Jo Smith', now: NOW }));
    expect(other.text).toContain('--\nJo Smith, Acme\nTo stop these emails');
  });
});
