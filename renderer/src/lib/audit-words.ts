/**
 * An audit entry's kind in words (#21): "Step done", not `action.succeeded`.
 * The kind itself stays in the tooltip, the filter and the exports.
 */
const SUBJECTS: Record<string, string> = {
  action: 'Step',
  sequence: 'Remaining steps',
  run: 'Run',
  strategy: 'Strategy',
  experiment: 'Experiment',
  suppression: 'Suppression',
  settings: 'Settings',
  email: 'Email',
  annual: 'Annual switch',
  offer: 'Offer',
  task: 'Task',
  segment: 'Segment',
};

const VERBS: Record<string, string> = {
  succeeded: 'done',
  canceled: 'cancelled',
  smtp: 'for email changed',
  test: 'test sent',
  split: 'split changed',
  joined: 'joined by another window',
  confirmed: 'confirmed',
};

export function auditKindWords(kind: string): string {
  const [subject = '', ...rest] = kind.split('.');
  const head = SUBJECTS[subject] ?? (subject ? subject[0]!.toUpperCase() + subject.slice(1).replace(/_/g, ' ') : kind);
  const tail = rest.map((r) => VERBS[r] ?? r.replace(/_/g, ' ')).join(' ');
  return tail ? `${head} ${tail}` : head;
}
