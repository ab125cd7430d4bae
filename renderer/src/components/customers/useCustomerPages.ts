import { useCallback, useEffect, useRef, useState } from 'react';
import type { CustomerFacts } from '../../../../shared/contract';
import { useApp, useCurrentWorkspace } from '../../store';
import type { SortField } from './columns';

export const PAGE = 200;

export interface CustomerQuery {
  q: string;
  segmentId: string | undefined;
  sort: { field: SortField; dir: 'asc' | 'desc' };
}

/**
 * The Customers table's rows, read a page of PAGE at a time (`customers.list`), each page once.
 * The page after a loaded one is read by its `next` cursor at any depth; a page reached by a
 * jump (scrollbar, End) falls back to its offset. A new query starts over.
 */
export function useCustomerPages(query: CustomerQuery, report: { onTotal: (n: number | null) => void; onError: (message: string | null) => void }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const pages = useRef(new Map<number, CustomerFacts[] | 'loading'>());
  const cursors = useRef(new Map<number, string | null>());
  const [total, setTotal] = useState<number | null>(null);
  const [version, setVersion] = useState(0);
  const generation = useRef(0);
  const { q, segmentId, sort } = query;
  const { onTotal, onError } = report;

  const loadPage = useCallback(
    async (page: number) => {
      if (!client || !ws || pages.current.has(page)) return;
      pages.current.set(page, 'loading');
      const gen = generation.current;
      const after = page > 0 ? cursors.current.get(page - 1) : undefined;
      try {
        const res = await client.call('customers.list', {
          workspaceId: ws.id,
          ...(q ? { search: q } : {}),
          ...(segmentId ? { segmentId } : {}),
          sort: sort.field,
          dir: sort.dir,
          ...(after ? { after } : { offset: page * PAGE }),
          limit: PAGE,
        });
        if (gen !== generation.current) return;
        pages.current.set(page, res.rows);
        cursors.current.set(page, res.next);
        setTotal(res.total);
        onTotal(res.total);
        onError(null);
        setVersion((v) => v + 1);
      } catch (e) {
        if (gen !== generation.current) return;
        pages.current.delete(page);
        onError(e instanceof Error ? e.message : String(e));
      }
    },
    [client, ws, q, segmentId, sort, onTotal, onError],
  );

  useEffect(() => {
    generation.current += 1;
    pages.current.clear();
    cursors.current.clear();
    onTotal(null);
    void loadPage(0);
  }, [loadPage, onTotal]);

  /** The customer at `index`, or null while its page loads (or before it is asked for). */
  const rowAt = useCallback((index: number): CustomerFacts | null => {
    const page = pages.current.get(Math.floor(index / PAGE));
    return Array.isArray(page) ? (page[index % PAGE] ?? null) : null;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new version is a new page in the map
  }, [version]);

  return { total, rowAt, loadPage };
}
