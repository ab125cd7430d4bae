import type { ExportFormat, ExportWhat } from '../../../../shared/exports';

export type { ExportFormat, ExportWhat };

/** What the Exports page can export, in which formats, and the `reclaim export` command for it. */
export const EXPORT_WHAT: { value: ExportWhat; label: string }[] = [
  { value: 'performance', label: 'Performance report' },
  { value: 'segments', label: 'Segments' },
  { value: 'members', label: 'Segment members' },
  { value: 'plans', label: 'Run plans' },
  { value: 'runs', label: 'Runs and their actions' },
  { value: 'audit', label: 'Audit log' },
];

export const EXPORT_FORMATS: { value: ExportFormat; label: string; ext: string }[] = [
  { value: 'csv', label: 'CSV', ext: 'csv' },
  { value: 'xlsx', label: 'Excel', ext: 'xlsx' },
  { value: 'html', label: 'HTML report', ext: 'html' },
  { value: 'json', label: 'JSON', ext: 'json' },
];

export interface ExportChoice {
  what: ExportWhat;
  format: ExportFormat;
  /** Segment name; empty = all. */
  segment?: string;
  from?: string;
  to?: string;
}

/** Quotes a shell word only when it needs it (POSIX single quotes). */
const sh = (s: string) => (/^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function suggestedFileName(workspaceName: string, c: ExportChoice): string {
  const base = workspaceName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'workspace';
  const ext = EXPORT_FORMATS.find((f) => f.value === c.format)?.ext ?? c.format;
  return `${base}-${c.what}.${ext}`;
}

/** The exact `reclaim export` command for this choice (large exports stream from the CLI in constant memory). */
export function exportCommand(workspaceName: string, c: ExportChoice): string {
  const args = ['reclaim', '-w', sh(workspaceName), 'export', '--what', c.what, '--format', c.format, '--out', sh(suggestedFileName(workspaceName, c))];
  if (c.segment) args.push('--segment', sh(c.segment));
  if (c.from) args.push('--from', c.from);
  if (c.to) args.push('--to', c.to);
  return args.join(' ');
}
