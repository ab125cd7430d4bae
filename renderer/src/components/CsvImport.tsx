import { UploadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Modal, Radio, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import type { Output } from '../../../shared/contract';
import { useApp, useCurrentWorkspace } from '../store';

type Preview = Output<'attributes.previewCsv'>;

/**
 * Custom attributes from a CSV (usage, engagement…): pick a file, see what it
 * would import and every problem with its line number, then import — all or
 * nothing.
 */
export function CsvImportButton() {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const { message } = AntApp.useApp();
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [match, setMatch] = useState<'id' | 'email'>('id');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);

  const runPreview = async (text: string, by: 'id' | 'email') => {
    if (!client || !ws) return;
    setPreview(await client.call('attributes.previewCsv', { workspaceId: ws.id, csv: text, match: by }));
  };
  const pick = () => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.csv,text/csv';
    input.onchange = async () => {
      const file = input.files?.[0];
      if (!file) return;
      const text = await file.text();
      setCsv({ name: file.name, text });
      await runPreview(text, match).catch((e: Error) => message.error(e.message));
    };
    input.click();
  };
  const apply = async () => {
    if (!client || !ws || !csv) return;
    setBusy(true);
    try {
      const r = await client.call('attributes.importCsv', { workspaceId: ws.id, csv: csv.text, match });
      message.success(`Imported ${r.imported} customers: ${r.columns.join(', ')}`);
      setCsv(null);
      setPreview(null);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!ws) return null;
  const ok = preview !== null && preview.errors.length === 0 && preview.matched > 0;
  return (
    <>
      <Button icon={<UploadOutlined />} onClick={pick}>
        Import attributes (CSV)
      </Button>
      <Modal
        open={csv !== null}
        title={`Import custom attributes from ${csv?.name ?? ''}`}
        onCancel={() => (setCsv(null), setPreview(null))}
        okText={ok ? `Import ${preview.matched} customers` : 'Import'}
        okButtonProps={{ disabled: !ok, loading: busy }}
        onOk={apply}
        width={720}
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space>
            <Typography.Text>Match customers by</Typography.Text>
            <Radio.Group
              value={match}
              optionType="button"
              onChange={(e) => {
                setMatch(e.target.value);
                if (csv) void runPreview(csv.text, e.target.value);
              }}
              options={[
                { value: 'id', label: 'Stripe customer id' },
                { value: 'email', label: 'Email' },
              ]}
            />
          </Space>
          {preview && (
            <>
              <Typography.Text>
                {preview.rows} rows · {preview.matched} customers matched · columns:{' '}
                {preview.columns.map((c) => `${c.key} (${c.type})`).join(', ') || 'none'}
              </Typography.Text>
              {preview.errors.length > 0 ? (
                <>
                  <Alert type="error" showIcon message={`${preview.errors.length} problem(s): fix the file and choose it again. Nothing is imported while any remain.`} />
                  <Table size="small" rowKey={(e) => `${e.line}-${e.message}`} pagination={{ pageSize: 8 }} dataSource={preview.errors} columns={[{ title: 'Line', dataIndex: 'line', width: 70 }, { title: 'Problem', dataIndex: 'message' }]} />
                </>
              ) : (
                <Alert type="success" showIcon message="Ready to import. Cells are stored as text or numbers, never run as formulas." />
              )}
            </>
          )}
        </Space>
      </Modal>
    </>
  );
}
