import { isReviewId } from '../../../shared/review';
import type { Handlers } from '../api';
import { UserError } from '../errors';
import type { ReviewSessions } from './sessions';

/** The fields that name a workspace (`workspaceId`; `id` in workspaces.*): a search text that happens to start like a review id is not one. */
const WORKSPACE_FIELDS = ['workspaceId', 'id'] as const;

/** The review id a request names as its workspace, if any. */
function reviewIdIn(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  for (const k of WORKSPACE_FIELDS) {
    const v = (input as Record<string, unknown>)[k];
    if (isReviewId(v)) return v;
  }
  return null;
}

/**
 * Nothing executes from review mode: every request but `review.*` refuses a
 * review id (sync, plan, run, send, edit, and the workspace reads too — a
 * review reads only its report), in one sentence.
 */
export function refuseReviewIds(handlers: Handlers, sessions: ReviewSessions): Handlers {
  const guarded = { ...handlers } as Record<string, (input: unknown) => Promise<unknown>>;
  for (const [method, handler] of Object.entries(guarded)) {
    if (method.startsWith('review.')) continue;
    guarded[method] = async (input: unknown) => {
      const id = reviewIdIn(input);
      if (id) {
        const file = sessions.get(id)?.session.fileName;
        throw new UserError(
          'forbidden',
          `Review mode is read-only: ${file ? `${file} is open for review, and ` : ''}nothing can be synced, planned, run, sent or changed from a review.`,
        );
      }
      return handler(input);
    };
  }
  return guarded as Handlers;
}
