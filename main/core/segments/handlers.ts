import type { Segment } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { badRequest, notFound } from '../errors';
import { catalogFor } from '../facts/catalog';
import { countMatching, matchingIds } from './compile';
import { recomputeMembershipInBackground } from './membership-async';
import { cachedCatalog } from './catalog-cache';
import { previewMatching } from './preview';
import { RuleValidationError } from './rule';
import * as service from './service';
import type { HandlerContext, HandlerGroup } from '../context';

/** Segments with their figures from the stored membership, in priority order. */
function withStats(db: Sqlite, includeArchived = false): { segments: Segment[]; overlap: number[][]; defaultWins: number; total: number } {
  const st = service.stats(db);
  const byId = new Map(st.segments.map((s) => [s.id, s]));
  const segments = service.list(db, { includeArchived }).map((s) => {
    const x = byId.get(s.id);
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      color: s.color,
      rule: s.rule as unknown as Record<string, unknown>,
      priority: s.priority,
      isDefault: s.isDefault,
      archived: s.archived,
      stats: { members: x?.members ?? 0, mrr: x?.mrr ?? 0, openInvoices: x?.openInvoices ?? 0, amountAtRisk: x?.amountAtRisk ?? 0, wins: x?.wins ?? 0 },
    };
  });
  return { segments, overlap: st.overlap, defaultWins: st.defaultWins, total: st.total };
}

/** Rule problems become a bad_request naming each rule path; other errors pass through. */
function userErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RuleValidationError) {
      throw badRequest(`The rule was not saved: ${e.message}`, e.errors.map((x) => ({ path: x.path, message: x.message })));
    }
    throw e;
  }
}

export function segmentHandlers(
  ctx: HandlerContext,
): HandlerGroup<
  | 'segments.list'
  | 'segments.create'
  | 'segments.update'
  | 'segments.duplicate'
  | 'segments.archive'
  | 'segments.remove'
  | 'segments.reorder'
  | 'segments.preview'
  | 'segments.evaluate'
  | 'segments.membership'
  | 'segments.export'
  | 'segments.import'
> {
  /**
   * Brings membership up to date after any change, then reports the changed
   * segment with fresh figures. 'auto' evaluates rules only when one changed
   * (a reorder, archive or remove just regenerates the winner view).
   */
  const changed = async (workspaceId: string, db: Sqlite, id?: string): Promise<Segment> => {
    await recomputeMembershipInBackground(db, catalogFor(db), ctx.nowSec(), {
      mode: 'auto',
      onProgress: (p) => ctx.events.emit('segments.recompute', { workspaceId, ...p }),
    });
    ctx.events.emit('segments.changed', { workspaceId });
    if (!id) return undefined as never;
    const seg = withStats(db, true).segments.find((s) => s.id === id);
    if (!seg) throw notFound('The segment');
    return seg;
  };
  return {
    'segments.list': async ({ workspaceId, includeArchived }) => withStats(ctx.db(workspaceId), includeArchived),
    'segments.create': async ({ workspaceId, ...input }) => {
      const db = ctx.db(workspaceId);
      const rec = userErrors(() => service.create(db, input, ctx.nowSec()));
      return changed(workspaceId, db, rec.id);
    },
    'segments.update': async ({ workspaceId, id, ...patch }) => {
      const db = ctx.db(workspaceId);
      const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const rec = userErrors(() => service.update(db, id, clean, ctx.nowSec()));
      return changed(workspaceId, db, rec.id);
    },
    'segments.duplicate': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      return changed(workspaceId, db, service.duplicate(db, id, ctx.nowSec()).id);
    },
    'segments.archive': async ({ workspaceId, id, archived }) => {
      const db = ctx.db(workspaceId);
      return changed(workspaceId, db, service.archive(db, id, ctx.nowSec(), archived).id);
    },
    'segments.remove': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      const r = service.remove(db, id);
      await changed(workspaceId, db);
      return r;
    },
    'segments.reorder': async ({ workspaceId, ids }) => {
      const db = ctx.db(workspaceId);
      userErrors(() => service.reorder(db, ids, ctx.nowSec()));
      await changed(workspaceId, db);
      return withStats(db).segments;
    },
    'segments.preview': async ({ workspaceId, rule }) => {
      const db = ctx.db(workspaceId);
      const catalog = cachedCatalog(db);
      const started = performance.now();
      const now = ctx.nowSec();
      const { sample, ...summary } = userErrors(() => previewMatching(db, rule, catalog, now, 10));
      return { ...summary, sample: sample.map((r) => ({ customerId: r.id, email: r.email, name: r.name, mrr: r.mrr, plan: r.plan })), tookMs: performance.now() - started };
    },
    'segments.evaluate': async ({ workspaceId, rule, limit }) => {
      const db = ctx.db(workspaceId);
      const catalog = cachedCatalog(db);
      const now = ctx.nowSec();
      const summary = userErrors(() => countMatching(db, rule, catalog, now));
      return { ...summary, ids: matchingIds(db, rule, catalog, now, limit) };
    },
    'segments.membership': async ({ workspaceId, customerId }) => {
      const db = ctx.db(workspaceId);
      const ws = ctx.registry.get(workspaceId);
      return service.membershipFor(db, customerId, catalogFor(db), ctx.nowSec(), ws.currency);
    },
    'segments.export': async ({ workspaceId }) => ({ json: service.exportSegments(ctx.db(workspaceId)) }),
    'segments.import': async ({ workspaceId, json }) => {
      const db = ctx.db(workspaceId);
      const imported = userErrors(() => service.importSegments(db, json, ctx.nowSec()));
      await changed(workspaceId, db);
      return { imported: imported.length };
    },
  };
}
