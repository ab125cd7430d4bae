import crypto from 'node:crypto';
import type { PerformanceReport } from '../../../shared/performance';
import { REVIEW_ID_PREFIX, type ReviewSession } from '../../../shared/review';
import type { Sqlite } from '../db/sqlite';
import type { Workspace } from '../../../shared/contract';

/** What a session holds: the stored report, or the read-only database it recomputes from. */
export type ReviewSource =
  | { kind: 'report'; report: PerformanceReport }
  | { kind: 'database'; db: Sqlite; workspace: Workspace };

/** Open review sessions, in the core process's memory only. */
export class ReviewSessions {
  private readonly open = new Map<string, { session: ReviewSession; source: ReviewSource }>();

  static newId(): string {
    return `${REVIEW_ID_PREFIX}${crypto.randomBytes(8).toString('hex')}`;
  }

  add(session: ReviewSession, source: ReviewSource): ReviewSession {
    this.open.set(session.id, { session, source });
    return session;
  }

  get(id: string): { session: ReviewSession; source: ReviewSource } | undefined {
    return this.open.get(id);
  }

  list(): ReviewSession[] {
    return [...this.open.values()].map((s) => s.session);
  }

  close(id: string): boolean {
    const hit = this.open.get(id);
    if (!hit) return false;
    if (hit.source.kind === 'database') hit.source.db.close();
    this.open.delete(id);
    return true;
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.close(id);
  }
}
