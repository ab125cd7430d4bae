import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import path from 'node:path';
import { ExportFormat, ExportWhat } from '../../../shared/exports';
import { UserError } from '../../core/errors';
import { exportToFile, type ExportProgress } from '../../core/exports/to-file';
import { CliExit, type CliContext } from '../context';

/** Rows from which a progress bar is worth showing. */
const BAR_FROM = 20_000;

function oneOf<T extends string>(option: string, allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new CliExit(2, `${option} must be one of ${allowed.join(', ')}, got "${v.slice(0, 40)}"`);
    return v as T;
  };
}

function day(option: string) {
  return (v: string): string => {
    const ms = Date.parse(`${v}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v) throw new CliExit(2, `${option} must be a date as YYYY-MM-DD, got "${v.slice(0, 40)}"`);
    return v;
  };
}

function windowDays(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 365) throw new CliExit(2, `--window must be a number of days from 1 to 365, got "${v.slice(0, 40)}"`);
  return n;
}

/** A bar on standard error, only on a terminal and only for big exports. */
function bar(stderr: NodeJS.WriteStream): ExportProgress {
  let b: SingleBar | null = null;
  return {
    start(total) {
      if (total < BAR_FROM) return;
      b = new SingleBar({ stream: stderr, format: 'Exporting [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left', hideCursor: true, clearOnComplete: true });
      b.start(total, 0);
    },
    update: (n) => b?.update(n),
    stop: () => b?.stop(),
  };
}

interface Opts {
  what?: ExportWhat;
  format?: ExportFormat;
  out?: string;
  segment?: string;
  from?: string;
  to?: string;
  window?: number;
  plan?: string;
}

/** `reclaim export`: any table as CSV, XLSX, HTML or JSON, streamed into a file (thin over core/exports). */
export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export performance, segments, members, plans, runs or the audit log to a file (CSV, XLSX, a self-contained HTML report, or JSON)')
    .option('--what <table>', `what to export: ${ExportWhat.options.join(', ')}`, oneOf('--what', ExportWhat.options))
    .option('--format <format>', `file format: ${ExportFormat.options.join(', ')} (default: from the --out extension)`, oneOf('--format', ExportFormat.options))
    .option('--out <file>', 'the file to write (a new file is private, 0600; written in full, then renamed into place)')
    .option('--segment <name>', 'members: that segment’s members; performance: that segment only')
    .option('--from <date>', 'performance: failures from this day; audit: entries from this day (YYYY-MM-DD, UTC)', day('--from'))
    .option('--to <date>', 'performance: failures up to this day; audit: entries up to this day (YYYY-MM-DD, UTC)', day('--to'))
    .option('--window <days>', 'performance: days after the first failure within which a payment counts as recovered (default 30)', windowDays)
    .option('--plan <id>', 'plans: a stored plan (default: the latest)')
    .action(async (o: Opts) => {
      if (!o.what) throw new CliExit(2, `--what is missing: one of ${ExportWhat.options.join(', ')}`);
      if (!o.out || !o.out.trim()) throw new CliExit(2, '--out is missing: the file to write, e.g. --out report.html');
      const ext = path.extname(o.out).slice(1).toLowerCase();
      const format = o.format ?? (ExportFormat.options as readonly string[]).find((f) => f === ext);
      if (!format) throw new CliExit(2, `--format is missing and "${path.basename(o.out)}" does not end in .csv, .xlsx, .html or .json`);
      if (o.from && o.to && o.from > o.to) throw new CliExit(2, `--from (${o.from}) is after --to (${o.to})`);
      const workspaceId = await ctx.workspaceId();
      const stderr = process.stderr;
      const progress = stderr.isTTY ? bar(stderr) : undefined;
      try {
        const r = await exportToFile(
          ctx.getCore(),
          workspaceId,
          {
            what: o.what,
            format: format as ExportFormat,
            ...(o.segment !== undefined ? { segment: o.segment } : {}),
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
            ...(o.window !== undefined ? { windowDays: o.window } : {}),
            ...(o.plan ? { planId: o.plan } : {}),
          },
          o.out,
          progress,
        );
        ctx.print({ file: r.file, rows: r.rows, what: o.what, format }, () => `Wrote ${o.out}: ${r.rows.toLocaleString('en')} rows (${o.what}, ${format})`);
      } catch (e) {
        if (e instanceof UserError) throw new CliExit(e.code === 'bad_request' ? 2 : 1, e.message);
        throw e;
      }
    });
}
