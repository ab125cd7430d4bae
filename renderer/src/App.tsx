import { BulbOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Modal, Space, Spin, Result, Tooltip, Typography, theme as antTheme } from 'antd';
import { useEffect, useState } from 'react';
import type { ReclaimClient } from '../../shared/contract';
import { ErrorBoundary } from './components/ErrorBoundary';
import { SyncBar } from './components/SyncBar';
import { UpgradeProgress } from './components/UpgradeProgress';
import { WorkspaceSwitcher } from './components/WorkspaceSwitcher';
import { SECTIONS, type SectionKey } from './nav';
import { CustomersPage } from './pages/CustomersPage';
import { EmptySection } from './pages/EmptySection';
import { ExperimentsPage } from './pages/ExperimentsPage';
import { ExportsPage } from './pages/ExportsPage';
import { PerformancePage } from './pages/PerformancePage';
import { RunsPage } from './pages/RunsPage';
import { QueuePage } from './pages/QueuePage';
import { ReviewPage } from './pages/ReviewPage';
import { SegmentsPage } from './pages/SegmentsPage';
import { StrategiesPage } from './pages/StrategiesPage';
import { WorkspacesPage } from './pages/WorkspacesPage';
import { useReview } from './review-store';
import { useApp, useCurrentWorkspace } from './store';
import { onMenuCommand } from './transport';

const SHORTCUTS: [string, string][] = [
  ...SECTIONS.map((s, i): [string, string] => [`Alt+${i + 1}`, s.label]),
  ['Alt+T', 'Switch light / dark theme'],
  ['?', 'Show this list'],
];

function useKeyboard(openHelp: () => void) {
  const { go, toggleTheme } = useApp();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const n = Number(e.code.replace('Digit', ''));
        const section = Number.isInteger(n) ? SECTIONS[n - 1] : undefined;
        if (section) {
          e.preventDefault();
          // While reviewing, the review stays on screen; closing it returns to where it was opened.
          if (!useReview.getState().session) go(section.key);
        } else if (e.code === 'KeyT') {
          e.preventDefault();
          toggleTheme();
        }
      } else if (e.key === '?' && !typing) {
        openHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    const offMenu = onMenuCommand((command) => {
      if (command === 'toggle-theme') toggleTheme();
      else if (command === 'shortcuts') openHelp();
      else if (SECTIONS.some((s) => s.key === command) && !useReview.getState().session) go(command as SectionKey);
    });
    return () => {
      window.removeEventListener('keydown', onKey);
      offMenu();
    };
  }, [go, toggleTheme, openHelp]);
}

