import type { Segment } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { badRequest, notFound } from '../errors';
import { catalogFor } from '../facts/catalog';
import { assertCompiles, countMatching, matchingIds } from './compile';
import { recomputeMembershipAndClearInBackground, withMembershipPending } from '../reliability/pending';
import { cachedCatalog } from './catalog-cache';
import { previewMatching } from './preview';
import { RuleValidationError, validateRule } from './rule';
import { ruleWarnings } from './warnings';
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

/**
 * Rule problems become a bad_request naming each rule path; other errors pass
 * through. `saving` says whether the request would have saved the rule (only
 * then does the message say "was not saved").
 */
function userErrors<T>(fn: () => T, saving = true): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RuleValidationError) {
      throw badRequest(`${saving ? 'The rule was not saved' : 'The rule is not valid'}: ${e.message}`, e.errors.map((x) => ({ path: x.path, message: x.message })));
    }
    throw e;
  }
}

/**
 * Proves every rule among the input compiles to SQL this database accepts,
 * before anything is saved. With `onlyValid`, rules that fail validation are
 * left to the caller's own (more specific) report.
 */
function proveRules(db: Sqlite, now: number, rules: unknown[], onlyValid = false): void {
  const catalog = catalogFor(db);
  for (const rule of rules) {
    if (onlyValid && !validateRule(rule, catalog).ok) continue;
    userErrors(() => assertCompiles(db, rule, catalog, now));
  }
}

function rulesInImport(json: string): unknown[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    const list = Array.isArray(parsed) ? parsed : (parsed as { segments?: unknown } | null)?.segments;
    return Array.isArray(list) ? list.map((s) => (s as { rule?: unknown } | null)?.rule).filter((r) => r !== undefined) : [];
  } catch {
    return [];
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
   * Brings membership up to date after any change (the change itself committed with the
   * pending-membership marker), then reports the changed segment with fresh figures.
   * Rules are evaluated only when one changed (a reorder, archive or remove just
   * regenerates the winner view); a long recompute runs in slices without freezing the process.
   */
  const changed = async (workspaceId: string, db: Sqlite, id?: string): Promise<Segment> => {
    await recomputeMembershipAndClearInBackground(db, ctx.nowSec(), {
      onProgress: (p) => ctx.events.emit('segments.recompute', { workspaceId, ...p }),
      logger: ctx.ports.logger,
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
      proveRules(db, ctx.nowSec(), [input.rule]);
      const rec = userErrors(() => withMembershipPending(db, () => service.create(db, input, ctx.nowSec())));
      return { ...(await changed(workspaceId, db, rec.id)), warnings: ruleWarnings(db, input.rule, cachedCatalog(db)) };
    },
    'segments.update': async ({ workspaceId, id, ...patch }) => {
      const db = ctx.db(workspaceId);
      const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (clean.rule !== undefined) proveRules(db, ctx.nowSec(), [clean.rule]);
      const rec = userErrors(() => withMembershipPending(db, () => service.update(db, id, clean, ctx.nowSec())));
      return { ...(await changed(workspaceId, db, rec.id)), warnings: clean.rule !== undefined ? ruleWarnings(db, clean.rule, cachedCatalog(db)) : [] };
    },
    'segments.duplicate': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      return changed(workspaceId, db, withMembershipPending(db, () => service.duplicate(db, id, ctx.nowSec())).id);
    },
    'segments.archive': async ({ workspaceId, id, archived }) => {
      const db = ctx.db(workspaceId);
      return changed(workspaceId, db, withMembershipPending(db, () => service.archive(db, id, ctx.nowSec(), archived)).id);
    },
    'segments.remove': async ({ workspaceId, id }) => {
      const db = ctx.db(workspaceId);
      const r = withMembershipPending(db, () => service.remove(db, id));
      await changed(workspaceId, db);
      return r;
    },
    'segments.reorder': async ({ workspaceId, ids }) => {
      const db = ctx.db(workspaceId);
      userErrors(() => withMembershipPending(db, () => service.reorder(db, ids, ctx.nowSec())));
      await changed(workspaceId, db);
      return withStats(db).segments;
    },
    'segments.preview': async ({ workspaceId, rule }) => {
      const db = ctx.db(workspaceId);
      const catalog = cachedCatalog(db);
      const started = performance.now();
      const now = ctx.nowSec();
      const { sample, ...summary } = userErrors(() => previewMatching(db, rule, catalog, now, 10), false);
      const warnings = ruleWarnings(db, rule, catalog);
      return { ...summary, sample: sample.map((r) => ({ customer_id: r.id, email: r.email, name: r.name, mrr: r.mrr, plan: r.plan })), tookMs: performance.now() - started, warnings };
    },
    'segments.evaluate': async ({ workspaceId, rule, limit }) => {
      const db = ctx.db(workspaceId);
      const catalog = cachedCatalog(db);
      const now = ctx.nowSec();
      const summary = userErrors(() => countMatching(db, rule, catalog, now), false);
      return { ...summary, ids: matchingIds(db, rule, catalog, now, limit), warnings: ruleWarnings(db, rule, catalog) };
    },
    'segments.membership': async ({ workspaceId, customerId }) => {
      const db = ctx.db(workspaceId);
      const ws = ctx.registry.get(workspaceId);
      return service.membershipFor(db, customerId, catalogFor(db), ctx.nowSec(), ws.currency);
    },
    'segments.export': async ({ workspaceId }) => ({ json: service.exportSegments(ctx.db(workspaceId)) }),
    'segments.import': async ({ workspaceId, json }) => {
      const db = ctx.db(workspaceId);
      proveRules(db, ctx.nowSec(), rulesInImport(json), true);
      const imported = userErrors(() => withMembershipPending(db, () => service.importSegments(db, json, ctx.nowSec())));
      await changed(workspaceId, db);
      return { imported: imported.length };
    },
  };
}
