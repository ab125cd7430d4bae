import { EXPORT_APP_MAX_ROWS, EXPORT_MIME, type ExportMethod } from '../../../shared/exports';
import type { Handlers } from '../api';
import type { HandlerContext, HandlerGroup } from '../context';
import { buildExport, writeExport } from './create';
import { finish, memorySink } from './sink';

/**
 * `exports.create` (#19): the file's content in the answer, for the app's
 * Exports page. At most EXPORT_APP_MAX_ROWS rows; bigger exports stream to a
 * file with `reclaim export` (the error says how).
 */
export function exportHandlers(ctx: HandlerContext, handlers: () => Pick<Handlers, 'segments.list' | 'runs.list' | 'performance.report'>): HandlerGroup<ExportMethod> {
  return {
    'exports.create': async ({ workspaceId, ...req }) => {
      const db = ctx.db(workspaceId);
      const w = ctx.registry.get(workspaceId);
      const built = await buildExport(
        { db, workspace: { id: w.id, name: w.name, kind: w.kind, mode: w.mode, currency: w.currency }, handlers: handlers(), nowMs: ctx.ports.clock.now() },
        req,
        { maxRows: EXPORT_APP_MAX_ROWS },
      );
      const sink = memorySink();
      const rows = await writeExport(built, req.format, sink.stream);
      await finish(sink.stream);
      const bytes = sink.buffer();
      const binary = req.format === 'xlsx';
      return {
        fileName: `${built.doc.baseName}.${req.format}`,
        mime: EXPORT_MIME[req.format],
        encoding: binary ? 'base64' : 'utf8',
        content: binary ? bytes.toString('base64') : bytes.toString('utf8'),
        rows,
      };
    },
  };
}
