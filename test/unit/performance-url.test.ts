import { describe, expect, it } from 'vitest';
import { filtersFromQuery, filtersToQuery, toRequest } from '../../renderer/src/components/performance/url-filters';
import { PerformanceFilters } from '../../shared/performance';

// The Performance page's filters live in the address (#performance?…): a shared link opens the same view,
// and a link edited by hand into nonsense opens the defaults instead of a refused report.
describe('Performance filters in the address', () => {
  it('a link with every filter opens the same filters, and writing them back gives the same link', () => {
    const link = 'window=60&from=2026-09-01&to=2026-11-30&segment=Enterprise&segment=New+Customer&variant=exp_1%2Fb';
    const f = filtersFromQuery(new URLSearchParams(link));
    expect(f).toEqual({ windowDays: 60, from: '2026-09-01', to: '2026-11-30', segments: ['Enterprise', 'New Customer'], variants: ['exp_1/b'] });
    expect(filtersToQuery(f).toString()).toBe(link);
    // What the page asks the core is valid for the contract as it stands.
    expect(PerformanceFilters.parse(toRequest(f))).toEqual(f);
  });

  it('the defaults leave the address bare', () => {
    const f = filtersFromQuery(new URLSearchParams(''));
    expect(f).toEqual({ windowDays: 30, segments: [], variants: [] });
    expect(filtersToQuery(f).toString()).toBe('');
  });

  it('a hand-edited link with unreadable values falls back to the defaults for those values only', () => {
    const f = filtersFromQuery(new URLSearchParams('window=abc&from=yesterday&to=2026-13&segment=&segment=Growth'));
    expect(f).toEqual({ windowDays: 30, segments: ['Growth'], variants: [] });
    expect(filtersFromQuery(new URLSearchParams('window=0')).windowDays).toBe(30);
    expect(filtersFromQuery(new URLSearchParams('window=400')).windowDays).toBe(30);
    expect(filtersFromQuery(new URLSearchParams('window=45')).windowDays).toBe(45);
    expect(() => PerformanceFilters.parse(toRequest(f))).not.toThrow();
  });
});
