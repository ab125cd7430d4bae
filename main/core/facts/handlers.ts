import { recomputeMembershipAndClear } from '../reliability/pending';
import type { HandlerContext, HandlerGroup } from '../context';
import { recomputeFacts } from './compute';
import { applyCsvImport, previewCsvImport } from './csv-import';

/** CSV custom attributes: preview, then apply all-or-nothing. */
export function attributeHandlers(ctx: HandlerContext): HandlerGroup<'attributes.previewCsv' | 'attributes.importCsv'> {
  const { registry } = ctx;
  return {
    'attributes.previewCsv': async ({ workspaceId, csv, match }) => {
      const p = previewCsvImport(ctx.db(workspaceId), csv, { match });
      return { columns: p.columns, rows: p.rows, matched: p.matched, errors: p.errors, typeChanges: p.typeChanges };
    },

    'attributes.importCsv': async ({ workspaceId, csv, match, allowTypeChange }) => {
      const db = ctx.db(workspaceId);
      const now = ctx.nowSec();
      const r = applyCsvImport(db, csv, { match, allowTypeChange }, now);
      // New attributes are usable in rules at once: refresh facts and membership.
      // (A crash from here on is finished on the next open: the import left both marked.)
      recomputeFacts(db, { now, reportingCurrency: registry.get(workspaceId).currency, customerIds: 'dirty' });
      recomputeMembershipAndClear(db, now);
      ctx.events.emit('segments.changed', { workspaceId });
      return { imported: r.imported, columns: r.columns };
    },
  };
}
