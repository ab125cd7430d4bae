import { create } from 'zustand';
import type { Input, ReclaimClient } from '../../shared/contract';
import type { PerformanceReport } from '../../shared/performance';
import type { ReviewSession } from '../../shared/review';
import { toRequest, type ChosenFilters } from './components/performance/url-filters';

/**
 * Offline review in the renderer (#19): the open review session and its report. While a session
 * is open the shell shows only the review (App.tsx): no workspace page, so no Run, Sync or Send
 * control is on screen; the core refuses a review id in any such request anyway.
 */
interface ReviewState {
  session: ReviewSession | null;
  report: PerformanceReport | null;
  filters: ChosenFilters | null;
  loading: boolean;
  error: string | null;
  open(client: ReclaimClient, input: Input<'review.open'>): Promise<void>;
  /** A database copy is recomputed with new filters; a report file's filters are fixed. */
  setFilters(client: ReclaimClient, filters: ChosenFilters): Promise<void>;
  close(client: ReclaimClient): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const useReview = create<ReviewState>((set, get) => ({
  session: null,
  report: null,
  filters: null,
  loading: false,
  error: null,
  open: async (client, input) => {
    set({ loading: true, error: null });
    try {
      const session = await client.call('review.open', input);
      const report = await client.call('review.report', { reviewId: session.id });
      const previous = get().session;
      if (previous) await client.call('review.close', { reviewId: previous.id }).catch(() => {});
      const f = report.filters;
      set({ session, report, filters: { windowDays: f.windowDays, from: f.from, to: f.to, segments: f.segments, variants: f.variants }, loading: false });
    } catch (e) {
      set({ loading: false, error: message(e) });
      throw e;
    }
  },
  setFilters: async (client, filters) => {
    const session = get().session;
    if (!session || session.source !== 'database') return;
    set({ filters, loading: true });
    try {
      const report = await client.call('review.report', { reviewId: session.id, ...toRequest(filters) });
      if (get().session?.id === session.id) set({ report, loading: false, error: null });
    } catch (e) {
      set({ loading: false, error: message(e) });
    }
  },
  close: async (client) => {
    const session = get().session;
    set({ session: null, report: null, filters: null, error: null, loading: false });
    if (session) await client.call('review.close', { reviewId: session.id }).catch(() => {});
  },
}));
