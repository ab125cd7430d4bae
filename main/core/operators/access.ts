import type { Method } from '../../../shared/contract';
import type { OperatorRole } from '../../../shared/operators';

/**
 * Who may make each request once a workspace has operators (#23). One table:
 * a request missing here is a compile error.
 *
 * - read: anyone, signed in or not (lists, views, previews, exports).
 * - session: signing in and out on this desktop; always allowed.
 * - work: any signed-in operator — the queue, personal email, dry-run plans.
 * - specialist: specialists and admins; `does` says what it is, for the refusal.
 * - operators: admins (specialists where the workspace has no admin; anyone for the first operator).
 */
export type Access =
  | { kind: 'read' }
  | { kind: 'session' }
  | { kind: 'work' }
  | { kind: 'specialist'; does: string }
  | { kind: 'operators' };

const read: Access = { kind: 'read' };
const work: Access = { kind: 'work' };
const only = (does: string): Access => ({ kind: 'specialist', does });
const runs = only('start runs');
const strategies = only('edit strategies');
const segments = only('edit segments');
const experiments = only('change experiments');
const settings = only('change the workspace settings');
const data = only('sync or import data');

export const ACCESS: Record<Method, Access> = {
  'app.info': read,
  'workspaces.list': read,
  'workspaces.create': read, // a new workspace has no operators yet
  'workspaces.rename': settings,
  'workspaces.remove': only('remove the workspace'),
  'workspaces.connect': settings,
  'workspaces.disconnect': settings,
  'demo.create': read, // builds a new workspace
  'sync.start': data,
  'sync.cancel': data,
  'sync.status': read,
  'customers.list': read,
  'customers.get': read,
  'facts.catalog': read,
  'attributes.previewCsv': read,
  'attributes.importCsv': data,
  'segments.list': read,
  'segments.create': segments,
  'segments.update': segments,
  'segments.duplicate': segments,
  'segments.archive': segments,
  'segments.remove': segments,
  'segments.reorder': segments,
  'segments.preview': read,
  'segments.evaluate': read,
  'segments.membership': read,
  'segments.export': read,
  'segments.import': segments,
  'facts.mrrSettings': read,
  'facts.setMrrSettings': settings,
  'strategies.list': read,
  'strategies.get': read,
  'strategies.set': strategies,
  'strategies.resetDefault': strategies,
  'recovery.channels': read,
  'recovery.tones': read,
  'templates.preview': read,
  'templates.testSend': work,
  'smtp.get': read,
  'smtp.set': settings,
  'recovery.settings.get': read,
  'recovery.settings.set': settings,
  'suppressions.list': read,
  'suppressions.add': work, // a customer asked not to be emailed: anyone who hears it records it
  'suppressions.remove': settings,
  'runs.plan': work, // a dry run: sends nothing
  'runs.planGet': read,
  'runs.planExport': read,
  'runs.start': runs,
  'runs.status': read,
  'runs.list': read,
  'runs.pause': runs,
  'runs.resume': runs,
  'runs.cancel': runs,
  'runs.actions': read,
  'runs.tick': runs,
  'outbox.list': read,
  'outbox.get': read,
  'audit.list': read,
  'audit.export': read,
  'audit.verify': read,
  'customers.timeline': read,
  'recovery.switchToAnnual': work, // the customer accepted yearly billing on a call
  'queue.list': read,
  'queue.get': read,
  'queue.outcome': work,
  'queue.sendEmail': work,
  'whiteglove.settings.get': read,
  'whiteglove.voice.set': settings,
  'whiteglove.webhook.set': settings,
  'whiteglove.am.set': settings,
  'voice.poll': work,
  'experiments.list': read,
  'experiments.get': read,
  'experiments.create': experiments,
  'experiments.preview': read,
  'experiments.assign': experiments,
  'experiments.results': read,
  'experiments.stop': experiments,
  'experiments.setSplit': experiments,
  'experiments.ship': experiments,
  'experiments.segmentationResults': read,
  'experiments.settings.get': read,
  'experiments.settings.set': experiments,
  'performance.report': read,
  'exports.create': read,
  'review.open': read,
  'review.report': read,
  'review.list': read,
  'review.close': read,
  'operators.list': read,
  'operators.add': { kind: 'operators' },
  'operators.update': { kind: 'operators' },
  'operators.remove': { kind: 'operators' },
  'operators.signIn': { kind: 'session' },
  'operators.current': { kind: 'session' },
};

export const SIGN_IN_FIRST = 'Sign in as an operator first: this workspace has operators, and nobody is signed in on this desktop';

/** The one line an operator reads when their role may not make the request; null when it may. */
export function refusal(access: Access, role: OperatorRole): string | null {
  if (access.kind !== 'specialist' || role !== 'account_manager') return null;
  return `Account managers work the queue; ask a specialist to ${access.does}`;
}
