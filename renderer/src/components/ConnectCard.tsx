import { ApiOutlined, RocketOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Collapse, Form, Input, InputNumber, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useApp } from '../store';

interface ConnectValues {
  key: string;
  apiBase?: string;
}

/**
 * Connect a Stripe account: the key goes to the main side once, is checked and
 * stored encrypted there; this form forgets it as soon as the request returns.
 */
export function ConnectCard() {
  const { client, refresh, select } = useApp();
  const { message } = AntApp.useApp();
  // How the key is protected on this machine: said once, here where keys are entered (not on every page).
  const [secretsNote, setSecretsNote] = useState<string | null>(null);
  useEffect(() => {
    client?.call('app.info', {}).then((i) => setSecretsNote(i.secretsNote ?? null), () => setSecretsNote(null));
  }, [client]);
  const [form] = Form.useForm<ConnectValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const [demoSize, setDemoSize] = useState(2000);
  const [demoBusy, setDemoBusy] = useState(false);

  const connect = async (values: ConnectValues) => {
    if (!client) return;
    setBusy(true);
    setError(null);
    setWarning(null);
    try {
      const r = await client.call('workspaces.connect', { key: values.key, ...(values.apiBase ? { apiBase: values.apiBase } : {}) });
      form.resetFields();
      await refresh();
      select(r.workspace.id);
      setWarning(r.warning);
      message.success(`Connected ${r.workspace.name} (${r.workspace.mode.toUpperCase()}) — first sync started`);
      void client.call('sync.start', { workspaceId: r.workspace.id });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      form.setFieldValue('key', '');
    } finally {
      setBusy(false);
    }
  };

  const demo = async () => {
    if (!client) return;
    setDemoBusy(true);
    try {
      const ws = await client.call('demo.create', { customers: demoSize });
      await refresh();
      select(ws.id);
      message.success(`Demo workspace ready: ${demoSize.toLocaleString()} customers`);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setDemoBusy(false);
    }
  };

  return (
    <Card title={<Space><ApiOutlined />Connect a Stripe account</Space>} size="small">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          Create a <b>restricted key</b> in the Stripe dashboard with read access to customers, subscriptions, invoices, charges,
          payment intents, payment methods, products, prices, coupons and events, and write access to customers, invoices and coupons.
          The key is checked, stored encrypted on this machine, and never shown again in full.
        </Typography.Text>
        <Form<ConnectValues> form={form} layout="inline" onFinish={connect} requiredMark={false} style={{ rowGap: 8 }}>
          <Form.Item name="key" rules={[{ required: true, whitespace: true, message: 'Paste a restricted key' }]}>
            <Input.Password placeholder="rk_live_… or rk_test_…" aria-label="Stripe restricted key" autoComplete="off" style={{ width: 380 }} visibilityToggle={false} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              Check and connect
            </Button>
          </Form.Item>
          <Collapse
            ghost
            size="small"
            style={{ width: '100%' }}
            items={[
              {
                key: 'adv',
                label: 'Advanced',
                children: (
                  <Form.Item name="apiBase" label="Stripe API base" help="Only for a local Stripe-compatible server (tests, demos).">
                    <Input placeholder="https://api.stripe.com" aria-label="Stripe API base" style={{ width: 320 }} />
                  </Form.Item>
                ),
              },
            ]}
          />
        </Form>
        {error && <Alert type="error" showIcon message="Not connected" description={error} data-testid="connect-error" />}
        {warning && <Alert type="warning" showIcon message={warning} />}
        {secretsNote && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="secrets-note">
            {secretsNote}
          </Typography.Text>
        )}
        <Space style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">No key at hand?</Typography.Text>
          <InputNumber min={10} max={200000} step={1000} value={demoSize} onChange={(v) => setDemoSize(v ?? 2000)} aria-label="Demo customers" addonAfter="customers" />
          <Button icon={<RocketOutlined />} loading={demoBusy} onClick={demo}>
            Create a demo workspace
          </Button>
        </Space>
      </Space>
    </Card>
  );
}
