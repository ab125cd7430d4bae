import type { WhiteGloveSettingsView } from '../../../shared/contract';
import type { HandlerContext, HandlerGroup } from '../context';
import type { Sqlite } from '../db/sqlite';
import { createVoiceChannel } from '../recovery/channels/voice/channel';
import { newWebhookSecret } from '../recovery/channels/webhook';
import { taskContext } from './context';
import { reportingCurrency } from './customer';
import { sendTaskEmail } from './send-email';
import { getSettings, updateSettings, urlWarning, voiceTokenSecretId, webhookSecretId } from './settings';
import { getTaskRow, listTasks, logOutcome, taskSummary } from './tasks';
import { badRequest } from '../errors';
import { signedIn } from '../operators/session';

export type QueueMethod =
  | 'queue.list' | 'queue.get' | 'queue.outcome' | 'queue.sendEmail'
  | 'whiteglove.settings.get' | 'whiteglove.voice.set' | 'whiteglove.webhook.set' | 'whiteglove.am.set' | 'voice.poll';

export function queueHandlers(ctx: HandlerContext): HandlerGroup<QueueMethod> {
  const { secrets } = ctx.ports;
  const voice = createVoiceChannel({ secrets, fetch: ctx.ports.fetch });

  const view = async (workspaceId: string, db: Sqlite): Promise<WhiteGloveSettingsView> => {
    const s = getSettings(db);
    return {
      voice: { ...s.voice, authTokenSet: (await secrets.get(voiceTokenSecretId(workspaceId))) != null },
      webhook: { ...s.webhook, secretSet: (await secrets.get(webhookSecretId(workspaceId))) != null },
      am: s.am,
    };
  };
  const strip = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

  return {
    'queue.list': async ({ workspaceId, mine, overdue, segmentId, status }) => {
      const now = ctx.nowSec();
      const db = ctx.db(workspaceId);
      const me = mine === true ? signedIn(db) : null;
      if (mine === true && !me) throw badRequest('Sign in as an operator to see your own tasks');
      const who = me ? { mine: me.email, mineName: me.name } : { mine: (mine as string | undefined) || undefined };
      return { rows: listTasks(db, { ...who, overdue, segmentId, status, now }), now, currency: reportingCurrency(db) };
    },
    'queue.get': async ({ workspaceId, taskId }) => taskContext(ctx.db(workspaceId), taskId, ctx.nowSec()),
    'queue.outcome': async ({ workspaceId, taskId, outcome, promisedDate, note, by }) => {
      const db = ctx.db(workspaceId);
      const now = ctx.nowSec();
      // #23: the operator signed in on this desktop logs it; without operators, whoever `by` names (default: the assignee).
      const task = logOutcome(db, taskId, { outcome, promisedDate: promisedDate ?? null, note, by: signedIn(db)?.name ?? by ?? getTaskRow(db, taskId).assignee, now });
      ctx.events.emit('queue.changed', { workspaceId, taskId: task.id });
      return taskSummary(db, task.id, now);
    },
    'queue.sendEmail': async ({ workspaceId, taskId, subject, text }) => {
      const db = ctx.db(workspaceId);
      const sent = await sendTaskEmail({ db, workspaceId, secrets, taskId, subject, text, nowMs: ctx.ports.clock.now() });
      ctx.events.emit('queue.changed', { workspaceId, taskId });
      ctx.events.emit('outbox.changed', { workspaceId });
      return { ...sent, task: taskSummary(db, taskId, ctx.nowSec()) };
    },
    'whiteglove.settings.get': async ({ workspaceId }) => view(workspaceId, ctx.db(workspaceId)),
    'whiteglove.voice.set': async ({ workspaceId, authToken, ...patch }) => {
      const db = ctx.db(workspaceId);
      updateSettings(db, 'voice', strip(patch));
      if (authToken !== undefined) {
        if (authToken === '') await secrets.delete(voiceTokenSecretId(workspaceId));
        else await secrets.set(voiceTokenSecretId(workspaceId), authToken.trim());
      }
      return view(workspaceId, db);
    },
    'whiteglove.webhook.set': async ({ workspaceId, rotateSecret, ...patch }) => {
      const db = ctx.db(workspaceId);
      const s = updateSettings(db, 'webhook', strip(patch));
      let secret: string | null = null;
      if (s.url && (rotateSecret || (await secrets.get(webhookSecretId(workspaceId))) == null)) {
        secret = newWebhookSecret();
        await secrets.set(webhookSecretId(workspaceId), secret);
      }
      return { settings: await view(workspaceId, db), secret, warning: urlWarning(s.url, 'The webhook URL') };
    },
    'whiteglove.am.set': async ({ workspaceId, ...patch }) => {
      const db = ctx.db(workspaceId);
      updateSettings(db, 'am', strip(patch));
      return view(workspaceId, db);
    },
    'voice.poll': async ({ workspaceId }) => {
      const db = ctx.db(workspaceId);
      const changed = await voice.poll(workspaceId, db, ctx.nowSec());
      if (changed.length) ctx.events.emit('queue.changed', { workspaceId, taskId: null });
      return { updated: changed.length };
    },
  };
}
