import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button } from 'antd';
import { useState } from 'react';
import type { Output } from '../../../../shared/contract';
import { whenMs } from '../../lib/time';
import { useApp, useCurrentWorkspace } from '../../store';

type Verdict = Output<'audit.verify'>;

/** Text of the status line for a verdict. */
export function verdictText(v: Verdict): { type: 'success' | 'error'; text: string } {
  if (v.ok) return { type: 'success', text: v.count ? `Audit chain intact: ${v.count.toLocaleString()} ${v.count === 1 ? 'entry' : 'entries'}, none changed, removed or inserted. Last hash ${v.head}` : 'Audit chain intact: no entries yet.' };
  const b = v.broken!;
  return { type: 'error', text: `Audit chain broken at entry ${b.id} (${whenMs(b.at)}): ${b.reason}. ${v.count === 1 ? 'The entry before it is' : `The ${v.count.toLocaleString()} entries before it are`} intact.` };
}

/** "Verify chain" (#18 item 6): checks the audit log's hash chain and says where it breaks. */
export function AuditVerify() {
  const client = useApp((s) => s.client)!;
  const ws = useCurrentWorkspace()!;
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ type: 'success' | 'error'; text: string } | null>(null);
  const verify = async () => {
    setBusy(true);
    try {
      setStatus(verdictText(await client.call('audit.verify', { workspaceId: ws.id })));
    } catch (e) {
      setStatus({ type: 'error', text: `The audit chain could not be checked: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ marginBottom: 12 }}>
      <Button size="small" icon={<SafetyCertificateOutlined />} loading={busy} onClick={() => void verify()} data-testid="audit-verify">
        Verify chain
      </Button>
      {status && <Alert data-testid="audit-verify-status" type={status.type} showIcon message={status.text} style={{ marginTop: 8 }} />}
    </div>
  );
}
