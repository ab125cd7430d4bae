import { MailOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Descriptions, Empty, Input, Select, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { EmailTemplate, Output } from '../../../../shared/contract';
import { formatMoney } from '../../lib/format';
import { useDebounced } from '../../lib/useDebounced';
import { useApp, useCurrentWorkspace } from '../../store';

type Rendered = Output<'templates.preview'>;
type Sender = 'workspace' | 'account_manager';
interface CustomerOption {
  value: string;
  label: string;
}

/** A sandboxed frame: no scripts, no same-origin, no navigation of the console. */
export function EmailFrame({ html, title }: { html: string; title: string }) {
  // Preview only: long links wrap instead of widening the frame.
  const doc = `<style>body{overflow-wrap:anywhere}</style>${html}`;
  return <iframe title={title} sandbox="" srcDoc={doc} style={{ width: '100%', minHeight: 360, border: '1px solid rgba(128,128,128,.25)', borderRadius: 6, background: '#fff' }} />;
}

/** Customers of the workspace to preview on, highest amount at risk first; searchable. */
function useCustomerOptions(search: string) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const [options, setOptions] = useState<CustomerOption[]>([]);
  const q = useDebounced(search, 200);
  useEffect(() => {
    let stale = false;
    client.call('customers.list', { workspaceId: ws.id, search: q || undefined, sort: 'amount_at_risk', dir: 'desc', limit: 20 }).then(
      (r) => {
        if (stale) return;
        setOptions(
          r.rows.map((c) => ({
            value: c.customer_id,
            label: `${c.name ?? c.email ?? c.customer_id}${c.amount_at_risk > 0 ? ` · ${formatMoney(c.amount_at_risk, ws.currency)} at risk` : ''}`,
          })),
        );
      },
      () => !stale && setOptions([]),
    );
    return () => {
      stale = true;
    };
  }, [client, ws.id, ws.currency, q]);
  return options;
}

interface Props {
  /** Names what is being edited ("Step 1 · Email"). */
  title: string;
  template: EmailTemplate;
  sender: Sender;
  onChange(t: EmailTemplate): void;
  /** Shown above the editor, e.g. why a retry step has an email. */
  note?: string;
  /** Tone presets: choosing one replaces the template with that tone's wording. */
  tones: { tone: string; label: string; description: string; template: EmailTemplate }[];
}

