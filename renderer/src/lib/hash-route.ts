import { SECTIONS, type SectionKey } from '../nav';

/**
 * The part of the app's place that lives in the address: `#performance?window=60&segment=Enterprise`.
 * A page that keeps its state in the URL (so a reload or a shared link opens it as it was) writes
 * its section and query here; other sections leave the hash empty.
 */
export function readHash(): { section: SectionKey | null; query: URLSearchParams } {
  const raw = typeof window === 'undefined' ? '' : window.location.hash.replace(/^#\/?/, '');
  const [name = '', query = ''] = raw.split('?', 2);
  const section = SECTIONS.find((s) => s.key === name)?.key ?? null;
  return { section, query: new URLSearchParams(query) };
}

/** Replaces the hash without adding a history entry (filters change often; Back leaves the app). */
export function writeHash(section: SectionKey | null, query?: URLSearchParams): void {
  const q = query?.toString() ?? '';
  const hash = section ? `#${section}${q ? `?${q}` : ''}` : '';
  if (window.location.hash === hash) return;
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`);
}
