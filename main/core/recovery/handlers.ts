import { ChannelKind } from '../../../shared/contract';
import type { HandlerContext, HandlerGroup } from '../context';
import { badRequest, notFound, UserError } from '../errors';
import { upgradeDefaultOrder } from '../segments/service';
import { keySecretId } from '../workspaces/handlers';
import { audit, exportAudit, listAudit } from './audit';
import { createChannels } from './channels';
import type { VoiceChannel } from './channels/voice/channel';
import { DemoVoice } from '../queue/demo-voice';
import { DEFAULT_FROM, senderName } from './channels/deliver';
import { customerInfo, invoiceById, openFailedInvoices, workspaceCurrency } from './data';
import { DemoStripe } from './demo-stripe';
import { actionContext, ChannelRegistry } from './engine';
import { RecoveryEngine } from './executor';
import { sendEmail, EmailRejected } from './mailer';
import { getEmail, listEmails } from './outbox';
import { buildPlan, exportPlan, getPlan } from './plan';
import { probeWritesForPlan } from './plan-permissions';
import { readContactPolicy, writeContactPolicy } from './contact-policy';
import { listSuppressions, readSettings, readSmtp, smtpSecretId, smtpView, suppress, unsuppress, writeSettings, writeSmtp } from './settings';
import { createStripeClient } from '../stripe/client';
import { workspaceLimiter } from '../stripe/rate-budget';
import type { Stripe } from './stripe-client';
import { DEFAULT_KEY, getStrategy, listStrategies, resetStrategy, setStrategy } from './strategies';
import { buildVars, renderEmail, TONES } from './templates';
import { customerTimeline } from './timeline';
import { refreshFactsAndMembership, staleSince } from '../facts/freshness';
import { actorName } from '../operators/session';

export type RecoveryMethod =
  | 'strategies.list' | 'strategies.get' | 'strategies.set' | 'strategies.resetDefault' | 'recovery.channels' | 'recovery.tones'
  | 'templates.preview' | 'templates.testSend' | 'smtp.get' | 'smtp.set' | 'recovery.settings.get' | 'recovery.settings.set'
  | 'suppressions.list' | 'suppressions.add' | 'suppressions.remove'
  | 'runs.plan' | 'runs.planGet' | 'runs.planExport' | 'runs.start' | 'runs.status' | 'runs.list' | 'runs.pause' | 'runs.resume'
  | 'runs.cancel' | 'runs.actions' | 'runs.tick' | 'outbox.list' | 'outbox.get' | 'audit.list' | 'audit.export' | 'customers.timeline';

export interface Recovery {
  engine: RecoveryEngine;
  demo: DemoStripe;
  /** #13: the demo workspace's local fake telephony provider. */
  demoVoice: DemoVoice;
  /** The workspace's Stripe client (the demo's local server for a demo). */
  stripe(workspaceId: string): Promise<Stripe>;
  close(): Promise<void>;
}

/** The recovery engine with its channels; one per core. */
export function createRecovery(ctx: HandlerContext): Recovery {
  const demo = new DemoStripe(ctx);
  const stripe = async (workspaceId: string): Promise<Stripe> => {
    const ws = ctx.registry.get(workspaceId);
    if (ws.kind === 'demo') {
      const { sim, key } = await demo.get(workspaceId);
      // The demo's own local server has no rate limit to respect.
      return createStripeClient({ key, apiBase: sim.url, fetch: ctx.ports.fetch, logger: ctx.ports.logger, ratePerSecond: 10_000 }).stripe;
    }
    const key = await ctx.ports.secrets.get(keySecretId(workspaceId));
    if (!key) throw badRequest('Connect a Stripe key to this workspace first: retries and offers write to Stripe');
    // The one Stripe client (official SDK, pinned version), sharing the workspace's limiter with its sync.
    return createStripeClient({ key, apiBase: ctx.registry.apiBase(workspaceId) ?? 'https://api.stripe.com', fetch: ctx.ports.fetch, logger: ctx.ports.logger, limiter: workspaceLimiter(ctx.db(workspaceId), workspaceId, key) }).stripe;
  };
  const channels = new ChannelRegistry(
    createChannels({
      secrets: ctx.ports.secrets,
      nowMs: () => ctx.ports.clock.now(),
      workspaceName: (id) => ctx.registry.get(id).name,
      stripe,
      fetch: ctx.ports.fetch,
    }),
  );
  const voice = channels.get('voice') as VoiceChannel | undefined;
  const demoVoice = new DemoVoice(ctx);
  const engine = new RecoveryEngine(ctx, channels, {
    afterAction: (workspaceId, action, result) => (ctx.registry.get(workspaceId).kind === 'demo' ? demo.afterAction(workspaceId, action, result) : undefined),
    // #13: calls placed earlier may have ended; their results feed escalation conditions.
    beforeTick: async (workspaceId) => {
      await demoVoice.ensure(workspaceId);
      await voice?.poll(workspaceId, ctx.db(workspaceId), ctx.nowSec());
    },
  });
  return {
    engine,
    demo,
    demoVoice,
    stripe,
    close: async () => {
      engine.stopTicker();
      await Promise.allSettled(ctx.registry.list().map((w) => engine.idle(w.id)));
      await demo.close();
      await demoVoice.close();
    },
  };
}

