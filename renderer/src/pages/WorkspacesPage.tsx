import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Empty, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { ClientError, type Workspace } from '../../../shared/contract';
import { ConnectCard } from '../components/ConnectCard';
import { ModeBadge } from '../components/ModeBadge';
import { OperatorsCard } from '../components/OperatorsCard';
import { useApp } from '../store';

interface CreateValues {
  name: string;
  mode: 'test' | 'live';
  currency: string;
}

const CURRENCIES = ['usd', 'eur', 'gbp', 'cad', 'aud'];

export function WorkspacesPage() {
  const { client, workspaces, refresh, select, currentId } = useApp();
  const { message, modal } = AntApp.useApp();
  const [form] = Form.useForm<CreateValues>();
  const [busy, setBusy] = useState(false);

  const create = async (values: CreateValues) => {
    if (!client) return;
    setBusy(true);
    try {
      const ws = await client.call('workspaces.create', values);
      await refresh();
      select(ws.id);
      form.resetFields();
      message.success(`Workspace “${ws.name}” created`);
    } catch (e) {
      if (e instanceof ClientError && e.issues?.length) {
        form.setFields(e.issues.map((i) => ({ name: i.path as keyof CreateValues, errors: [i.message] })));
      } else message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = (ws: Workspace) => {
    modal.confirm({
      title: `Remove “${ws.name}”?`,
      content: 'Its synced data, segments and history on this machine are deleted. Nothing in Stripe changes.',
      okText: 'Remove workspace',
      okButtonProps: { danger: true },
      cancelText: 'Keep it',
      onOk: async () => {
        try {
          await client?.call('workspaces.remove', { id: ws.id });
          await refresh();
          message.success(`Workspace “${ws.name}” removed`);
        } catch (e) {
          message.error(e instanceof Error ? e.message : String(e));
        }
      },
    });
  };

  const disconnect = (ws: Workspace) => {
    modal.confirm({
      title: `Disconnect the Stripe key of “${ws.name}”?`,
      content: 'The encrypted key is deleted from this machine. Synced data stays and works offline; connect a key again to sync.',
      okText: 'Disconnect',
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await client?.call('workspaces.disconnect', { workspaceId: ws.id });
          await refresh();
          message.success('Key removed');
        } catch (e) {
          message.error(e instanceof Error ? e.message : String(e));
        }
      },
    });
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ConnectCard />
      <OperatorsCard />
      <Card title="New empty workspace" size="small">
        <Form<CreateValues>
          form={form}
          layout="inline"
          initialValues={{ mode: 'test', currency: 'usd' }}
          onFinish={create}
          requiredMark={false}
          style={{ rowGap: 12 }}
        >
          <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true, message: 'Give the workspace a name' }]}>
            <Input placeholder="e.g. Acme (test)" aria-label="Workspace name" style={{ width: 240 }} maxLength={80} />
          </Form.Item>
          <Form.Item name="mode" label="Mode">
            <Radio.Group optionType="button" buttonStyle="solid" aria-label="Mode">
              <Radio.Button value="test">Test</Radio.Button>
              <Radio.Button value="live">Live</Radio.Button>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="currency" label="Reporting currency">
            <Select style={{ width: 100 }} aria-label="Reporting currency" options={CURRENCIES.map((c) => ({ value: c, label: c.toUpperCase() }))} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={busy}>
              Create workspace
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <Card title={`Workspaces (${workspaces.length})`} size="small">
        <Table<Workspace>
          rowKey="id"
          size="middle"
          pagination={false}
          dataSource={workspaces}
          locale={{ emptyText: <Empty description="No workspaces yet. Create one above." /> }}
          onRow={(ws) => ({ 'data-testid': `workspace-row-${ws.name}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: 'Name',
              dataIndex: 'name',
              render: (name: string, ws) => (
                <Space>
                  <Typography.Text strong={ws.id === currentId}>{name}</Typography.Text>
                  {ws.id === currentId && <Typography.Text type="secondary">(open)</Typography.Text>}
                </Space>
              ),
            },
            { title: 'Mode', key: 'mode', render: (_, ws) => <ModeBadge workspace={ws} /> },
            { title: 'Stripe account', dataIndex: 'stripeAccountId', render: (v: string | null) => v ?? <Typography.Text type="secondary">not connected</Typography.Text> },
            { title: 'Key', key: 'key', render: (_, ws) => ws.key?.masked ?? <Typography.Text type="secondary">—</Typography.Text> },
            { title: 'Currency', dataIndex: 'currency', render: (c: string) => c.toUpperCase() },
            {
              title: 'Last sync',
              dataIndex: 'lastSyncAt',
              render: (t: number | null) => (t ? new Date(t).toLocaleString() : <Typography.Text type="secondary">never</Typography.Text>),
            },
            {
              title: '',
              key: 'actions',
              align: 'right',
              render: (_, ws) => (
                <Space>
                  {ws.id !== currentId && <Button onClick={() => select(ws.id)}>Open</Button>}
                  {ws.key && <Button onClick={() => disconnect(ws)}>Disconnect key</Button>}
                  <Button danger icon={<DeleteOutlined />} aria-label={`Remove ${ws.name}`} onClick={() => remove(ws)}>
                    Remove
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}

