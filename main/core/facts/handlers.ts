import { recomputeMembership } from '../segments/service';
import type { HandlerContext, HandlerGroup } from '../context';
import { catalogFor } from './catalog';
import { recomputeFacts } from './compute';
import { applyCsvImport, previewCsvImport } from './csv-import';
import { MRR_RULES } from '../../../shared/mrr-rules';
import { readMrrOptions, writeMrrOptions } from './settings';

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
      recomputeMembership(db, catalogFor(db), now);
      ctx.events.emit('segments.changed', { workspaceId });
      return { imported: r.imported, columns: r.columns };
    },
  };
}

/** The workspace MRR setting (once/repeating coupons) and the rules shown to users. */
export function mrrSettingsHandlers(ctx: HandlerContext): HandlerGroup<'facts.mrrSettings' | 'facts.setMrrSettings'> {
  const { registry } = ctx;
  return {
    'facts.mrrSettings': async ({ workspaceId }) => ({ ...readMrrOptions(ctx.db(workspaceId)), rules: [...MRR_RULES] }),

    'facts.setMrrSettings': async ({ workspaceId, includeFiniteCoupons }) => {
      const db = ctx.db(workspaceId);
      const before = readMrrOptions(db);
      if (before.includeFiniteCoupons !== includeFiniteCoupons) {
        const now = ctx.nowSec();
        db.transaction(() => writeMrrOptions(db, { includeFiniteCoupons }))();
        // Every MRR changes with the rule: recompute all facts, then membership.
        recomputeFacts(db, { now, reportingCurrency: registry.get(workspaceId).currency, customerIds: 'all' });
        recomputeMembership(db, catalogFor(db), now);
        ctx.events.emit('segments.changed', { workspaceId });
      }
      return { ...readMrrOptions(db), rules: [...MRR_RULES] };
    },
  };
}
