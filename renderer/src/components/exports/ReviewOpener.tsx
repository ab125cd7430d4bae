import { FolderOpenOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, Space, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useReview } from '../../review-store';
import { useApp } from '../../store';

/** The console's request size limit is 20 MB; Reclaim's reports are far smaller. */
const MAX_REPORT_BYTES = 19 * 1024 * 1024;

/**
 * "Open a report for review…": an exported .json/.html report picked as a file (its text is sent),
 * or a workspace database copy by its path (the browser cannot pass a path, so it is typed).
 */
export function ReviewOpener() {
  const client = useApp((s) => s.client);
  const open = useReview((s) => s.open);
  const busy = useReview((s) => s.loading);
  const fileInput = useRef<HTMLInputElement>(null);
  const [dbPath, setDbPath] = useState('');
  const [error, setError] = useState<string | null>(null);

  const run = async (input: Parameters<typeof open>[1]) => {
    if (!client) return;
    setError(null);
    try {
      await open(client, input);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (fileInput.current) fileInput.current.value = '';
    if (/\.(sqlite3?|db)$/i.test(file.name)) {
      setError(`${file.name} is a workspace database: type its path below instead (a copy is opened in place, read-only).`);
      return;
    }
    if (file.size > MAX_REPORT_BYTES) {
      setError(`${file.name} is too large to be a Reclaim report; review it from a terminal with: reclaim review FILE`);
      return;
    }
    const content = await file.text();
    await run({ fileName: file.name, content });
  };

  return (
    <Card size="small" title="Open a report for review" data-testid="review-opener">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          Review mode shows a report’s performance pages without a Stripe key or network, and nothing can be run, synced or sent from it.
        </Typography.Text>
        <input
          ref={fileInput}
          type="file"
          accept=".json,.html,.htm,application/json,text/html"
          style={{ display: 'none' }}
          data-testid="review-file"
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
        <Button icon={<FolderOpenOutlined />} loading={busy} onClick={() => fileInput.current?.click()} data-testid="review-pick">
          Open a report for review…
        </Button>
        <Typography.Text type="secondary">Or a copy of a workspace database, by its path on this machine (opened read-only):</Typography.Text>
        <Space.Compact style={{ width: '100%', maxWidth: 640 }}>
          <Input
            placeholder="/path/to/workspace-copy.sqlite"
            value={dbPath}
            onChange={(e) => setDbPath(e.target.value)}
            onPressEnter={() => dbPath.trim() && void run({ path: dbPath.trim() })}
            aria-label="Workspace database copy path"
            data-testid="review-path"
          />
          <Button disabled={!dbPath.trim()} loading={busy} onClick={() => void run({ path: dbPath.trim() })} data-testid="review-open-path">
            Open copy
          </Button>
        </Space.Compact>
        {error && <Alert type="error" showIcon message={error} data-testid="review-open-error" />}
      </Space>
    </Card>
  );
}
