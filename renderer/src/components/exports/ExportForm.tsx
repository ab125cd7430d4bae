import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Segment, Workspace } from '../../../../shared/contract';
import { useApp } from '../../store';
import { EXPORT_FORMATS, EXPORT_WHAT, exportCommand, type ExportChoice } from './choices';
import { createExport } from './create-export';

/** Saves a Blob through the browser's download (the same in Electron and the console). */
function saveBlob(filename: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Choose what, format, segment and dates; download it, or copy the CLI command for a large export. */
export function ExportForm({ ws }: { ws: Workspace }) {
  const client = useApp((s) => s.client);
  const [choice, setChoice] = useState<ExportChoice>({ what: 'performance', format: 'html' });
  const [segments, setSegments] = useState<Segment[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    client?.call('segments.list', { workspaceId: ws.id }).then((r) => setSegments(r.segments), () => setSegments([]));
  }, [client, ws.id]);

  const set = (patch: Partial<ExportChoice>) => {
    setDone(null);
    setError(null);
    setChoice((c) => ({ ...c, ...patch }));
  };
  const badRange = !!choice.from && !!choice.to && choice.from > choice.to;

  const download = async () => {
    if (!client) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { filename, blob } = await createExport(client, ws.id, choice);
      saveBlob(filename, blob);
      setDone(filename);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title="Export" data-testid="export-form">
      <Form layout="vertical" style={{ maxWidth: 720 }}>
        <Space wrap size="middle" align="start">
          <Form.Item label="What" style={{ marginBottom: 8 }}>
            <Select style={{ width: 220 }} value={choice.what} onChange={(what) => set({ what })} options={EXPORT_WHAT} data-testid="export-what" aria-label="What to export" />
          </Form.Item>
          <Form.Item label="Format" style={{ marginBottom: 8 }}>
            <Select style={{ width: 160 }} value={choice.format} onChange={(format) => set({ format })} options={EXPORT_FORMATS} data-testid="export-format" aria-label="Format" />
          </Form.Item>
          <Form.Item label="Segment" style={{ marginBottom: 8 }}>
            <Select
              style={{ width: 200 }}
              allowClear
              placeholder="All segments"
              value={choice.segment}
              onChange={(segment?: string) => set({ segment: segment || undefined })}
              options={segments.map((s) => ({ value: s.name, label: s.name }))}
              data-testid="export-segment"
              aria-label="Segment"
            />
          </Form.Item>
        </Space>
        <Space wrap size="middle" align="start">
          <Form.Item label="From" style={{ marginBottom: 8 }}>
            <Input type="date" value={choice.from ?? ''} onChange={(e) => set({ from: e.target.value || undefined })} data-testid="export-from" aria-label="From" />
          </Form.Item>
          <Form.Item label="To" style={{ marginBottom: 8 }} validateStatus={badRange ? 'error' : undefined} help={badRange ? 'The end date is before the start date' : undefined}>
            <Input type="date" value={choice.to ?? ''} onChange={(e) => set({ to: e.target.value || undefined })} data-testid="export-to" aria-label="To" />
          </Form.Item>
        </Space>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Button type="primary" icon={<DownloadOutlined />} loading={busy} disabled={badRange} onClick={() => void download()} data-testid="export-download">
            Download
          </Button>
          {done && (
            <Typography.Text type="success" data-testid="export-done">
              Saved {done} to your downloads.
            </Typography.Text>
          )}
          {error && <Alert type="error" showIcon message={error} data-testid="export-error" />}
          <Typography.Text type="secondary">For a large export (a million members), the same from a terminal, streamed in constant memory:</Typography.Text>
          <Typography.Text code copyable data-testid="export-command">
            {exportCommand(ws.name, choice)}
          </Typography.Text>
        </Space>
      </Form>
    </Card>
  );
}