/** Subject / text / HTML template with a live preview rendered by the core on a real customer, and a test send to the operator. */
export function TemplateEditor({ title, template, sender, onChange, note, tones }: Props) {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message, modal } = AntApp.useApp();
  const [search, setSearch] = useState('');
  const options = useCustomerOptions(search);
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [rendered, setRendered] = useState<{ for: string; value: Rendered } | null>(null);
  const [renderError, setRenderError] = useState<string | null>(null);
  const [testTo, setTestTo] = useState<string>('');
  const [sending, setSending] = useState(false);
  const chosen = customerId ?? options[0]?.value ?? null;
  const debounced = useDebounced(template, 250);
  const key = JSON.stringify([chosen, debounced, sender]);

  useEffect(() => {
    client.call('recovery.settings.get', { workspaceId: ws.id }).then(
      (s) => setTestTo((t) => t || (s.operatorEmail ?? '')),
      () => {},
    );
  }, [client, ws.id]);

  useEffect(() => {
    if (!chosen) return;
    let stale = false;
    client.call('templates.preview', { workspaceId: ws.id, customerId: chosen, template: debounced, sender }).then(
      (value) => {
        if (stale) return;
        setRendered({ for: key, value });
        setRenderError(null);
      },
      (e: Error) => {
        if (stale) return;
        setRendered(null);
        setRenderError(e.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [client, ws.id, chosen, debounced, sender, key]);

  const current = rendered?.for === key ? rendered.value : null;
  const updating = !!chosen && !current && !renderError;

  const testSend = async () => {
    if (!chosen) return;
    setSending(true);
    try {
      const r = await client.call('templates.testSend', { workspaceId: ws.id, customerId: chosen, template, sender, to: testTo || undefined });
      message.success(r.transport === 'capture' ? `Test email to ${r.to} captured: see Runs → Outbox` : `Test email sent to ${r.to}`);
      if (testTo && !r.to) setTestTo(r.to);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 320px), 1fr))', gap: 16, alignItems: 'start' }} data-testid="template-editor">
      <Card size="small" title={<Space><MailOutlined />{title}</Space>}>
        <Space direction="vertical" style={{ width: '100%' }}>
          {note && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{note}</Typography.Text>}
          <Select
            aria-label="Apply a tone preset"
            placeholder="Start from a tone preset…"
            value={null}
            style={{ width: '100%' }}
            options={tones.map((t) => ({ value: t.tone, label: `${t.label} — ${t.description}` }))}
            onChange={(tone: string) => {
              const preset = tones.find((t) => t.tone === tone);
              if (!preset) return;
              modal.confirm({
                title: `Replace this email with the “${preset.label}” preset?`,
                content: 'Subject, text and HTML are replaced; nothing is saved until you save the strategy.',
                okText: 'Replace',
                onOk: () => onChange(preset.template),
              });
            }}
          />
          <Input aria-label="Email subject" addonBefore="Subject" value={template.subject} onChange={(e) => onChange({ ...template, subject: e.target.value })} maxLength={500} />
          <Tabs
            size="small"
            items={[
              {
                key: 'text',
                label: 'Plain text',
                children: <Input.TextArea aria-label="Email text" value={template.text} onChange={(e) => onChange({ ...template, text: e.target.value })} autoSize={{ minRows: 10, maxRows: 24 }} style={{ fontFamily: 'monospace', fontSize: 12 }} />,
              },
              {
                key: 'html',
                label: 'HTML',
                children: (
                  <Space direction="vertical" style={{ width: '100%' }}>
                    <Input.TextArea
                      aria-label="Email HTML"
                      placeholder="Leave empty to send the plain text as HTML (escaped)."
                      value={template.html}
                      onChange={(e) => onChange({ ...template, html: e.target.value })}
                      autoSize={{ minRows: 10, maxRows: 24 }}
                      style={{ fontFamily: 'monospace', fontSize: 12 }}
                    />
                  </Space>
                ),
              },
            ]}
          />
          <div style={{ fontSize: 12, lineHeight: '22px' }}>
            <Typography.Text type="secondary">Liquid variables{rendered ? '' : ' (listed once a preview renders)'}: </Typography.Text>
            {rendered &&
              Object.keys(rendered.value.variables).map((v) => (
                <Typography.Text key={v} code style={{ fontSize: 11, whiteSpace: 'nowrap' }}>{`{{ ${v} }}`}</Typography.Text>
              ))}
            <Typography.Text type="secondary"> Customer-supplied text is escaped in HTML.</Typography.Text>
          </div>
        </Space>
      </Card>

      <Card
        size="small"
        title="Preview"
        data-testid="email-preview"
        extra={
          <Select
            aria-label="Preview customer"
            showSearch
            filterOption={false}
            onSearch={setSearch}
            value={chosen ?? undefined}
            onChange={(v: string) => setCustomerId(v)}
            options={options}
            placeholder="Choose a customer"
            style={{ width: 300 }}
            notFoundContent={search ? 'No customer matches' : 'No customers yet'}
          />
        }
      >
        {!chosen ? (
          <Empty description="The workspace has no customers to preview on yet." />
        ) : renderError ? (
          <Alert type="warning" showIcon message="This template does not render" description={renderError} data-testid="preview-error" />
        ) : (
          <Spin spinning={updating} tip="Rendering…">
            {current ? (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Descriptions size="small" column={1} bordered>
                  <Descriptions.Item label="From">{current.from}</Descriptions.Item>
                  <Descriptions.Item label="To">{current.to ?? <Tag color="red">no email address: this customer would be skipped</Tag>}</Descriptions.Item>
                  <Descriptions.Item label="Subject">
                    <span data-testid="preview-subject">{current.subject}</span>
                  </Descriptions.Item>
                </Descriptions>
                <Tabs
                  size="small"
                  items={[
                    { key: 'html', label: 'HTML', children: <EmailFrame title="Rendered HTML email" html={current.html} /> },
                    {
                      key: 'text',
                      label: 'Text',
                      children: (
                        <pre data-testid="preview-text" style={{ whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>
                          {current.text}
                        </pre>
                      ),
                    },
                    {
                      key: 'vars',
                      label: 'Variables',
                      children: (
                        <Descriptions size="small" column={1} bordered>
                          {Object.entries(current.variables).map(([k, v]) => (
                            <Descriptions.Item key={k} label={k}>
                              {v}
                            </Descriptions.Item>
                          ))}
                        </Descriptions>
                      ),
                    },
                  ]}
                />
              </Space>
            ) : (
              <div style={{ minHeight: 200 }} />
            )}
          </Spin>
        )}
        <Space.Compact style={{ width: '100%', marginTop: 12 }}>
          <Input aria-label="Test send address" placeholder="your own address (operator email in settings)" value={testTo} onChange={(e) => setTestTo(e.target.value)} />
          <Button icon={<SendOutlined />} onClick={testSend} loading={sending} disabled={!chosen}>
            Send test to me
          </Button>
        </Space.Compact>
      </Card>
    </div>
  );
}
