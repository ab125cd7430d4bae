import { ExportForm } from '../components/exports/ExportForm';
import { ReviewOpener } from '../components/exports/ReviewOpener';
import { useCurrentWorkspace } from '../store';

/** Exports (#19): export the workspace's data or reports, and open an exported report for review. */
export function ExportsPage() {
  const ws = useCurrentWorkspace();
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16, minWidth: 0 }} data-testid="exports">
      {ws && <ExportForm ws={ws} />}
      <ReviewOpener />
    </div>
  );
}