function Shell() {
  const { section, go, theme, toggleTheme, client } = useApp();
  const workspace = useCurrentWorkspace();
  const [help, setHelp] = useState(false);
  const [narrow, setNarrow] = useState(() => window.innerWidth < 1200);
  const [info, setInfo] = useState<{ version: string; shell: string; readonly?: boolean } | null>(null);
  useKeyboard(() => setHelp(true));
  useEffect(() => {
    client?.call('app.info', {}).then(setInfo, () => setInfo(null));
  }, [client]);
  const current = SECTIONS.find((s) => s.key === section) ?? SECTIONS[0]!;
  // Review mode (#19): only the review is shown — no workspace page, sync bar or switcher, so nothing can be run from it.
  const reviewing = useReview((s) => s.session !== null);
  const live = workspace?.kind === 'stripe' && workspace.mode === 'live';
  const { token } = antTheme.useToken();

  return (
    <Layout style={{ height: '100vh' }}>
      {/* Below 1200 px the navigation folds to icons (labels in tooltips), so a 1024 px window keeps its width for the page. */}
      <Layout.Sider
        width={212}
        collapsedWidth={64}
        breakpoint="xl"
        collapsed={narrow}
        onBreakpoint={setNarrow}
        trigger={null}
        theme={theme}
        style={{ borderRight: `1px solid ${token.colorBorderSecondary}` }}
      >
        <div style={{ padding: narrow ? '18px 0 12px' : '18px 20px 12px', display: 'flex', alignItems: 'baseline', justifyContent: narrow ? 'center' : undefined, gap: 8 }}>
          <Typography.Title level={4} style={{ margin: 0, letterSpacing: 0.3 }}>
            {narrow ? 'R' : 'Reclaim'}
          </Typography.Title>
          {!narrow && (
            <Typography.Text type="secondary" style={{ fontSize: 11 }}>
              recovery console
            </Typography.Text>
          )}
        </div>
        <Menu
          mode="inline"
          theme={theme}
          selectedKeys={[section]}
          onClick={({ key }) => go(key as SectionKey)}
          items={SECTIONS.map((s, i) => ({
            key: s.key,
            disabled: reviewing,
            icon: s.icon,
            label: s.label,
            extra: narrow ? undefined : (
              <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                Alt+{i + 1}
              </Typography.Text>
            ),
          }))}
          style={{ borderInlineEnd: 'none' }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: token.colorBgContainer,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
            borderTop: live ? `3px solid ${token.colorError}` : undefined,
            padding: '0 24px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            height: 56,
          }}
        >
          <Typography.Title level={5} style={{ margin: 0 }} data-testid="section-title">
            {reviewing ? 'Review (read-only)' : current.label}
          </Typography.Title>
          <Space size="middle">
            <UpgradeProgress />
            {!reviewing && <SyncBar key={workspace?.id ?? 'none'} />}
            {!reviewing && <WorkspaceSwitcher />}
            <Tooltip title="Light / dark theme (Alt+T)">
              <Button type="text" icon={<BulbOutlined />} aria-label="Toggle theme" onClick={toggleTheme} />
            </Tooltip>
            <Tooltip title="Keyboard shortcuts (?)">
              <Button type="text" icon={<QuestionCircleOutlined />} aria-label="Keyboard shortcuts" onClick={() => setHelp(true)} />
            </Tooltip>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, overflow: 'auto', display: 'flex', flexDirection: 'column' }}>
          <ErrorBoundary resetKey={section}>
            {reviewing ? (
              <ReviewPage />
            ) : section === 'workspaces' ? (
              <WorkspacesPage />
            ) : section === 'customers' ? (
              <CustomersPage key={workspace?.id} empty={<EmptySection section={current} />} />
            ) : section === 'segments' && workspace ? (
              <SegmentsPage key={workspace.id} />
            ) : section === 'strategies' && workspace ? (
              <StrategiesPage key={workspace.id} />
            ) : section === 'runs' && workspace ? (
              <RunsPage key={workspace.id} />
            ) : section === 'queue' && workspace ? (
              <QueuePage key={workspace.id} />
            ) : section === 'experiments' && workspace ? (
              <ExperimentsPage key={workspace.id} />
            ) : section === 'performance' && workspace ? (
              <PerformancePage key={workspace.id} />
            ) : section === 'exports' ? (
              <ExportsPage key={workspace?.id ?? 'none'} />
            ) : (
              <EmptySection section={current} />
            )}
          </ErrorBoundary>
        </Layout.Content>
        <Layout.Footer style={{ padding: '4px 24px', fontSize: 12, borderTop: `1px solid ${token.colorBorderSecondary}` }}>
          <Typography.Text type="secondary">
            {info ? `Reclaim ${info.version} · ${info.shell === 'electron' ? 'desktop app' : 'browser console on 127.0.0.1'}` : 'Reclaim'}
            {workspace ? ` · ${workspace.name}` : ''}
          </Typography.Text>
          {info?.readonly ? (
            <div>
              <Typography.Text type="danger" data-testid="readonly-note">
                The data folder is read-only: Reclaim shows your data but cannot save changes.
              </Typography.Text>
            </div>
          ) : null}
        </Layout.Footer>
      </Layout>
      <Modal open={help} onCancel={() => setHelp(false)} footer={null} title="Keyboard shortcuts">
        <table style={{ width: '100%' }}>
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td style={{ padding: '4px 0', width: 120 }}>
                  <Typography.Text keyboard>{keys}</Typography.Text>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Modal>
    </Layout>
  );
}

export function App({ client }: { client: ReclaimClient }) {
  const { setClient, refresh, loaded, theme } = useApp();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setClient(client);
    refresh().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    // Another process (the CLI, a second window) may change the registry: re-read it on focus.
    const onFocus = () => void refresh().catch(() => {});
    window.addEventListener('focus', onFocus);
    const off = client.on('workspaces.changed', onFocus);
    return () => {
      window.removeEventListener('focus', onFocus);
      off();
    };
  }, [client, setClient, refresh]);

  return (
    <ConfigProvider
      theme={{
        algorithm: theme === 'dark' ? antTheme.darkAlgorithm : antTheme.defaultAlgorithm,
        token: { colorPrimary: '#3b5bdb', borderRadius: 6, fontSize: 14 },
      }}
    >
      <AntApp>
        {error ? (
          <Result status="warning" title="Reclaim could not load your workspaces" subTitle={error} />
        ) : loaded ? (
          <Shell />
        ) : (
          <div style={{ display: 'grid', placeItems: 'center', height: '100vh' }}>
            <Spin size="large" />
          </div>
        )}
      </AntApp>
    </ConfigProvider>
  );
}
