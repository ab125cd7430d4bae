import type { HandlerContext, HandlerGroup } from '../context';
import { UserError } from '../errors';

export type RecoveryMethod =
  | 'strategies.list' | 'strategies.get' | 'strategies.set' | 'strategies.resetDefault' | 'recovery.tones'
  | 'templates.preview' | 'templates.testSend' | 'smtp.get' | 'smtp.set' | 'recovery.settings.get' | 'recovery.settings.set'
  | 'suppressions.list' | 'suppressions.add' | 'suppressions.remove'
  | 'runs.plan' | 'runs.planGet' | 'runs.planExport' | 'runs.start' | 'runs.status' | 'runs.list' | 'runs.pause' | 'runs.resume'
  | 'runs.cancel' | 'runs.actions' | 'runs.tick' | 'outbox.list' | 'outbox.get' | 'audit.list' | 'audit.export' | 'customers.timeline';

const notBuilt = (what: string) => async (): Promise<never> => {
  throw new UserError('unavailable', `${what} is not built yet (issue #12 is in progress).`);
};

export function recoveryHandlers(_ctx: HandlerContext): HandlerGroup<RecoveryMethod> {
  return {
    'strategies.list': notBuilt('Strategies'),
    'strategies.get': notBuilt('Strategies'),
    'strategies.set': notBuilt('Strategies'),
    'strategies.resetDefault': notBuilt('Strategies'),
    'recovery.tones': notBuilt('Tone presets'),
    'templates.preview': notBuilt('Template preview'),
    'templates.testSend': notBuilt('Test send'),
    'smtp.get': notBuilt('SMTP settings'),
    'smtp.set': notBuilt('SMTP settings'),
    'recovery.settings.get': notBuilt('Recovery settings'),
    'recovery.settings.set': notBuilt('Recovery settings'),
    'suppressions.list': notBuilt('The suppression list'),
    'suppressions.add': notBuilt('The suppression list'),
    'suppressions.remove': notBuilt('The suppression list'),
    'runs.plan': notBuilt('Recovery plans'),
    'runs.planGet': notBuilt('Recovery plans'),
    'runs.planExport': notBuilt('Plan export'),
    'runs.start': notBuilt('Recovery runs'),
    'runs.status': notBuilt('Recovery runs'),
    'runs.list': notBuilt('Recovery runs'),
    'runs.pause': notBuilt('Recovery runs'),
    'runs.resume': notBuilt('Recovery runs'),
    'runs.cancel': notBuilt('Recovery runs'),
    'runs.actions': notBuilt('Recovery runs'),
    'runs.tick': notBuilt('Recovery runs'),
    'outbox.list': notBuilt('The outbox'),
    'outbox.get': notBuilt('The outbox'),
    'audit.list': notBuilt('The audit log'),
    'audit.export': notBuilt('The audit log'),
    'customers.timeline': notBuilt('The customer timeline'),
  };
}
