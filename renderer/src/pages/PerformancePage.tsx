import { Alert } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PerformanceReport } from '../../../shared/performance';
import { PerformanceView } from '../components/performance/PerformanceView';
import { filtersFromQuery, filtersToQuery, toRequest, type ChosenFilters } from '../components/performance/url-filters';
import { readHash, writeHash } from '../lib/hash-route';
import { useApp, useCurrentWorkspace } from '../store';
import { EmptySection } from './EmptySection';
import { SECTIONS } from '../nav';

/**
 * Performance (#19): the workspace's `performance.report` for the filters in the address
 * (`#performance?window=60&segment=Enterprise`), so a reload or a shared link opens the same view.
 */
export function PerformancePage() {
  const client = useApp((s) => s.client);
  const dark = useApp((s) => s.theme === 'dark');
  const ws = useCurrentWorkspace();
  const [filters, setFilters] = useState<ChosenFilters>(() => filtersFromQuery(readHash().query));
  const [report, setReport] = useState<PerformanceReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const asked = useRef(0);

  // The address follows the filters; a link edited by hand (or Back within the page) is read back.
  useEffect(() => writeHash('performance', filtersToQuery(filters)), [filters]);
  useEffect(() => {
    const onHash = () => {
      const { section, query } = readHash();
      if (section === 'performance') setFilters(filtersFromQuery(query));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const load = useCallback(async () => {
    if (!client || !ws) return;
    const n = ++asked.current;
    setLoading(true);
    try {
      const r = await client.call('performance.report', { workspaceId: ws.id, ...toRequest(filters) });
      if (n !== asked.current) return;
      setReport(r);
      setError(null);
    } catch (e) {
      if (n !== asked.current) return;
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      if (n === asked.current) setLoading(false);
    }
  }, [client, ws, filters]);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the report from the core is the effect
    void load();
  }, [load]);

  if (!ws) return <EmptySection section={SECTIONS.find((s) => s.key === 'performance')!} />;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 12, minWidth: 0 }}>
      {error && <Alert type="warning" showIcon data-testid="performance-error" message="The report could not be computed" description={error} />}
      {report ? (
        <PerformanceView report={report} filters={filters} onFiltersChange={setFilters} loading={loading} dark={dark} />
      ) : loading ? (
        <EmptyWhileLoading />
      ) : null}
    </div>
  );
}

function EmptyWhileLoading() {
  return <div data-testid="performance-loading" style={{ minHeight: 200 }} />;
}
