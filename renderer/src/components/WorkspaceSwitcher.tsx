import { Select, Space, Typography } from 'antd';
import { useApp } from '../store';
import { ModeBadge } from './ModeBadge';

export function WorkspaceSwitcher() {
  const { workspaces, currentId, select, go } = useApp();
  const current = workspaces.find((w) => w.id === currentId);
  return (
    <Space size="middle" align="center">
      <Select
        aria-label="Workspace"
        data-testid="workspace-switcher"
        style={{ minWidth: 240 }}
        placeholder="No workspace"
        value={current?.id}
        onChange={(id: string) => (id === '__manage' ? go('workspaces') : select(id))}
        options={[
          ...workspaces.map((w) => ({
            value: w.id,
            label: (
              <Space>
                <span>{w.name}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {w.kind === 'demo' ? 'demo' : w.mode}
                </Typography.Text>
              </Space>
            ),
          })),
          { value: '__manage', label: <Typography.Text type="secondary">Manage workspaces…</Typography.Text> },
        ]}
      />
      {current && <ModeBadge workspace={current} />}
    </Space>
  );
}
