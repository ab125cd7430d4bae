import { Alert, App, Button, Divider, Drawer, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { WhiteGloveSettingsView } from '../../../shared/contract';
import { useApp, useCurrentWorkspace } from '../store';

const major = (minor: number | null | undefined) => (minor == null ? null : minor / 100);
const minor = (v: number | null | undefined) => (v == null ? null : Math.round(v * 100));

/** Account managers, voice provider and budgets, webhook URL (the signing secret is shown once). */
export function WhiteGloveSettings({ onClose }: { onClose: () => void }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const wsId = ws?.id ?? null;
  const { message } = App.useApp();
  const [s, setS] = useState<WhiteGloveSettingsView | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [token, setToken] = useState('');

  useEffect(() => {
    if (!client || !wsId) return;
    client.call('whiteglove.settings.get', { workspaceId: wsId }).then(setS, (e: Error) => message.error(e.message));
  }, [client, wsId, message]);

  const save = async (what: 'am' | 'voice' | 'webhook') => {
    if (!client || !wsId || !s) return;
    try {
      if (what === 'am') setS(await client.call('whiteglove.am.set', { workspaceId: wsId, ...s.am }));
      if (what === 'voice') {
        const { authTokenSet: _set, ...v } = s.voice;
        setS(await client.call('whiteglove.voice.set', { workspaceId: wsId, ...v, ...(token ? { authToken: token } : {}) }));
        setToken('');
      }
      if (what === 'webhook') {
        const r = await client.call('whiteglove.webhook.set', { workspaceId: wsId, url: s.webhook.url, maxAttempts: s.webhook.maxAttempts, backoffMs: s.webhook.backoffMs, rotateSecret: false });
        setS(r.settings);
        setSecret(r.secret);
        if (r.warning) message.warning(r.warning, 8);
      }
      message.success('Saved');
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  const cur = (ws?.currency ?? 'usd').toUpperCase();
  return (
    <Drawer open width={560} onClose={onClose} title="White-glove settings">
      {s && (
        <Form layout="vertical" size="small">
          <Typography.Title level={5}>Account managers</Typography.Title>
          <Form.Item label="Round-robin when a customer has no account manager">
            <Select mode="tags" aria-label="Account managers" value={s.am.managers} onChange={(managers: string[]) => setS({ ...s, am: { ...s.am, managers } })} placeholder="name@company.com" />
          </Form.Item>
          <Space>
            <Form.Item label="Due after (hours)"><InputNumber min={1} value={s.am.dueHours} onChange={(v) => setS({ ...s, am: { ...s.am, dueHours: v ?? 24 } })} /></Form.Item>
            <Form.Item label="SLA (hours)"><InputNumber min={1} value={s.am.slaHours} onChange={(v) => setS({ ...s, am: { ...s.am, slaHours: v ?? 4 } })} /></Form.Item>
          </Space>
          <Form.Item label="Personal email" extra="Replies reach the account manager either way. Sending as the manager needs a mail server allowed to send from the manager's address.">
            <Select
              aria-label="Personal email sender"
              value={s.am.sendAs}
              onChange={(sendAs: 'from' | 'reply_to') => setS({ ...s, am: { ...s.am, sendAs } })}
              options={[
                { value: 'reply_to', label: "From the billing address in the manager's name, Reply-To the manager" },
                { value: 'from', label: "From the manager's own address" },
              ]}
            />
          </Form.Item>
          <Button onClick={() => void save('am')}>Save account managers</Button>
          <Divider />
          <Typography.Title level={5}>Voice calls</Typography.Title>
          <Form.Item label="Provider">
            <Select value={s.voice.provider} onChange={(provider) => setS({ ...s, voice: { ...s.voice, provider } })} options={[{ value: 'call_list', label: 'Call list (a task for a person)' }, { value: 'http', label: 'Telephony API (Twilio-shaped)' }]} />
          </Form.Item>
          {s.voice.provider === 'http' && (
            <>
              <Form.Item label="API">
                <Select
                  aria-label="Voice API"
                  value={s.voice.api}
                  onChange={(api: 'twilio' | 'bland') => setS({ ...s, voice: { ...s.voice, api } })}
                  options={[
                    { value: 'twilio', label: 'Twilio-shaped (speaks the call script)' },
                    { value: 'bland', label: 'Bland AI voice agent (script, customer context and pay link; the token is the API key)' },
                  ]}
                />
              </Form.Item>
              <Form.Item label={s.voice.api === 'bland' ? 'API base URL (empty: https://api.bland.ai)' : 'API base URL'}><Input value={s.voice.apiBase ?? ''} onChange={(e) => setS({ ...s, voice: { ...s.voice, apiBase: e.target.value || null } })} /></Form.Item>
              <Space>
                <Form.Item label="Account id"><Input value={s.voice.accountId ?? ''} onChange={(e) => setS({ ...s, voice: { ...s.voice, accountId: e.target.value || null } })} /></Form.Item>
                <Form.Item label="Caller number"><Input value={s.voice.fromNumber ?? ''} onChange={(e) => setS({ ...s, voice: { ...s.voice, fromNumber: e.target.value || null } })} /></Form.Item>
              </Space>
              <Form.Item label={`Auth token ${s.voice.authTokenSet ? '(stored; type to replace)' : '(not set)'}`}>
                <Input.Password value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
              </Form.Item>
            </>
          )}
          <Space wrap>
            <Form.Item label={`Cost per call (${cur})`}><InputNumber min={0} step={0.1} value={major(s.voice.costPerCall)} onChange={(v) => setS({ ...s, voice: { ...s.voice, costPerCall: minor(v) ?? 0 } })} /></Form.Item>
            <Form.Item label={`No call below (${cur}, MRR or at risk)`}><InputNumber min={0} value={major(s.voice.minCustomerValue)} onChange={(v) => setS({ ...s, voice: { ...s.voice, minCustomerValue: minor(v) ?? 0 } })} /></Form.Item>
            <Form.Item label={`Daily cap (${cur})`}><InputNumber min={0} value={major(s.voice.dailyBudget)} onChange={(v) => setS({ ...s, voice: { ...s.voice, dailyBudget: minor(v) } })} /></Form.Item>
            <Form.Item label={`Per-run cap (${cur})`}><InputNumber min={0} value={major(s.voice.perRunBudget)} onChange={(v) => setS({ ...s, voice: { ...s.voice, perRunBudget: minor(v) } })} /></Form.Item>
          </Space>
          <Button onClick={() => void save('voice')}>Save voice settings</Button>
          <Divider />
          <Typography.Title level={5}>Webhook</Typography.Title>
          <Form.Item label="URL (https, or http to 127.0.0.1 for testing)"><Input value={s.webhook.url ?? ''} onChange={(e) => setS({ ...s, webhook: { ...s.webhook, url: e.target.value || null } })} /></Form.Item>
          <Button onClick={() => void save('webhook')}>Save webhook</Button>
          {secret && (
            <Alert
              style={{ marginTop: 12 }}
              type="warning"
              showIcon
              message="Signing secret — shown once"
              description={<Typography.Text copyable code>{secret}</Typography.Text>}
            />
          )}
        </Form>
      )}
    </Drawer>
  );
}
