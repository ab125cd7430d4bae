import type { EmailTemplate } from '../../../../shared/contract';
import { amSender } from '../am-sender';
import type { Secrets } from '../../ports';
import type { ActionContext, ActionResult, PlanEstimate } from '../channel';
import { EmailRejected, emailExists, messageIdFor, sendEmail } from '../mailer';
import { isSuppressed, readSmtp, suppress } from '../settings';
import { mayHaveBeenHandedOver, readStage, stageText } from '../smtp-stages';
import { buildVars, headerSafe, personName, renderEmail } from '../templates';
import type { Stripe } from '../stripe-client';

/** What channels need from the core. */
export interface ChannelDeps {
  secrets: Secrets;
  nowMs(): number;
  /** Workspace name (the business name in templates). */
  workspaceName(workspaceId: string): string;
  /** The official Stripe client for the workspace (throws a UserError when no key is stored). */
  stripe(workspaceId: string): Promise<Stripe>;
  /** HTTP for the voice provider and webhooks (#13); the core's fetch port. */
  fetch?: typeof fetch;
}

export const DEFAULT_FROM = 'billing@reclaim.local';

/** Shared by every step that emails: the reason not to, or null. */
export function emailSkip(action: ActionContext): string | null {
  if (!action.customer.email) return 'no email address';
  const sup = action.reads ? action.reads.suppressed(action.customer.email) : isSuppressed(action.db, action.customer.email);
  if (sup) return `unsubscribed (${sup})`;
  return null;
}

export function senderName(action: ActionContext, deps: ChannelDeps, sender: 'workspace' | 'account_manager'): string | null {
  // A header value (the From display name): the account manager comes from customer data, so no CR/LF or control characters.
  const name = sender === 'account_manager' && action.customer.accountManager ? personName(action.customer.accountManager) : readSmtp(action.db).fromName;
  return name ? headerSafe(name) || null : null;
}

/** Renders and sends (or captures) one email for an action, at most once per key. */
export async function deliver(
  action: ActionContext,
  deps: ChannelDeps,
  t: { template: EmailTemplate; sender: 'workspace' | 'account_manager'; offer?: string },
): Promise<ActionResult> {
  const skip = emailSkip(action);
  if (skip) return { status: 'skipped', detail: skip };
  // The account manager's email is from (or replies go to) the manager (#17 item 16).
  const am = t.sender === 'account_manager' && action.customer.accountManager ? amSender(action.db, action.customer.accountManager, DEFAULT_FROM) : null;
  const fromName = am ? am.fromName : senderName(action, deps, t.sender);
  const business = deps.workspaceName(action.workspaceId);
  const vars = buildVars({ customer: action.customer, invoice: action.invoice, business, senderName: fromName ?? business, now: action.now, ...(t.offer ? { offer: t.offer } : {}) });
  const rendered = renderEmail(t.template, vars);

  try {
    const sent = await sendEmail({
      db: action.db,
      workspaceId: action.workspaceId,
      secrets: deps.secrets,
      nowMs: deps.nowMs(),
      defaultFrom: DEFAULT_FROM,
      email: { key: action.key, runId: action.runId, customerId: action.customerId, to: { address: action.customer.email!, name: action.customer.name }, fromName, fromAddress: am?.fromAddress ?? null, replyTo: am?.replyTo ?? null, rendered },
    });
    return { status: 'succeeded', detail: `${sent.transport === 'capture' ? 'captured (not delivered)' : 'sent'} to ${sent.to}: "${rendered.subject}"`, externalId: sent.messageId };
  } catch (e) {
    if (e instanceof EmailRejected) {
      if (e.permanent) suppress(action.db, action.customer.email!, `bounced: ${e.message.slice(0, 150)}`, deps.nowMs());
      return { status: 'failed', detail: e.permanent ? `bounced: ${e.message}` : e.message, retryable: !e.final };
    }
    return { status: 'failed', detail: `could not send: ${e instanceof Error ? e.message : String(e)}`, retryable: true };
  }
}

/**
 * After a crash mid-send: a stored email row means it went out; with capture,
 * no row means nothing was stored, so sending is safe. Over SMTP the stage the
 * send had reached (committed before each stage, smtp-stages.ts) decides: a
 * crash before the message data was handed over (no stage, connecting,
 * connected, envelope accepted) left the server without the message, so it is
 * sent again; from the end of the data on the server may have it (RFC 5321
 * §4.1.1.4), so it is not repeated and the customer never gets it twice.
 */
export function recoverEmail(action: ActionContext): ActionResult | 'execute' {
  const smtp = readSmtp(action.db);
  const id = messageIdFor(action.key, smtp.from ?? DEFAULT_FROM);
  if (emailExists(action.db, id)) return { status: 'succeeded', detail: 'sent before an interruption', externalId: id };
  if (smtp.transport === 'capture') return 'execute';
  const stage = readStage(action.db, action.key);
  if (!mayHaveBeenHandedOver(stage)) return 'execute';
  return { status: 'failed', detail: `interrupted while sending over SMTP ${stageText(stage)}; not sent again, so the customer never gets it twice` };
}

export function emailEstimate(action: ActionContext): PlanEstimate {
  return { skipReason: emailSkip(action) };
}
