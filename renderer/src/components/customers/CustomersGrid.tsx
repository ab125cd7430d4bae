import { useVirtualizer } from '@tanstack/react-virtual';
import { Empty, theme } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { COLUMNS, GRID, GRID_MIN_WIDTH, type CellContext, type SortField } from './columns';
import { CustomerRow, ROW } from './CustomerRow';
import { PAGE, useCustomerPages, type CustomerQuery } from './useCustomerPages';

/** Rows read ahead of the last one in view, so the next page is there before it scrolls in. */
const AHEAD = 120;

interface Props {
  query: CustomerQuery;
  onSort: (field: SortField) => void;
  currency: string;
  filtered: { id: string; name: string } | undefined;
  onOpen: (customerId: string) => void;
  onTotal: (n: number | null) => void;
  onError: (message: string | null) => void;
}

/**
 * The virtualised Customers table (#22: smooth at 1M). Scrolling re-renders this component
 * only (the search box and filters above stay as they are), and in it only the rows that come
 * into view (CustomerRow is memoised, its cells plain elements).
 */
export function CustomersGrid({ query, onSort, currency, filtered, onOpen, onTotal, onError }: Props) {
  const { token } = theme.useToken();
  const { total, rowAt, loadPage } = useCustomerPages(query, { onTotal, onError });
  const [active, setActive] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = total ?? 0;

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns a mutable instance; the rows re-render from its items each render
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 8 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (!count) return;
    const to = Math.min(count - 1, last + AHEAD);
    for (let p = Math.floor(first / PAGE); p <= Math.floor(to / PAGE); p++) void loadPage(p);
  }, [first, last, count, loadPage]);

  const x: CellContext = useMemo(() => ({ currency, token }), [currency, token]);
  const open = useRef(onOpen);
  open.current = onOpen;
  const onPick = useCallback((index: number, customerId: string | null) => {
    setActive(index);
    if (customerId) open.current(customerId);
  }, []);

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(count - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      setActive(next);
      virtualizer.scrollToIndex(next);
    } else if (e.key === 'Enter') {
      const row = rowAt(active);
      if (row) onOpen(row.customer_id);
    }
  };

  const { sort } = query;
  const header = useMemo(
    () =>
      COLUMNS.map((c) => (
        <div
          key={c.key}
          role="columnheader"
          aria-sort={c.sort && sort.field === c.sort ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
          style={{ textAlign: c.align ?? 'left', cursor: c.sort ? 'pointer' : 'default', userSelect: 'none', padding: '0 8px' }}
          onClick={() => c.sort && onSort(c.sort)}
        >
          {c.label}
          {c.sort && sort.field === c.sort ? (sort.dir === 'desc' ? ' ↓' : ' ↑') : ''}
        </div>
      )),
    [sort, onSort],
  );

  return (
    <div
      role="grid"
      aria-label="Customers"
      aria-rowcount={count}
      tabIndex={0}
      onKeyDown={onKey}
      style={{ flex: 1, minHeight: 300, display: 'flex', flexDirection: 'column', overflowX: 'auto', overflowY: 'hidden', border: `1px solid ${token.colorBorderSecondary}`, borderRadius: 8, background: token.colorBgContainer, outline: 'none' }}
    >
      <div style={{ flex: 1, minHeight: 0, minWidth: GRID_MIN_WIDTH, display: 'flex', flexDirection: 'column' }}>
        <div role="row" style={{ display: 'grid', gridTemplateColumns: GRID, alignItems: 'center', height: 38, fontWeight: 600, fontSize: 13, borderBottom: `1px solid ${token.colorBorderSecondary}`, background: token.colorFillQuaternary }}>
          {header}
        </div>
        <div ref={scrollRef} style={{ flex: 1, overflow: 'auto', position: 'relative', contain: 'strict' }}>
          {total === 0 ? (
            <Empty style={{ marginTop: 48 }} description="No customer matches this search or filter." />
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => (
                <CustomerRow key={item.key} index={item.index} start={item.start} row={rowAt(item.index)} active={item.index === active} filtered={filtered} x={x} onPick={onPick} />
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
