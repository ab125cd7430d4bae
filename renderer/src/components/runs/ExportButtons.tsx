import { DownloadOutlined } from '@ant-design/icons';
import { Button, Space } from 'antd';

/** "Export CSV" and "Export JSON", as every exportable table in the Runs section offers them. */
export function ExportButtons({ onExport }: { onExport(format: 'csv' | 'json'): void }) {
  return (
    <Space>
      <Button size="small" icon={<DownloadOutlined />} onClick={() => onExport('csv')}>
        Export CSV
      </Button>
      <Button size="small" icon={<DownloadOutlined />} onClick={() => onExport('json')}>
        Export JSON
      </Button>
    </Space>
  );
}
