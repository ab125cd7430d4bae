import { recomputeMembershipInBackground } from '../segments/membership-async';
import type { HandlerContext, HandlerGroup } from '../context';
import { catalogFor } from './catalog';
import { recomputeFacts } from './compute';
import { applyCsvImport, previewCsvImport } from './csv-import';

/** CSV custom attributes: preview, then apply all-or-nothing. */
export function attributeHandlers(ctx: HandlerContext): HandlerGroup<'attributes.previewCsv' | 'attributes.importCsv'> {
  const { registry } = ctx;
  return {
    'attributes.previewCsv': async ({ workspaceId, csv, match }) => {
      const p = previewCsvImport(ctx.db(workspaceId), csv, { match });
      return { columns: p.columns, rows: p.rows, matched: p.matched, errors: p.errors };
    },

    'attributes.importCsv': async ({ workspaceId, csv, match }) => {
      const db = ctx.db(workspaceId);
      const now = ctx.nowSec();
      const r = applyCsvImport(db, csv, { match }, now);
      // New attributes are usable in rules at once: refresh facts and membership.
      recomputeFacts(db, { now, reportingCurrency: registry.get(workspaceId).currency, customerIds: 'dirty' });
      await recomputeMembershipInBackground(db, catalogFor(db), now, {
        mode: 'auto', // only customers whose facts changed, unless a rule did
        onProgress: (p) => ctx.events.emit('segments.recompute', { workspaceId, ...p }),
      });
      ctx.events.emit('segments.changed', { workspaceId });
      return { imported: r.imported, columns: r.columns };
    },
  };
}
