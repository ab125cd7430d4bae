import { Tag, Tooltip } from 'antd';
import type { Workspace } from '../../../shared/contract';

/** TEST / LIVE / DEMO, always visibly different: colour and word. */
export function ModeBadge({ workspace }: { workspace: Pick<Workspace, 'mode' | 'kind'> }) {
  if (workspace.kind === 'demo') {
    return (
      <Tooltip title="Generated demo data — nothing here reaches Stripe or a customer">
        <Tag color="purple" data-testid="mode-badge" style={{ fontWeight: 700, letterSpacing: 1 }}>
          DEMO
        </Tag>
      </Tooltip>
    );
  }
  const live = workspace.mode === 'live';
  return (
    <Tooltip title={live ? 'Live mode: actions reach real customers and real money' : 'Test mode: Stripe test data only'}>
      <Tag color={live ? 'red' : 'gold'} data-testid="mode-badge" style={{ fontWeight: 700, letterSpacing: 1 }}>
        {live ? 'LIVE' : 'TEST'}
      </Tag>
    </Tooltip>
  );
}
