import { markMembershipPending, recomputeMembershipAndClearInBackground } from '../reliability/pending';
import type { HandlerContext, HandlerGroup } from '../context';
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
      return { columns: p.columns, rows: p.rows, matched: p.matched, errors: p.errors, typeChanges: p.typeChanges };
    },

    'attributes.importCsv': async ({ workspaceId, csv, match, allowTypeChange }) => {
      const db = ctx.db(workspaceId);
      const now = ctx.nowSec();
      const r = applyCsvImport(db, csv, { match, allowTypeChange }, now);
      // New attributes are usable in rules at once: refresh facts and membership.
      // (A crash from here on is finished on the next open: the import left both marked.)
      recomputeFacts(db, { now, reportingCurrency: registry.get(workspaceId).currency, customerIds: 'dirty' });
      await recomputeMembershipAndClearInBackground(db, now, { onProgress: (p) => ctx.events.emit('segments.recompute', { workspaceId, ...p }), logger: ctx.ports.logger });
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
        // Every MRR changes with the rule: mark every customer's facts and the membership
        // stale with the setting (a crash is finished on the next open), then recompute.
        db.transaction(() => {
          writeMrrOptions(db, { includeFiniteCoupons });
          db.prepare('INSERT OR IGNORE INTO dirty_customers (customer_id) SELECT customer_id FROM customer_facts').run();
          markMembershipPending(db);
        }).immediate();
        recomputeFacts(db, { now, reportingCurrency: registry.get(workspaceId).currency, customerIds: 'dirty' });
        await recomputeMembershipAndClearInBackground(db, now, { onProgress: (p) => ctx.events.emit('segments.recompute', { workspaceId, ...p }), logger: ctx.ports.logger });
        ctx.events.emit('segments.changed', { workspaceId });
      }
      return { ...readMrrOptions(db), rules: [...MRR_RULES] };
    },
  };
}
