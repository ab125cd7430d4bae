import type { Writable } from 'node:stream';
import type { Segment } from '../../../shared/contract';
import { EXPORT_APP_MAX_ROWS, type ExportFormat, type ExportInput } from '../../../shared/exports';
import type { PerformanceReport } from '../../../shared/performance';
import type { Handlers } from '../api';
import type { Sqlite } from '../db/sqlite';
import { badRequest } from '../errors';
import { getPlan } from '../recovery/plan';
import { writeCsvTable } from './csv-writer';
import { writeHtmlReport } from './html-report';
import { writeJsonDoc } from './json-writer';
import { put } from './sink';
import { capped, type ExportDoc, type Table } from './table';
import { auditTable } from './tables/audit';
import { membersCount, membersTable } from './tables/members';
import { performanceFiguresTable, performanceTables } from './tables/performance';
import { planTable } from './tables/plans';
import { runsTable } from './tables/runs';
import { segmentsTable } from './tables/segments';
import { writeXlsxDoc } from './xlsx-writer';

export interface ExportDeps {
  db: Sqlite;
  workspace: ExportDoc['workspace'];
  handlers: Pick<Handlers, 'segments.list' | 'runs.list' | 'performance.report'>;
  nowMs: number;
}

export type ExportRequest = Omit<ExportInput, 'workspaceId'>;

const DAY_MS = 86_400_000;

/** YYYY-MM-DD → epoch ms at 00:00 UTC; a clear error for a day that does not exist. */
function dayMs(text: string, option: string): number {
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw badRequest(`${option} must be a date as YYYY-MM-DD, got "${text.slice(0, 40)}"`);
  }
  return ms;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);

export function findSegment(segments: Segment[], name: string): Segment {
  const hit = segments.find((s) => s.name.toLowerCase() === name.trim().toLowerCase());
  if (!hit) throw badRequest(`There is no segment "${name.slice(0, 60)}". Segments: ${segments.map((s) => s.name).join(', ')}`);
  return hit;
}

/** Where the app's answer is too big. */
export function tooManyRows(req: ExportRequest, max = EXPORT_APP_MAX_ROWS): Error {
  const args = [`--what ${req.what}`, `--format ${req.format}`, ...(req.segment ? [`--segment "${req.segment}"`] : []), `--out ${req.what}.${req.format}`];
  return badRequest(`This export has more than ${max.toLocaleString('en')} rows, too many for the app: export it to a file with \`reclaim export ${args.join(' ')}\``);
}

/** Builds the tables (and, for performance, the report) a request asks for. */
export async function buildExport(deps: ExportDeps, req: ExportRequest, opts: { maxRows?: number } = {}): Promise<{ doc: ExportDoc; report: PerformanceReport | null; csvTable: Table }> {
  const { db, workspace } = deps;
  const fromMs = req.from !== undefined ? dayMs(req.from, '--from') : undefined;
  const toMs = req.to !== undefined ? dayMs(req.to, '--to') : undefined;
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw badRequest(`--from (${req.from}) is after --to (${req.to})`);
  const filters: Record<string, string> = {};
  if (req.segment) filters.segment = req.segment;
  if (req.from) filters.from = req.from;
  if (req.to) filters.to = req.to;
  let tables: Table[];
  let report: PerformanceReport | null = null;
  let csv: Table | null = null;
  let suffix = '';
  switch (req.what) {
    case 'segments':
      tables = [segmentsTable((await deps.handlers['segments.list']({ workspaceId: workspace.id, includeArchived: false })).segments, workspace.currency)];
      break;
    case 'members': {
      let seg: Segment | null = null;
      if (req.segment) {
        seg = findSegment((await deps.handlers['segments.list']({ workspaceId: workspace.id, includeArchived: false })).segments, req.segment);
        filters.segment = seg.name;
        suffix = `-${slug(seg.name)}`;
      }
      if (opts.maxRows !== undefined && membersCount(db, seg?.id ?? null) > opts.maxRows) throw tooManyRows(req, opts.maxRows);
      tables = [membersTable(db, workspace.currency, seg)];
      break;
    }
    case 'plans': {
      const id = req.planId ?? (db.prepare('SELECT id FROM recovery_plans ORDER BY created_at_ms DESC, rowid DESC LIMIT 1').pluck().get() as string | undefined);
      if (!id) throw badRequest('There is no plan yet: make a dry-run plan first (Runs → Dry-run plan, or `reclaim run plan`)');
      const plan = getPlan(db, id);
      if (!plan) throw badRequest(`There is no plan "${id.slice(0, 60)}"`);
      filters.plan = plan.planId;
      tables = [planTable(plan)];
      break;
    }
    case 'runs':
      tables = [runsTable(db, await deps.handlers['runs.list']({ workspaceId: workspace.id, limit: 500 }), workspace.currency)];
      break;
    case 'audit':
      tables = [auditTable(db, fromMs, toMs !== undefined ? toMs + DAY_MS : undefined)];
      break;
    case 'performance': {
      report = await deps.handlers['performance.report']({
        workspaceId: workspace.id,
        windowDays: req.windowDays ?? 30,
        ...(req.from ? { from: req.from } : {}),
        ...(req.to ? { to: req.to } : {}),
        segments: req.segment ? [req.segment] : [],
        variants: [],
      });
      if (req.segment && !report.available.segments.some((s) => s === req.segment)) {
        throw badRequest(`There is no segment "${req.segment.slice(0, 60)}" in the performance data. Segments: ${report.available.segments.join(', ') || 'none yet'}`);
      }
      filters.window = `${report.filters.windowDays} days`;
      filters.from = report.filters.from;
      filters.to = report.filters.to;
      if (req.segment) suffix = `-${slug(req.segment)}`;
      tables = performanceTables(report);
      csv = performanceFiguresTable(report);
      break;
    }
  }
  const counter = { rows: 0 };
  if (opts.maxRows !== undefined) {
    const max = opts.maxRows;
    const wrap = (t: Table): Table => ({ ...t, rows: capped(t.rows, counter, max, () => tooManyRows(req, max)) });
    tables = tables.map(wrap);
    if (csv) csv = wrap(csv);
  }
  const day = new Date(deps.nowMs).toISOString().slice(0, 10);
  const doc: ExportDoc = { baseName: `reclaim-${req.what}${suffix}-${day}`, workspace, generatedAtMs: deps.nowMs, filters, tables };
  return { doc, report, csvTable: csv ?? tables[0]! };
}

/** Writes the export in `format` to `out` (not ended). Returns the data rows written. */
export async function writeExport(built: Awaited<ReturnType<typeof buildExport>>, format: ExportFormat, out: Writable): Promise<number> {
  switch (format) {
    case 'csv':
      return writeCsvTable(built.csvTable, out);
    case 'json':
      if (built.report) {
        await put(out, `${JSON.stringify(built.report, null, 2)}\n`);
        return performanceTables(built.report).reduce((n, t) => n + [...t.rows].length, 0);
      }
      return writeJsonDoc(built.doc, out);
    case 'xlsx':
      return writeXlsxDoc(built.doc, out);
    case 'html':
      return writeHtmlReport(built.doc, built.report, out);
  }
}
