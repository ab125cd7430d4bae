import { SearchOutlined } from '@ant-design/icons';
import { Alert, Input, Select, Space, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Segment } from '../../../shared/contract';
import { CsvImportButton } from '../components/CsvImport';
import { CustomerDrawer } from '../components/CustomerDrawer';
import type { SortField } from '../components/customers/columns';
import { CustomersGrid } from '../components/customers/CustomersGrid';
import { useDebounced } from '../lib/useDebounced';
import { useApp, useCurrentWorkspace } from '../store';

export function CustomersPage({ empty }: { empty: React.ReactNode }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const [sort, setSort] = useState<{ field: SortField; dir: 'asc' | 'desc' }>({ field: 'amount_at_risk', dir: 'desc' });
  const [segmentId, setSegmentId] = useState<string | undefined>(undefined);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!client || !ws) return;
    client.call('segments.list', { workspaceId: ws.id }).then(
      (r) => setSegments(r.segments),
      () => setSegments([]),
    );
  }, [client, ws]);

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

  const onSort = useCallback((field: SortField) => setSort((s) => ({ field, dir: s.field === field && s.dir === 'desc' ? 'asc' : 'desc' })), []);
  const query = useMemo(() => ({ q, segmentId, sort }), [q, segmentId, sort]);
  const filtered = segmentId ? segments.find((s) => s.id === segmentId) : undefined;

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
      {/* A new search, filter or sort starts the table over (its pages, scroll and selection). */}
      <CustomersGrid
        key={`${q}\u0000${segmentId ?? ''}\u0000${sort.field}\u0000${sort.dir}`}
        query={query}
        onSort={onSort}
        currency={ws.currency}
        filtered={filtered}
        onOpen={setOpen}
        onTotal={setTotal}
        onError={setError}
      />
      {open && <CustomerDrawer key={open} customerId={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
