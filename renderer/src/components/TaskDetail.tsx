import { Alert, App, Button, Card, Col, Descriptions, Drawer, Input, Row, Space, Spin, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { OUTCOMES, OUTCOME_LABELS, type Outcome, type TaskContext } from '../../../shared/whiteglove';
import { formatDate, formatMoney } from '../lib/format';
import { useApp, useCurrentWorkspace } from '../store';
import { AnnualSwitchButton } from './AnnualSwitch';

export const OUTCOME_KEYS: Record<string, Outcome> = Object.fromEntries(OUTCOMES.map((o, i) => [String(i + 1), o]));

const when = (sec: number) => new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 16);
/** "3 failed payments on 2 invoices" (#21): attempts, and the invoices they were for. */
const failuresInWords = (attempts: number, invoices: number) =>
  attempts === 0 ? 'none' : `${attempts} failed payment${attempts === 1 ? '' : 's'} on ${invoices} invoice${invoices === 1 ? '' : 's'}`;
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/**
 * One task, everything on one screen: facts, open invoices, payment history
 * with decline codes, segment and why, what was sent, call script, the personal
 * email (editable, sent through the run's outbox), outcome buttons 1–6.
 */
export function TaskDetail({ taskId, onClose, me, pendingOutcome, onOutcomeHandled }: { taskId: string; onClose: () => void; me: string; pendingOutcome: Outcome | null; onOutcomeHandled: () => void }) {
  const client = useApp((s) => s.client);
  const ws = useCurrentWorkspace();
  const wsId = ws?.id ?? null;
  const { message } = App.useApp();
  const [ctx, setCtx] = useState<TaskContext | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [date, setDate] = useState(tomorrow());
  const [choosingDate, setChoosingDate] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    if (!client || !wsId) return;
    try {
      const c = await client.call('queue.get', { workspaceId: wsId, taskId });
      setCtx(c);
      setError(null);
      return c;
    } catch (e) {
      setError((e as Error).message);
      return null;
    }
  }, [client, wsId, taskId]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- loading the task from the core is the effect
    void load().then((c) => {
      // The draft is filled once; later reloads (events) keep what the manager typed.
      if (c) {
        setSubject((s) => s || c.emailDraft.subject);
        setText((t) => t || c.emailDraft.text);
      }
    });
    if (!client || !wsId) return;
    const offs = [
      client.on('queue.changed', (e) => e.workspaceId === wsId && void load()),
      client.on('outbox.changed', (e) => e.workspaceId === wsId && void load()),
    ];
    return () => offs.forEach((off) => off());
  }, [client, wsId, load]);

  const log = useCallback(
    async (outcome: Outcome) => {
      if (!client || !wsId) return;
      if (outcome === 'promised' && !choosingDate) {
        setChoosingDate(true);
        return;
      }
      setBusy(true);
      try {
        await client.call('queue.outcome', { workspaceId: wsId, taskId, outcome, note, ...(outcome === 'promised' ? { promisedDate: date } : {}), ...(me ? { by: me } : {}) });
        message.success(`Logged: ${OUTCOME_LABELS[outcome]}`);
        setNote('');
        setChoosingDate(false);
        await load();
      } catch (e) {
        message.error((e as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [client, wsId, taskId, note, date, me, choosingDate, load, message],
  );

  useEffect(() => {
    if (!pendingOutcome) return;
    onOutcomeHandled();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a 1–6 key pressed on the page is forwarded here as a command
    void log(pendingOutcome);
  }, [pendingOutcome, onOutcomeHandled, log]);

  const send = async () => {
    if (!client || !wsId) return;
    setBusy(true);
    try {
      const r = await client.call('queue.sendEmail', { workspaceId: wsId, taskId, subject, text });
      message.success(`Email sent to ${r.to}`);
      await load();
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const cur = ctx?.currency ?? ws?.currency ?? 'usd';
  const t = ctx?.task;
  const f = ctx?.facts as Record<string, string | number | null> | undefined;
  return (
    <Drawer open width="min(1280px, 96vw)" onClose={onClose} title={t ? `${t.customerName ?? t.customerId} · ${t.kind === 'call' ? 'call task' : 'account-manager task'}` : 'Task'} data-testid="task-detail">
      {error && <Alert type="error" showIcon message={error} />}
      {!ctx && !error && <Spin />}
      {ctx && t && f && (
        <Row gutter={16}>
          <Col span={13}>
            <Space direction="vertical" style={{ width: '100%' }} size={12}>
              <Descriptions size="small" column={3} bordered>
                <Descriptions.Item label="Customer">{t.customerName ?? t.customerId}</Descriptions.Item>
                <Descriptions.Item label="Email">{t.customerEmail ?? '—'}</Descriptions.Item>
                <Descriptions.Item label="Segment">{t.segment ? <Tag color={t.segment.color}>{t.segment.name}</Tag> : 'Default'}</Descriptions.Item>
                <Descriptions.Item label="At risk"><Typography.Text type="danger" data-testid="task-risk">{formatMoney(t.amountAtRisk, cur)}</Typography.Text></Descriptions.Item>
                <Descriptions.Item label="MRR">{formatMoney(t.mrr, cur)}</Descriptions.Item>
                <Descriptions.Item label="Plan">
                  {f.plan ?? '—'} {f.billing_interval ? `(${String(f.billing_interval)}ly)` : ''}
                </Descriptions.Item>
                <Descriptions.Item label="Failed payments (12 months)">
                  {/* #21: failures_12m counts payment attempts, Stripe's own retries included; failed_invoices_12m counts the invoices they were for. */}
                  <Tooltip title="Every failed payment attempt in the last 12 months, Stripe's automatic retries included, and how many invoices they were for. The payment history lists each attempt.">
                    <span data-testid="task-failures">{failuresInWords(Number(f.failures_12m ?? 0), Number(f.failed_invoices_12m ?? 0))}</span>
                  </Tooltip>
                </Descriptions.Item>
                <Descriptions.Item label="Tenure">{f.tenure_days ?? 0} days</Descriptions.Item>
                <Descriptions.Item label="Card expiry">{f.card_expiry ?? '—'}</Descriptions.Item>
                <Descriptions.Item label="Assignee">{t.assignee ?? 'unassigned'}</Descriptions.Item>
                <Descriptions.Item label="Due">{when(t.dueAt)} {t.overdue && <Tag color="red">overdue</Tag>}</Descriptions.Item>
                <Descriptions.Item label="SLA">
                  {/* #21: the SLA is the time by which the first outcome must be logged; Due is when the task itself is due. */}
                  <span data-testid="task-sla">
                    first touch by {when(t.slaAt)} {t.slaBreached && <Tag color="volcano">breached</Tag>}
                  </span>
                </Descriptions.Item>
              </Descriptions>
              <Typography.Text type="secondary" data-testid="task-why">{ctx.segmentWhy}</Typography.Text>
              {f.billing_interval === 'month' && wsId && <AnnualSwitchButton workspaceId={wsId} customerId={t.customerId} onDone={() => void load()} />}
              <Table
                size="small"
                pagination={false}
                rowKey="id"
                title={() => 'Open invoices'}
                dataSource={ctx.openInvoices}
                columns={[
                  { title: 'Invoice', dataIndex: 'number', render: (n: string | null, r) => n ?? r.id },
                  { title: 'Remaining', dataIndex: 'amountRemaining', align: 'right', render: (a: number, r) => formatMoney(a, r.currency) },
                  { title: 'Attempts', dataIndex: 'attemptCount', align: 'right' },
                  { title: 'Created', dataIndex: 'created', render: (c: number) => formatDate(c) },
                  { title: 'Pay link', dataIndex: 'hostedInvoiceUrl', render: (u: string | null) => (u ? <Typography.Text copyable={{ text: u }}>link</Typography.Text> : '—') },
                ]}
              />
              <Table
                size="small"
                pagination={false}
                rowKey="id"
                title={() => `Payment history (latest ${Math.min(8, ctx.payments.length)} payment attempts)`}
                dataSource={ctx.payments.slice(0, 8)}
                columns={[
                  { title: 'Date', dataIndex: 'created', render: (c: number) => formatDate(c) },
                  { title: 'Amount', dataIndex: 'amount', align: 'right', render: (a: number, r) => formatMoney(a, r.currency) },
                  { title: 'Status', dataIndex: 'status' },
                  { title: 'Decline', dataIndex: 'declineCode', render: (d: string | null, r) => (d ? <Tag color={r.hard ? 'red' : 'orange'}>{d} · {r.hard ? 'hard' : 'soft'}</Tag> : '—') },
                ]}
              />
              <Card size="small" title="What happened so far">
                <Timeline
                  data-testid="task-timeline"
                  items={ctx.timeline.slice(0, 14).map((e) => ({
                    color: e.channel === 'payment' ? 'red' : e.channel === 'am_task' ? 'green' : 'blue',
                    children: (
                      <span>
                        <Typography.Text strong>{e.title}</Typography.Text> <Typography.Text type="secondary">{when(e.at)}</Typography.Text>
                        {e.detail && <div><Typography.Text type="secondary">{e.detail}</Typography.Text></div>}
                      </span>
                    ),
                  }))}
                />
              </Card>
            </Space>
          </Col>
          <Col span={11}>
            <Space direction="vertical" style={{ width: '100%' }} size={12}>
              <Card size="small" title="Call script">
                <Typography.Paragraph copyable style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="call-script">{ctx.callScript}</Typography.Paragraph>
              </Card>
              <Card
                size="small"
                title={`Personal email from ${ctx.emailDraft.fromHeader}`}
                extra={t.emailSentAt ? <Tag color="green" data-testid="email-sent">sent {when(t.emailSentAt)}</Tag> : null}
              >
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Typography.Text type="secondary">To {ctx.emailDraft.to ?? 'no email address'}</Typography.Text>
                  <Typography.Text type={ctx.emailDraft.repliesReachManager ? 'secondary' : 'warning'} data-testid="email-replies-to">
                    The customer&apos;s reply goes to {ctx.emailDraft.repliesGoTo}
                    {ctx.emailDraft.repliesReachManager ? '' : ' (the account manager has no email address on file)'}
                  </Typography.Text>
                  <Input aria-label="Email subject" value={subject} onChange={(e) => setSubject(e.target.value)} disabled={!!t.emailSentAt} />
                  <Input.TextArea aria-label="Email text" value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 6, maxRows: 14 }} disabled={!!t.emailSentAt} />
                  <Button type="primary" onClick={send} loading={busy} disabled={!!t.emailSentAt || !ctx.emailDraft.to}>
                    {t.emailSentAt ? 'Personal email sent' : 'Send personal email'}
                  </Button>
                </Space>
              </Card>
              <Card size="small" title="Outcome" extra={t.outcome ? <Tag data-testid="task-outcome">{OUTCOME_LABELS[t.outcome]}{t.promisedDate && t.outcome === 'promised' ? ` by ${t.promisedDate}` : ''}</Tag> : null}>
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Input.TextArea aria-label="Outcome note" placeholder="Notes (what was said)" value={note} onChange={(e) => setNote(e.target.value)} autoSize={{ minRows: 2 }} />
                  {choosingDate && (
                    <Space>
                      <Typography.Text>Promised payment date</Typography.Text>
                      <Input type="date" aria-label="Promised date" value={date} onChange={(e) => setDate(e.target.value)} style={{ width: 170 }} />
                      <Button type="primary" onClick={() => void log('promised')} loading={busy}>Log promise</Button>
                      <Button onClick={() => setChoosingDate(false)}>Cancel</Button>
                    </Space>
                  )}
                  <Space wrap>
                    {OUTCOMES.map((o, i) => (
                      <Button key={o} onClick={() => void log(o)} disabled={busy}>
                        <Typography.Text keyboard>{i + 1}</Typography.Text> {OUTCOME_LABELS[o]}
                      </Button>
                    ))}
                  </Space>
                  {ctx.log.length > 0 && (
                    <Timeline
                      items={ctx.log.map((l) => ({
                        children: `${when(l.at)} · ${OUTCOME_LABELS[l.outcome]}${l.promisedDate ? ` by ${l.promisedDate}` : ''}${l.by ? ` · ${l.by}` : ''}${l.note ? ` — ${l.note}` : ''}`,
                      }))}
                    />
                  )}
                </Space>
              </Card>
            </Space>
          </Col>
        </Row>
      )}
    </Drawer>
  );
}
