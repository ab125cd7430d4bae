import { App as AntApp, Alert, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { SmtpSettings } from '../../../../shared/contract';
import { useApp, useCurrentWorkspace } from '../../store';

interface Values {
  transport: 'capture' | 'smtp';
  host: string;
  port: number | null;
  tls: 'starttls' | 'tls' | 'none';
  user: string;
  password: string;
  from: string;
  fromName: string;
  replyTo: string;
  ratePerMinute: number | null;
}

const toValues = (s: SmtpSettings): Values => ({
  transport: s.transport,
  host: s.host ?? '',
  port: s.port ?? 587,
  tls: s.tls,
  user: s.user ?? '',
  password: '',
  from: s.from ?? '',
  fromName: s.fromName ?? '',
  replyTo: s.replyTo ?? '',
  ratePerMinute: s.ratePerMinute,
});

/** SMTP delivery and the operator's identity. The password is write-only: the form never receives it. */
export function SmtpForm() {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [settings, setSettings] = useState<SmtpSettings | null>(null);
  const [operator, setOperator] = useState<{ operatorName: string; operatorEmail: string }>({ operatorName: '', operatorEmail: '' });
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const transport = Form.useWatch('transport', form);

  useEffect(() => {
    Promise.all([client.call('smtp.get', { workspaceId: ws.id }), client.call('recovery.settings.get', { workspaceId: ws.id })]).then(
      ([s, r]) => {
        setSettings(s);
        form.setFieldsValue(toValues(s));
        setOperator({ operatorName: r.operatorName, operatorEmail: r.operatorEmail ?? '' });
      },
      (e: Error) => setError(e.message),
    );
  }, [client, ws.id, form]);

  const save = async (v: Values) => {
    setSaving(true);
    try {
      const s = await client.call('smtp.set', {
        workspaceId: ws.id,
        transport: v.transport,
        ...(v.transport === 'smtp'
          ? {
              host: v.host.trim() || undefined,
              port: v.port ?? undefined,
              tls: v.tls,
              user: v.user.trim() || null,
              // Omitted keeps the stored password; typing one replaces it.
              ...(v.password ? { password: v.password } : {}),
            }
          : {}),
        from: v.from.trim() || undefined,
        fromName: v.fromName.trim() || null,
        replyTo: v.replyTo.trim() || null,
        ratePerMinute: v.ratePerMinute ?? undefined,
      });
      await client.call('recovery.settings.set', { workspaceId: ws.id, operatorName: operator.operatorName.trim() || undefined, operatorEmail: operator.operatorEmail.trim() || null });
      setSettings(s);
      form.setFieldsValue(toValues(s));
      message.success(s.transport === 'capture' ? 'Saved: emails are captured in the app, nobody is mailed' : 'Saved: runs deliver email over SMTP');
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const forgetPassword = async () => {
    try {
      const s = await client.call('smtp.set', { workspaceId: ws.id, transport: settings?.transport ?? 'smtp', tls: settings?.tls ?? 'starttls', password: '' });
      setSettings(s);
      message.success('SMTP password deleted');
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  if (error) return <Alert type="error" showIcon message="Email settings could not be loaded" description={error} />;
  return (
    <Card size="small" title="Email delivery" loading={!settings} style={{ maxWidth: 760 }} data-testid="smtp-form">
      <Form form={form} layout="horizontal" labelCol={{ span: 7 }} wrapperCol={{ span: 16 }} onFinish={save} requiredMark={false}>
        <Form.Item label="Delivery" name="transport">
          <Radio.Group
            options={[
              { value: 'capture', label: 'Capture in the app (nobody is mailed)' },
              { value: 'smtp', label: 'SMTP server' },
            ]}
          />
        </Form.Item>
        {transport === 'smtp' && (
          <>
            <Form.Item label="Host" name="host" rules={[{ required: true, message: 'The SMTP host is required' }]}>
              <Input aria-label="SMTP host" placeholder="smtp.example.com" />
            </Form.Item>
            <Form.Item label="Port and TLS">
              <Space>
                <Form.Item name="port" noStyle rules={[{ required: true, message: 'Port is required' }]}>
                  <InputNumber aria-label="SMTP port" min={1} max={65535} style={{ width: 110 }} />
                </Form.Item>
                <Form.Item name="tls" noStyle>
                  <Select
                    aria-label="TLS mode"
                    style={{ width: 220 }}
                    options={[
                      { value: 'starttls', label: 'STARTTLS (usually 587)' },
                      { value: 'tls', label: 'TLS (usually 465)' },
                      { value: 'none', label: 'None (local relays only)' },
                    ]}
                  />
                </Form.Item>
              </Space>
            </Form.Item>
            <Form.Item label="User" name="user">
              <Input aria-label="SMTP user" autoComplete="off" />
            </Form.Item>
            <Form.Item
              label="Password"
              extra={settings?.passwordSet ? 'A password is stored, encrypted on this machine. Leave empty to keep it; type a new one to replace it.' : 'Stored encrypted on this machine and never shown again.'}
            >
              <Space>
                <Form.Item name="password" noStyle>
                  <Input.Password aria-label="SMTP password" autoComplete="new-password" placeholder={settings?.passwordSet ? '•••••••• (stored)' : ''} visibilityToggle={false} style={{ width: 260 }} />
                </Form.Item>
                {settings?.passwordSet ? (
                  <>
                    <Tag color="green" data-testid="password-configured">
                      configured
                    </Tag>
                    <Button size="small" onClick={forgetPassword}>
                      Delete password
                    </Button>
                  </>
                ) : (
                  <Tag>not set</Tag>
                )}
              </Space>
            </Form.Item>
          </>
        )}
        <Form.Item label="From address" name="from" rules={transport === 'smtp' ? [{ required: true, message: 'A From address is required for SMTP' }] : []}>
          <Input aria-label="From address" placeholder="billing@yourcompany.com" />
        </Form.Item>
        <Form.Item label="From name" name="fromName">
          <Input aria-label="From name" placeholder="Your company billing" />
        </Form.Item>
        <Form.Item label="Reply-To" name="replyTo">
          <Input aria-label="Reply-To" />
        </Form.Item>
        <Form.Item label="Rate limit" name="ratePerMinute" extra="Emails per minute across a run.">
          <InputNumber aria-label="Emails per minute" min={1} max={10000} addonAfter="/ min" style={{ width: 160 }} />
        </Form.Item>
        <Typography.Title level={5} style={{ marginTop: 8 }}>
          Operator
        </Typography.Title>
        <Form.Item label="Your name" extra="Written into the audit log as who acted.">
          <Input aria-label="Operator name" value={operator.operatorName} onChange={(e) => setOperator({ ...operator, operatorName: e.target.value })} />
        </Form.Item>
        <Form.Item label="Your email" extra="Test sends go here, never to the customer.">
          <Input aria-label="Operator email" value={operator.operatorEmail} onChange={(e) => setOperator({ ...operator, operatorEmail: e.target.value })} />
        </Form.Item>
        <Form.Item wrapperCol={{ offset: 7 }}>
          <Button type="primary" htmlType="submit" loading={saving}>
            Save email settings
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
