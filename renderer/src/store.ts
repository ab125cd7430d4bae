import { create } from 'zustand';
import type { ReclaimClient, Workspace } from '../../shared/contract';
import type { SectionKey } from './nav';
import { leave } from './lib/leave-guard';
import { readHash, writeHash } from './lib/hash-route';

type Theme = 'light' | 'dark';

interface AppState {
  client: ReclaimClient | null;
  workspaces: Workspace[];
  loaded: boolean;
  currentId: string | null;
  section: SectionKey;
  theme: Theme;
  setClient(client: ReclaimClient): void;
  refresh(): Promise<void>;
  select(id: string | null): void;
  go(section: SectionKey): void;
  toggleTheme(): void;
}

const saved = (key: string): string | null => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};
const persist = (key: string, value: string | null) => {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage may be unavailable; the choice just isn't remembered */
  }
};

const prefersDark = () => typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches;

export const useApp = create<AppState>((set, get) => ({
  client: null,
  workspaces: [],
  loaded: false,
  currentId: saved('reclaim.workspace'),
  // A link or a reload that names a section (`#performance?…`) opens it.
  section: readHash().section ?? 'customers',
  theme: (saved('reclaim.theme') as Theme | null) ?? (prefersDark() ? 'dark' : 'light'),
  setClient: (client) => set({ client }),
  refresh: async () => {
    const client = get().client;
    if (!client) return;
    const workspaces = await client.call('workspaces.list', {});
    const current = get().currentId;
    const currentId = workspaces.some((w) => w.id === current) ? current : (workspaces[0]?.id ?? null);
    persist('reclaim.workspace', currentId);
    set({ workspaces, currentId, loaded: true });
  },
  select: (id) => {
    if (id === get().currentId) return;
    // Another workspace is leaving the page too: unsaved work asks first (#21), as switching section does.
    leave(() => {
      persist('reclaim.workspace', id);
      set({ currentId: id });
    });
  },
  go: (section) => {
    if (section === get().section) return;
    leave(() => {
      // The hash belongs to the page that wrote it: another section starts without it.
      if (readHash().section) writeHash(null);
      set({ section });
    });
  },
  toggleTheme: () => {
    const theme = get().theme === 'dark' ? 'light' : 'dark';
    persist('reclaim.theme', theme);
    set({ theme });
  },
}));

export const useCurrentWorkspace = (): Workspace | null => useApp((s) => s.workspaces.find((w) => w.id === s.currentId) ?? null);
