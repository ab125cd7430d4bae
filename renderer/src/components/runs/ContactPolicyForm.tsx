import { App as AntApp, Alert, Button, Card, Form, InputNumber, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { ContactPolicy } from '../../../../shared/contract';
import { useApp, useCurrentWorkspace } from '../../store';

/** #17.10: the per-customer contact cap (workspace recovery settings; README "Contact policy"). */
export function ContactPolicyForm() {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ContactPolicy>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    client.call('recovery.settings.get', { workspaceId: ws.id }).then(
      (r) => form.setFieldsValue(r.contactPolicy),
      (e: Error) => setError(e.message),
    );
  }, [client, ws.id, form]);

  const save = async (v: ContactPolicy) => {
    setSaving(true);
    try {
      const r = await client.call('recovery.settings.set', { workspaceId: ws.id, contactPolicy: v });
      form.setFieldsValue(r.contactPolicy);
      message.success('Saved: the contact cap applies to the next plan and to every step still to fire');
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card size="small" title="Contact cap per customer" style={{ maxWidth: 720, marginTop: 16 }}>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        Across runs, channels and the account-manager queue. Emails: strategy emails, offers, the “add a new card” email and the account manager’s personal email. Calls: voice steps. Retries, tasks and
        webhooks are not contacts. A step an earlier run already did is never repeated unless you tick “Repeat steps already done” when planning.
      </Typography.Paragraph>
      <Form form={form} layout="inline" onFinish={save}>
        <Form.Item label="At most" name="maxEmails" rules={[{ required: true }]}>
          <InputNumber aria-label="Emails per window" min={0} max={50} addonAfter="emails" style={{ width: 130 }} />
        </Form.Item>
        <Form.Item label="and" name="maxCalls" rules={[{ required: true }]}>
          <InputNumber aria-label="Calls per window" min={0} max={50} addonAfter="calls" style={{ width: 120 }} />
        </Form.Item>
        <Form.Item label="in any" name="windowHours" rules={[{ required: true }]}>
          <InputNumber aria-label="Window in hours" min={1} max={720} addonAfter="h" style={{ width: 110 }} />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" loading={saving}>
            Save cap
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