const segmentKey = (id: string) => (id === DEFAULT_KEY || id === '' ? DEFAULT_KEY : id);

export function recoveryHandlers(ctx: HandlerContext, recovery: Recovery): HandlerGroup<RecoveryMethod> {
  const { engine } = recovery;
  const nowMs = () => ctx.ports.clock.now();
  const actor = (workspaceId: string) => actorName(ctx.db(workspaceId));

  /** A customer's invoice to preview on: the one named, or their newest open failed one, or their newest. */
  const previewInvoice = (workspaceId: string, customerId: string, invoiceId?: string) => {
    const db = ctx.db(workspaceId);
    if (invoiceId) {
      const inv = invoiceById(db, invoiceId);
      if (!inv || inv.customerId !== customerId) throw notFound('The invoice');
      return inv;
    }
    const open = openFailedInvoices(db).filter((i) => i.customerId === customerId);
    if (open.length) return open[open.length - 1]!;
    const id = db.prepare(`SELECT id FROM invoices WHERE customer_id = ? ORDER BY created DESC LIMIT 1`).pluck().get(customerId) as string | undefined;
    return id ? invoiceById(db, id) : null;
  };

  const render = (workspaceId: string, input: { customerId: string; invoiceId?: string | undefined; template: Parameters<typeof renderEmail>[0]; sender: 'workspace' | 'account_manager' }) => {
    const db = ctx.db(workspaceId);
    if (!db.prepare(`SELECT 1 FROM customers WHERE id = ?`).get(input.customerId)) throw notFound('The customer');
    const customer = customerInfo(db, input.customerId);
    const invoice = previewInvoice(workspaceId, input.customerId, input.invoiceId);
    const fake = actionContext({
      workspaceId, runId: 'preview', step: { id: 'preview', label: '', channel: 'email', delay: { days: 0, hours: 0, from: 'first_failure' }, conditions: { declineType: 'any', minAmountAtRisk: null, maxAmountAtRisk: null, minFailures12m: null, afterUnansweredEmails: null, lastCallNotAnswered: false }, config: { tone: 'supportive', sender: input.sender, template: input.template } },
      segmentId: null, segmentName: '', invoice: invoice ?? { id: '', number: null, status: 'open', subscriptionId: null, amountDue: 0, amountRemaining: 0, currency: workspaceCurrency(db), attemptCount: 0, hostedInvoiceUrl: null, firstFailureAt: ctx.nowSec(), lastDeclineCode: null, hardDecline: false },
      customer, db, logger: ctx.ports.logger, now: ctx.nowSec(), mode: ctx.registry.get(workspaceId).mode, currency: workspaceCurrency(db), actor: actor(workspaceId), dryRun: true, history: [],
    });
    const business = ctx.registry.get(workspaceId).name;
    const fromName = senderName(fake, { secrets: ctx.ports.secrets, nowMs, workspaceName: () => business, stripe: async () => { throw new Error('unused'); } }, input.sender);
    const vars = buildVars({ customer, invoice, business, senderName: fromName ?? business, now: ctx.nowSec(), offer: '20% off your next invoice' });
    const smtp = readSmtp(db);
    const from = smtp.from ?? DEFAULT_FROM;
    return { rendered: renderEmail(input.template, vars), vars, customer, fromName, from: fromName ? `${fromName} <${from}>` : from };
  };

  return {
    'strategies.list': async ({ workspaceId }) => listStrategies(ctx.db(workspaceId)),
    'strategies.get': async ({ workspaceId, segmentId }) => getStrategy(ctx.db(workspaceId), segmentKey(segmentId)),
    'strategies.set': async ({ workspaceId, segmentId, strategy }) => {
      const db = ctx.db(workspaceId);
      const s = setStrategy(db, segmentKey(segmentId), strategy, nowMs());
      audit(db, nowMs(), { actor: actor(workspaceId), kind: 'strategy.saved', message: `strategy for ${s.segmentName} saved (${s.steps.length} steps)`, data: { segmentId: s.segmentId } });
      ctx.events.emit('strategies.changed', { workspaceId, segmentId: s.segmentId });
      return s;
    },
    'strategies.resetDefault': async ({ workspaceId, segmentId }) => {
      const db = ctx.db(workspaceId);
      const s = resetStrategy(db, segmentKey(segmentId));
      audit(db, nowMs(), { actor: actor(workspaceId), kind: 'strategy.reset', message: `strategy for ${s.segmentName} reset to the built-in default` });
      ctx.events.emit('strategies.changed', { workspaceId, segmentId: s.segmentId });
      return s;
    },
    'recovery.channels': async ({ workspaceId }) => {
      ctx.registry.get(workspaceId);
      const have = new Set(engine.channels.kinds());
      return ChannelKind.options.map((kind) => ({ kind, available: have.has(kind) }));
    },
    'recovery.tones': async ({ workspaceId }) => {
      ctx.registry.get(workspaceId);
      return TONES.map((t) => ({ ...t, template: structuredClone(t.template) }));
    },
    'templates.preview': async ({ workspaceId, customerId, invoiceId, template, sender }) => {
      const r = render(workspaceId, { customerId, invoiceId, template, sender });
      return { ...r.rendered, from: r.from, to: r.customer.email, variables: r.vars as unknown as Record<string, string> };
    },
    'templates.testSend': async ({ workspaceId, customerId, to, template, sender }) => {
      const db = ctx.db(workspaceId);
      const target = to ?? readSettings(db).operatorEmail;
      if (!target) throw badRequest('Give the address to send the test to, or set your own address in the recovery settings');
      const r = render(workspaceId, { customerId, template, sender });
      try {
        const sent = await sendEmail({
          db, workspaceId, secrets: ctx.ports.secrets, nowMs: nowMs(), defaultFrom: DEFAULT_FROM,
          email: { key: null, runId: null, customerId: null, to: { address: target }, fromName: r.fromName, rendered: { ...r.rendered, subject: `[Test] ${r.rendered.subject}` } },
        });
        audit(db, nowMs(), { actor: actor(workspaceId), kind: 'email.test', customerId, message: `test email rendered on ${customerId} sent to ${sent.to} (${sent.transport})` });
        ctx.events.emit('outbox.changed', { workspaceId });
        return sent;
      } catch (e) {
        if (e instanceof EmailRejected) throw new UserError('unavailable', `The test email was not sent: ${e.message}`);
        throw new UserError('unavailable', `The test email was not sent: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    'smtp.get': async ({ workspaceId }) => smtpView(ctx.db(workspaceId), (await ctx.ports.secrets.get(smtpSecretId(workspaceId))) !== null),
    'smtp.set': async ({ workspaceId, password, ...patch }) => {
      const db = ctx.db(workspaceId);
      const saved = writeSmtp(db, patch);
      if (password !== undefined) {
        if (password === '') await ctx.ports.secrets.delete(smtpSecretId(workspaceId));
        else await ctx.ports.secrets.set(smtpSecretId(workspaceId), password);
      }
      audit(db, nowMs(), {
        actor: actor(workspaceId), kind: 'settings.smtp',
        message: saved.transport === 'smtp' ? `SMTP set to ${saved.host}:${saved.port} (${saved.tls}) from ${saved.from}` : 'emails are captured in Reclaim (no SMTP delivery)',
        data: { transport: saved.transport, host: saved.host, port: saved.port, tls: saved.tls, user: saved.user, passwordChanged: password !== undefined },
      });
      return smtpView(db, (await ctx.ports.secrets.get(smtpSecretId(workspaceId))) !== null);
    },
    'recovery.settings.get': async ({ workspaceId }) => {
      const db = ctx.db(workspaceId);
      return { ...readSettings(db), contactPolicy: readContactPolicy(db) };
    },
    'recovery.settings.set': async ({ workspaceId, contactPolicy, ...patch }) => {
      const db = ctx.db(workspaceId);
      const saved = writeSettings(db, patch);
      if (!contactPolicy) return { ...saved, contactPolicy: readContactPolicy(db) };
      const policy = writeContactPolicy(db, contactPolicy);
      audit(db, nowMs(), {
        actor: actorName(db), kind: 'settings.contactPolicy',
        message: `contact cap set to at most ${policy.maxEmails} email(s) and ${policy.maxCalls} call(s) per customer per ${policy.windowHours} h`, data: { ...policy },
      });
      return { ...saved, contactPolicy: policy };
    },
    'suppressions.list': async ({ workspaceId }) => listSuppressions(ctx.db(workspaceId)),
    'suppressions.add': async ({ workspaceId, email, reason }) => {
      const db = ctx.db(workspaceId);
      const added = suppress(db, email, reason, nowMs());
      if (added) audit(db, nowMs(), { actor: actor(workspaceId), kind: 'suppression.added', message: `${email} will not be emailed (${reason})` });
      return { email, added };
    },
    'suppressions.remove': async ({ workspaceId, email }) => {
      const db = ctx.db(workspaceId);
      const removed = unsuppress(db, email);
      if (removed) audit(db, nowMs(), { actor: actor(workspaceId), kind: 'suppression.removed', message: `${email} may be emailed again` });
      return { email, removed };
    },
    'runs.plan': async ({ workspaceId, ...filters }) => {
      await recovery.demoVoice.ensure(workspaceId);
      const db = ctx.db(workspaceId);
      const ws = ctx.registry.get(workspaceId);
      // Moves a never-reordered workspace to the new default order; reorder regenerates the winner view itself (no rule evaluation).
      upgradeDefaultOrder(db, ctx.nowSec());
      // A plan acts on today's figures: facts from an earlier day (tenure, days since the first failure…) are refreshed first.
      if (staleSince(db, ctx.nowSec()) !== null) await refreshFactsAndMembership(ctx, db, workspaceId, ctx.nowSec(), true);
      await probeWritesForPlan(db, ws.kind, () => recovery.stripe(workspaceId), ctx.ports.logger);
      const plan = buildPlan({ db, workspaceId, mode: ws.mode, now: ctx.nowSec(), nowMs: nowMs(), filters, channels: engine.channels, logger: ctx.ports.logger, actor: actor(workspaceId) });
      audit(db, nowMs(), {
        actor: actor(workspaceId), kind: 'run.planned',
        message: `plan ${plan.planId}: ${plan.totals.invoices} invoices, ${plan.totals.actionsNow} actions now, ${plan.totals.actionsLater} later, ${plan.totals.skipped} skipped`,
        data: { planId: plan.planId, filters, totals: { invoices: plan.totals.invoices, now: plan.totals.actionsNow, later: plan.totals.actionsLater, skipped: plan.totals.skipped, cost: plan.totals.estimatedCost } },
      });
      return plan;
    },
    'runs.planGet': async ({ workspaceId, planId }) => {
      const plan = getPlan(ctx.db(workspaceId), planId);
      if (!plan) throw notFound('The plan');
      return plan;
    },
    'runs.planExport': async ({ workspaceId, planId, format }) => {
      const plan = getPlan(ctx.db(workspaceId), planId);
      if (!plan) throw notFound('The plan');
      return { filename: `reclaim-${planId}.${format}`, text: exportPlan(plan, format) };
    },
    'runs.start': async ({ workspaceId, planId, wait }) => engine.start(workspaceId, planId, wait),
    'runs.status': async ({ workspaceId, runId }) => engine.status(workspaceId, runId),
    'runs.list': async ({ workspaceId, limit }) => engine.list(workspaceId, limit),
    'runs.pause': async ({ workspaceId, runId }) => engine.pause(workspaceId, runId),
    'runs.resume': async ({ workspaceId, runId, wait }) => engine.resume(workspaceId, runId, wait),
    'runs.cancel': async ({ workspaceId, runId }) => engine.cancel(workspaceId, runId),
    'runs.actions': async ({ workspaceId, runId, ...f }) => engine.actions(workspaceId, runId, f),
    'runs.tick': async ({ workspaceId }) => engine.tick(workspaceId),
    'outbox.list': async ({ workspaceId, ...f }) => listEmails(ctx.db(workspaceId), f),
    'outbox.get': async ({ workspaceId, id }) => getEmail(ctx.db(workspaceId), id),
    'audit.list': async ({ workspaceId, ...f }) => listAudit(ctx.db(workspaceId), f),
    'audit.export': async ({ workspaceId, format, ...f }) => ({ filename: `reclaim-audit.${format}`, text: exportAudit(ctx.db(workspaceId), f, format) }),
    'customers.timeline': async ({ workspaceId, customerId }) => {
      const db = ctx.db(workspaceId);
      if (!db.prepare(`SELECT 1 FROM customers WHERE id = ?`).get(customerId)) throw notFound('The customer');
      return customerTimeline(db, customerId);
    },
  };
}
