import { DeleteOutlined, UserAddOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { ClientError } from '../../../shared/contract';
import { ROLE_LABELS, type Operator, type OperatorRole } from '../../../shared/operators';
import { useOperators } from '../lib/operators';
import { useApp, useCurrentWorkspace } from '../store';

interface AddValues {
  name: string;
  email: string;
  role: OperatorRole;
}

const ROLE_OPTIONS = (Object.keys(ROLE_LABELS) as OperatorRole[]).map((r) => ({ value: r, label: ROLE_LABELS[r] }));

/**
 * Who works this workspace (#23): the operator list, adding one, and who is
 * signed in on this desktop. Without operators the workspace is one person's
 * and everything is allowed; with them, account managers work the queue and
 * specialists run recovery — the core enforces it for the app and the CLI alike.
 */
export function OperatorsCard() {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const { message, modal } = AntApp.useApp();
  const { operators, signedIn, reload } = useOperators(client, ws?.id);
  const [form] = Form.useForm<AddValues>();
  const [busy, setBusy] = useState(false);
  if (!ws || !client) return null;

  const fail = (e: unknown) => message.error(e instanceof Error ? e.message : String(e));
  const add = async (values: AddValues) => {
    setBusy(true);
    try {
      const op = await client.call('operators.add', { workspaceId: ws.id, ...values });
      form.resetFields();
      message.success(`${op.name} added`);
      await reload();
    } catch (e) {
      if (e instanceof ClientError && e.issues?.length) form.setFields(e.issues.map((i) => ({ name: i.path as keyof AddValues, errors: [i.message] })));
      else fail(e);
    } finally {
      setBusy(false);
    }
  };
  const signIn = async (id: string | null) => {
    try {
      const r = await client.call('operators.signIn', { workspaceId: ws.id, id });
      message.success(r.signedIn ? `Signed in as ${r.signedIn.name}` : 'Signed out');
      await reload();
    } catch (e) {
      fail(e);
    }
  };
  const remove = (op: Operator) =>
    modal.confirm({
      title: `Remove ${op.name}?`,
      content: 'Their past actions keep their name in the audit log.',
      okText: 'Remove operator',
      okButtonProps: { danger: true },
      cancelText: 'Keep',
      onOk: async () => {
        try {
          await client.call('operators.remove', { workspaceId: ws.id, id: op.id });
          await reload();
        } catch (e) {
          fail(e);
        }
      },
    });

  return (
    <Card title="Operators" size="small" data-testid="operators-card">
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        {operators.length === 0 ? (
          <Typography.Text type="secondary">
            No operators: one person works this workspace and everything is allowed. Add the first (an admin or a recovery specialist) to name who did what and to give account managers their own role.
          </Typography.Text>
        ) : (
          <Space wrap>
            <Typography.Text id="signed-in-label">Signed in on this computer as</Typography.Text>
            <Select
              aria-labelledby="signed-in-label"
              data-testid="signed-in-as"
              style={{ width: 280 }}
              showSearch
              optionFilterProp="label"
              value={signedIn?.id ?? ''}
              onChange={(v: string) => void signIn(v || null)}
              options={[{ value: '', label: 'Nobody (read only)' }, ...operators.map((o) => ({ value: o.id, label: `${o.name} — ${ROLE_LABELS[o.role]}` }))]}
            />
          </Space>
        )}
        {operators.length > 0 && (
          <Table<Operator>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={operators}
            onRow={(o) => ({ 'data-testid': `operator-row-${o.email}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: 'Name', dataIndex: 'name', render: (name: string, o) => (o.id === signedIn?.id ? <Typography.Text strong>{name} (you)</Typography.Text> : name) },
              { title: 'Email', dataIndex: 'email' },
              { title: 'Role', dataIndex: 'role', render: (r: OperatorRole) => ROLE_LABELS[r] },
              {
                title: '',
                key: 'remove',
                width: 60,
                render: (_: unknown, o) => <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={`Remove ${o.name}`} onClick={() => remove(o)} />,
              },
            ]}
          />
        )}
        <Form<AddValues> form={form} layout="inline" initialValues={{ role: 'specialist' }} onFinish={add} requiredMark={false} style={{ rowGap: 12 }}>
          <Form.Item name="name" label="Name" rules={[{ required: true, whitespace: true, message: 'Give the operator a name' }]}>
            <Input aria-label="Operator name" style={{ width: 180 }} maxLength={120} />
          </Form.Item>
          <Form.Item name="email" label="Email" rules={[{ required: true, type: 'email', message: 'Give their email address' }]}>
            <Input aria-label="Operator email" style={{ width: 220 }} maxLength={200} />
          </Form.Item>
          <Form.Item name="role" label="Role">
            <Select aria-label="Operator role" style={{ width: 190 }} showSearch optionFilterProp="label" options={ROLE_OPTIONS} />
          </Form.Item>
          <Form.Item>
            <Button htmlType="submit" icon={<UserAddOutlined />} loading={busy}>
              Add operator
            </Button>
          </Form.Item>
        </Form>
      </Space>
    </Card>
  );
}
