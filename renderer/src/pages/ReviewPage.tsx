import { EyeOutlined } from '@ant-design/icons';
import { Alert, Button } from 'antd';
import { PerformanceView } from '../components/performance/PerformanceView';
import { useReview } from '../review-store';
import { useApp } from '../store';

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A report (or a workspace database copy) open for review: the Performance view of it under a
 * read-only banner, and nothing else — no workspace page, so nothing can be run, synced or sent.
 */
export function ReviewPage() {
  const client = useApp((s) => s.client);
  const dark = useApp((s) => s.theme === 'dark');
  const { session, report, filters, loading, error, setFilters, close } = useReview();
  if (!session || !report || !filters || !client) return null;
  const what =
    session.source === 'report'
      ? `${session.fileName}, generated ${utc(session.generatedAtMs ?? report.generatedAtMs)}`
      : `${session.fileName} (a workspace database copy, figures computed ${utc(report.generatedAtMs)})`;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 12, minWidth: 0 }} data-testid="review">
      <Alert
        type="warning"
        showIcon
        icon={<EyeOutlined />}
        data-testid="review-banner"
        message={`Review mode — read-only: ${what}`}
        description={`Workspace “${session.workspaceName}” (${session.mode} mode). Nothing can be run, synced or sent while reviewing${
          session.source === 'report' ? '; the figures are the report’s, for the filters it was exported with.' : '.'
        }`}
        action={
          <Button onClick={() => void close(client)} data-testid="review-close">
            Close review
          </Button>
        }
      />
      {error && <Alert type="error" showIcon message={error} data-testid="review-error" />}
      <PerformanceView
        report={report}
        filters={filters}
        {...(session.source === 'database' ? { onFiltersChange: (f) => void setFilters(client, f) } : {})}
        loading={loading}
        dark={dark}
      />
    </div>
  );
}
