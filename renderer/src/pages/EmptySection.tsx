import { Button, Empty, Space, Typography } from 'antd';
import type { Section } from '../nav';
import { useApp } from '../store';

/** What a section says before it has data: what will be here, and how to get it. */
export function EmptySection({ section }: { section: Section }) {
  const go = useApp((s) => s.go);
  const hasWorkspace = useApp((s) => s.workspaces.length > 0);
  return (
    <div style={{ display: 'grid', placeItems: 'center', minHeight: '50vh' }}>
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <Space direction="vertical" size={4} style={{ maxWidth: 520 }}>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {section.empty.title}
            </Typography.Title>
            <Typography.Text type="secondary">{section.empty.body}</Typography.Text>
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
