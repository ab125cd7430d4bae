import {
  AppstoreOutlined,
  BarChartOutlined,
  ClusterOutlined,
  ExperimentOutlined,
  ExportOutlined,
  PlayCircleOutlined,
  TeamOutlined,
  DatabaseOutlined,
  CustomerServiceOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';

export type SectionKey = 'customers' | 'segments' | 'strategies' | 'experiments' | 'runs' | 'performance' | 'exports' | 'workspaces' | 'queue';

export interface Section {
  key: SectionKey;
  label: string;
  icon: ReactNode;
  /** Shown while the section has nothing to show. */
  empty: { title: string; body: string };
}

export const SECTIONS: Section[] = [
  {
    key: 'customers',
    label: 'Customers',
    icon: <TeamOutlined />,
    empty: {
      title: 'No customers synced yet',
      body: 'Connect a Stripe account with a restricted key, or create the demo workspace, and your customers appear here with their MRR, tenure, payment history and amount at risk.',
    },
  },
  {
    key: 'segments',
    label: 'Segments',
    icon: <ClusterOutlined />,
    empty: {
      title: 'Segments appear after the first sync',
      body: 'Six default segments (Enterprise, Growth, Starter, New, Loyal, At-Risk) and any you build in the rule builder, ordered by priority.',
    },
  },
  {
    key: 'strategies',
    label: 'Strategies',
    icon: <AppstoreOutlined />,
    empty: { title: 'No strategies yet', body: 'Each segment gets its own recovery strategy: email tone, retry timing, channels, escalation and offers.' },
  },
  {
    key: 'experiments',
    label: 'Experiments',
    icon: <ExperimentOutlined />,
    empty: { title: 'No experiments yet', body: 'A/B test strategy variants inside a segment, with deterministic assignment and significance.' },
  },
  {
    key: 'runs',
    label: 'Runs',
    icon: <PlayCircleOutlined />,
    empty: { title: 'No recovery runs yet', body: 'A run starts with a dry-run plan — who gets what, through which channel, at what cost — before anything is sent.' },
  },
  {
    key: 'performance',
    label: 'Performance',
    icon: <BarChartOutlined />,
    empty: { title: 'Nothing to report yet', body: 'Recovery rate, time to recovery and recovered revenue per segment and variant appear once runs have outcomes.' },
  },
  {
    key: 'exports',
    label: 'Exports',
    icon: <ExportOutlined />,
    empty: { title: 'No exports yet', body: 'CSV, spreadsheet and self-contained HTML reports that open offline, and review of an export file.' },
  },
  {
    key: 'workspaces',
    label: 'Workspaces',
    icon: <DatabaseOutlined />,
    empty: { title: 'No workspaces', body: 'Create a workspace for each Stripe account and mode.' },
  },
  {
    key: 'queue',
    label: 'White-glove queue',
    icon: <CustomerServiceOutlined />,
    empty: { title: 'No tasks yet', body: 'Account-manager and call tasks of a run land here with the customer’s whole context.' },
  },
];
