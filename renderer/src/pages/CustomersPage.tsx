import { SearchOutlined } from '@ant-design/icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Alert, Empty, Input, Select, Space, Tag, Tooltip, Typography, theme } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CustomerFacts, Segment } from '../../../shared/contract';
import type { SORTABLE } from '../../../shared/contract';
import { declineWords } from '../../../shared/stripe-words';
import { CsvImportButton } from '../components/CsvImport';
import { CustomerDrawer } from '../components/CustomerDrawer';
import { formatDays, formatMoney } from '../lib/format';
import { useDebounced } from '../lib/useDebounced';
import { useApp, useCurrentWorkspace } from '../store';

const PAGE = 200;
const ROW = 40;
type SortField = (typeof SORTABLE)[number];

interface Column {
  key: string;
  label: string;
  width: string;
  sort?: SortField;
  align?: 'right';
  render: (c: CustomerFacts, currency: string) => React.ReactNode;
}

const COLUMNS: Column[] = [
  {
    key: 'customer',
    label: 'Customer',
    width: 'minmax(180px, 2fr)',
    sort: 'email',
    render: (c) => (
      <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
        <Typography.Text strong>{c.name ?? c.email ?? c.customer_id}</Typography.Text>{' '}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {c.email ?? c.customer_id}
        </Typography.Text>
      </span>
    ),
  },
  {
    key: 'segment',
    label: 'Segment',
    width: 'minmax(130px, 1fr)',
    render: (c) => (c.segment ? <Tag color={c.segment.color}>{c.segment.name}</Tag> : <Typography.Text type="secondary">Default</Typography.Text>),
  },
  { key: 'plan', label: 'Plan', width: '100px', render: (c) => c.plan ?? <Typography.Text type="secondary">—</Typography.Text> },
  { key: 'mrr', label: 'MRR', width: '110px', sort: 'mrr', align: 'right', render: (c, cur) => formatMoney(c.mrr, cur) },
  {
    key: 'risk',
    label: 'At risk',
    width: '110px',
    sort: 'amount_at_risk',
    align: 'right',
    render: (c, cur) => (c.amount_at_risk > 0 ? <Typography.Text type="danger">{formatMoney(c.amount_at_risk, cur)}</Typography.Text> : '—'),
  },
  { key: 'pastdue', label: 'Past due', width: '70px', align: 'right', render: (c) => c.open_past_due_count || '—' },
  { key: 'failures', label: 'Fails 12m', width: '80px', sort: 'failures_12m', align: 'right', render: (c) => c.failures_12m || '—' },
  {
    key: 'decline',
    label: 'Last decline',
    width: '140px',
    render: (c) =>
      c.last_decline_code ? (
        <Tooltip title={`${c.last_decline_hard ? 'Hard decline: do not retry, ask for a new card' : 'Soft decline: a retry may succeed'} (Stripe code ${c.last_decline_code})`}>
          <Tag color={c.last_decline_hard ? 'red' : 'orange'} data-testid="decline">{declineWords(c.last_decline_code)}</Tag>
        </Tooltip>
      ) : (
        '—'
      ),
  },
  { key: 'tenure', label: 'Tenure', width: '80px', sort: 'tenure_days', align: 'right', render: (c) => formatDays(c.tenure_days) },
  { key: 'ltv', label: 'LTV', width: '110px', sort: 'ltv', align: 'right', render: (c, cur) => formatMoney(c.ltv, cur) },
];

/** #21: filtered by a segment, a member another (higher-priority) segment wins says both. */
function MemberOf({ member, winner }: { member: { name: string }; winner: { name: string } | null }) {
  const text = `member of ${member.name} · handled by ${winner?.name ?? 'Default'}`;
  return (
    <Tooltip title={`${text}: a higher-priority segment wins, so its strategy applies`}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="member-of">
        {text}
      </Typography.Text>
    </Tooltip>
  );
}

const GRID = COLUMNS.map((c) => c.width).join(' ');
/** The narrowest the columns go; below it the table scrolls sideways inside itself (the page never does). */
const GRID_MIN_WIDTH = COLUMNS.reduce((sum, c) => sum + Number(/(\d+)px/.exec(c.width)?.[1] ?? 0), 0);

