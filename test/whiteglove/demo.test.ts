import { describe, expect, it } from 'vitest';
import { call, clockedCore } from './engine-helpers';

const DAY = 86_400;

describe('white-glove on the demo workspace', () => {
  it('an enterprise customer with a failed invoice gets the personal email and a call at once (fake provider) and, unanswered, an AM task the same day', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const { core, clock } = clockedCore(t0);
    try {
      const ws = await call(core, 'demo.create', { customers: 300, seed: 7, history: false });
      const segments = await call(core, 'segments.list', { workspaceId: ws.id });
      const enterprise = segments.segments.find((s) => s.name === 'Enterprise')!;
      const plan = await call(core, 'runs.plan', { workspaceId: ws.id, segmentIds: [enterprise.id] });
      expect(plan.rows.length).toBeGreaterThan(0);
      // The built-in Enterprise strategy (#17 item 15, PRODUCT.md: "immediate AI voice call + personal email from their
      // account manager"): email and call now, the AM task the same day; the calls are above the voice threshold.
      for (const row of plan.rows) {
        expect(row.steps.map((s) => s.stepId).slice(0, 4)).toEqual(['personal-email', 'voice-call', 'am-task', 'retry-1']);
        const [email, voice, am] = row.steps;
        expect([email!.when, voice!.when]).toEqual(['now', 'now']);
        expect([voice!.skipReason, am!.skipReason]).toEqual([null, null]);
        expect(am!.dueAt - t0).toBeLessThanOrEqual(2 * 3600);
      }
      const run = await call(core, 'runs.start', { workspaceId: ws.id, planId: plan.planId, confirm: true, wait: true });
      const settings = await call(core, 'whiteglove.settings.get', { workspaceId: ws.id });
      expect(settings.voice).toMatchObject({ provider: 'http', authTokenSet: true });
      expect(settings.voice.apiBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // The calls were placed when the run started; the fake provider reports them; an hour later, tasks for the unanswered ones.
      for (let i = 0; i < 3; i++) await call(core, 'voice.poll', { workspaceId: ws.id });
      clock.sec = t0 + 3600;
      await call(core, 'runs.tick', { workspaceId: ws.id });
      const queueNow = await call(core, 'queue.list', { workspaceId: ws.id });
      expect(queueNow.rows.length).toBeGreaterThanOrEqual(1);
      clock.sec = t0 + DAY;
      await call(core, 'runs.tick', { workspaceId: ws.id });

      const fake = await core.recovery.demoVoice.server(ws.id)!;
      const actions = (await call(core, 'runs.actions', { workspaceId: ws.id, runId: run.id, limit: 1000 })).rows;
      const byInvoice = new Map<string, Map<string, string>>();
      for (const a of actions) byInvoice.set(a.invoiceId, (byInvoice.get(a.invoiceId) ?? new Map()).set(a.stepId, `${a.status}: ${a.detail}`));
      const calls = actions.filter((a) => a.stepId === 'voice-call' && (a.status === 'succeeded' || a.status === 'failed' || a.status === 'pending'));
      // One call per invoice that got that far (some customers paid after the email), counted at the provider.
      expect(fake.calls.length).toBe(calls.length);
      const full = [...byInvoice.values()].filter((m) => /^succeeded/.test(m.get('personal-email') ?? '') && /^failed: call not answered/.test(m.get('voice-call') ?? '') && /^pending/.test(m.get('am-task') ?? ''));
      const answered = [...byInvoice.values()].filter((m) => /^succeeded: call answered/.test(m.get('voice-call') ?? ''));
      for (const m of answered) expect(m.get('am-task')).toMatch(/skipped: condition: the call was answered|canceled/);
      const queue = await call(core, 'queue.list', { workspaceId: ws.id });
      expect(queue.rows.length).toBe(full.length);
      console.log(`demo: ${plan.rows.length} enterprise invoices, ${fake.calls.length} calls (${answered.length} answered), ${queue.rows.length} AM tasks`);
      expect(full.length).toBeGreaterThanOrEqual(1);
    } finally {
      await core.close();
    }
  }, 240_000);
});
