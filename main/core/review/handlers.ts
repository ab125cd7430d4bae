import fs from 'node:fs';
import path from 'node:path';
import type { ReviewMethod, ReviewSession } from '../../../shared/review';
import type { HandlerContext, HandlerGroup } from '../context';
import { badRequest, notFound } from '../errors';
import { isSqliteFile, openReviewDatabase } from './open-database';
import { readReport } from './read-report';
import { recomputeReport } from './recompute';
import { ReviewSessions } from './sessions';

/** Larger than any report Reclaim writes; a bigger text file is not one. */
const MAX_REPORT_BYTES = 100_000_000;

/**
 * Offline review (#19): pure reads of an exported report or a read-only
 * database copy. No Stripe key, no network; the guard (guard.ts) keeps a
 * review id out of every other request.
 */
export function reviewHandlers(ctx: HandlerContext, sessions: ReviewSessions): HandlerGroup<ReviewMethod> {
  const session = (id: string) => {
    const hit = sessions.get(id);
    if (!hit) throw notFound('That review (it may have been closed)');
    return hit;
  };

  const openReportText = (fileName: string, content: string): ReviewSession => {
    const report = readReport(fileName, content);
    return sessions.add(
      {
        id: ReviewSessions.newId(),
        source: 'report',
        fileName,
        workspaceName: report.workspace.name,
        mode: report.workspace.mode,
        simulated: report.simulated,
        generatedAtMs: report.generatedAtMs,
        openedAtMs: ctx.ports.clock.now(),
      },
      { kind: 'report', report },
    );
  };

  return {
    'review.open': async ({ path: given, fileName, content }) => {
      if (given) {
        const file = path.resolve(given);
        const name = path.basename(file);
        let stat: fs.Stats;
        try {
          stat = fs.statSync(file);
        } catch {
          throw badRequest(`There is no file at ${given}; check the path.`);
        }
        if (!stat.isFile()) throw badRequest(`${given} is a folder, not a file; choose a report or a workspace database copy.`);
        if (isSqliteFile(file)) {
          const id = ReviewSessions.newId();
          const { db, workspace, simulated } = openReviewDatabase(file, id);
          return sessions.add(
            { id, source: 'database', fileName: name, workspaceName: workspace.name, mode: workspace.mode, simulated, openedAtMs: ctx.ports.clock.now() },
            { kind: 'database', db, workspace },
          );
        }
        if (stat.size > MAX_REPORT_BYTES) throw badRequest(`${name} is too large to be a Reclaim report.`);
        return openReportText(name, fs.readFileSync(file, 'utf8'));
      }
      if (content === undefined) {
        throw badRequest('Choose a report to review (.json or .html), or give the path of a workspace database copy.');
      }
      const name = fileName ?? 'report';
      if (content.startsWith('SQLite format 3')) {
        throw badRequest(`${name} is a workspace database: give its path instead (a database copy is opened in place, read-only).`);
      }
      return openReportText(name, content);
    },

    'review.report': async ({ reviewId, ...filters }) => {
      const { source } = session(reviewId);
      if (source.kind === 'report') return source.report;
      return recomputeReport(source.db, source.workspace, filters, ctx.ports.clock.now());
    },

    'review.list': async () => sessions.list(),

    'review.close': async ({ reviewId }) => ({ closed: sessions.close(reviewId), id: reviewId }),
  };
}