export function CustomersPage({ empty }: { empty: React.ReactNode }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const { token } = theme.useToken();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const [sort, setSort] = useState<{ field: SortField; dir: 'asc' | 'desc' }>({ field: 'amount_at_risk', dir: 'desc' });
  const [segmentId, setSegmentId] = useState<string | undefined>(undefined);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const pages = useRef(new Map<number, CustomerFacts[] | 'loading'>());
  // Each loaded page's `next` cursor: the page after a loaded one is read by index
  // at any depth; a page reached by a jump (scrollbar, End) falls back to its offset.
  const cursors = useRef(new Map<number, string | null>());
  const [, setVersion] = useState(0);
  const generation = useRef(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

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
        setError(null);
        setVersion((v) => v + 1);
      } catch (e) {
        if (gen !== generation.current) return;
        pages.current.delete(page);
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [client, ws, q, segmentId, sort],
  );

  useEffect(() => {
    generation.current += 1;
    pages.current.clear();
    cursors.current.clear();
    setTotal(null);
    setActive(0);
    void loadPage(0);
  }, [loadPage]);

  useEffect(() => {
    if (!client || !ws) return;
    client.call('segments.list', { workspaceId: ws.id }).then(
      (r) => setSegments(r.segments),
      () => setSegments([]),
    );
  }, [client, ws]);

  const count = total ?? 0;
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns a mutable instance; the rows re-render from its items each render
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 15 });
  const items = virtualizer.getVirtualItems();
  useEffect(() => {
    const needed = new Set(items.map((i) => Math.floor(i.index / PAGE)));
    for (const p of needed) void loadPage(p);
  }, [items, loadPage]);

  const rowAt = (index: number): CustomerFacts | null => {
    const page = pages.current.get(Math.floor(index / PAGE));
    return Array.isArray(page) ? (page[index % PAGE] ?? null) : null;
  };

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(count - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      setActive(next);
      virtualizer.scrollToIndex(next);
    } else if (e.key === 'Enter') {
      const row = rowAt(active);
      if (row) setOpen(row.customer_id);
    }
  };

  useEffect(() => {
    const onSlash = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === '/' && !['INPUT', 'TEXTAREA'].includes(t.tagName)) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onSlash);
    return () => window.removeEventListener('keydown', onSlash);
  }, []);

  const currency = ws?.currency ?? 'usd';
  const filtered = segmentId ? segments.find((s) => s.id === segmentId) : undefined;
  const header = useMemo(
    () =>
      COLUMNS.map((c) => (
        <div
          key={c.key}
          role="columnheader"
          aria-sort={c.sort && sort.field === c.sort ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
          style={{ textAlign: c.align ?? 'left', cursor: c.sort ? 'pointer' : 'default', userSelect: 'none', padding: '0 8px' }}
          onClick={() => c.sort && setSort((s) => ({ field: c.sort!, dir: s.field === c.sort && s.dir === 'desc' ? 'asc' : 'desc' }))}
        >
          {c.label}
          {c.sort && sort.field === c.sort ? (sort.dir === 'desc' ? ' ↓' : ' ↑') : ''}
        </div>
      )),
    [sort],
  );

  if (!ws) return <>{empty}</>;
  if (total === 0 && !q && !segmentId) return <>{empty}</>;

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%', gap: 12 }}>
      <Space wrap>
        <Input
          ref={(el) => {
            searchRef.current = el?.input ?? null;
          }}
          allowClear
          prefix={<SearchOutlined />}
          placeholder="Search any part of a name or email, or a customer id   ( / )"
          title="Any part of a name or email, in any case, accents included (ZOË finds Zoë); or a customer id (cus_…) exactly"
          aria-label="Search customers"
          style={{ width: 420 }}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <Select
          allowClear
          aria-label="Filter by segment"
          placeholder="All segments"
          style={{ width: 220 }}
          value={segmentId}
          onChange={(v?: string) => setSegmentId(v)}
          options={segments.map((s) => ({ value: s.id, label: `${s.name} (${s.stats.members.toLocaleString()})` }))}
        />
        <CsvImportButton />
        <Typography.Text type="secondary" data-testid="customer-count">
          {total === null ? 'Loading…' : `${total.toLocaleString()} customers`}
        </Typography.Text>
      </Space>
      {error && <Alert type="error" showIcon message={error} />}
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
        <div ref={scrollRef} style={{ flex: 1, overflow: 'auto', position: 'relative' }}>
          {total === 0 ? (
            <Empty style={{ marginTop: 48 }} description="No customer matches this search or filter." />
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const row = rowAt(item.index);
                return (
                  <div
                    key={item.key}
                    role="row"
                    aria-rowindex={item.index + 1}
                    aria-selected={item.index === active}
                    data-testid={row ? `customer-row-${row.customer_id}` : undefined}
                    onClick={() => {
                      setActive(item.index);
                      if (row) setOpen(row.customer_id);
                    }}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      height: ROW,
                      transform: `translateY(${item.start}px)`,
                      display: 'grid',
                      gridTemplateColumns: GRID,
                      alignItems: 'center',
                      fontSize: 13,
                      cursor: 'pointer',
                      borderBottom: `1px solid ${token.colorBorderSecondary}`,
                      background: item.index === active ? token.controlItemBgActive : undefined,
                    }}
                  >
                    {row
                      ? COLUMNS.map((c) => (
                          <div key={c.key} role="gridcell" style={{ padding: '0 8px', textAlign: c.align ?? 'left', overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }}>
                            {c.key === 'segment' && filtered && row.segment?.id !== filtered.id ? <MemberOf member={filtered} winner={row.segment} /> : c.render(row, currency)}
                          </div>
                        ))
                      : <div style={{ padding: '0 8px', color: token.colorTextQuaternary }}>Loading…</div>}
                  </div>
                );
              })}
            </div>
          )}
        </div>
        </div>
      </div>
      {open && <CustomerDrawer key={open} customerId={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
