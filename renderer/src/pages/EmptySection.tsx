import { Button, Empty, Space, Typography } from 'antd';
import type { Section } from '../nav';
import { useApp, useCurrentWorkspace } from '../store';

/** What a section says before it has data: what will be here, and how to get it. */
export function EmptySection({ section }: { section: Section }) {
  const go = useApp((s) => s.go);
  const hasWorkspace = useApp((s) => s.workspaces.length > 0);
  const ws = useCurrentWorkspace();
  // The demo workspace exists from the moment it starts building; until its first sync ends it has no data yet.
  const building = ws?.kind === 'demo' && ws.lastSyncAt === null;
  const title = building ? 'Building the demo workspace…' : section.empty.title;
  const body = building
    ? 'A generated business is being synced through the local Stripe server, as a real account would be (about a minute; progress at the top right). This page fills in when it is ready.'
    : section.empty.body;
  return (
    <div style={{ display: 'grid', placeItems: 'center', minHeight: '50vh' }} data-testid={building ? 'demo-building' : undefined}>
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <Space direction="vertical" size={4} style={{ maxWidth: 520 }}>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {title}
            </Typography.Title>
            <Typography.Text type="secondary">{body}</Typography.Text>
          </Space>
        }
      >
        {!hasWorkspace && (
          <Button type="primary" onClick={() => go('workspaces')}>
            Create a workspace
          </Button>
        )}
      </Empty>
    </div>
  );
}
