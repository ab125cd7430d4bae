import type { EChartsType } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';
import { useEchart } from '../experiments/use-echart';

/**
 * One Performance chart: a titled echarts canvas. `data-series` names the series echarts holds and
 * `data-points` how many values they draw, so a test can tell a drawn chart from an empty one.
 * Besides the window (useEchart), the chart follows its own box: the grid going from two columns to
 * one, or the navigation folding, changes its width without a window resize.
 */
export function Chart({ testId, title, option, dark, height = 260 }: { testId: string; title: string; option: Record<string, unknown>; dark: boolean; height?: number }) {
  const [held, setHeld] = useState({ series: '', points: 0 });
  const chart = useRef<EChartsType | null>(null);
  const ref = useEchart(option, dark, (c: EChartsType) => {
    chart.current = c;
    const series = (c.getOption().series as { name?: string; data?: unknown[] }[] | undefined) ?? [];
    setHeld({ series: series.map((s) => s.name ?? '').join(','), points: series.reduce((n, s) => n + (s.data?.length ?? 0), 0) });
  });
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (chart.current && !chart.current.isDisposed()) chart.current.resize();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return <div role="img" aria-label={title} ref={ref} data-testid={testId} data-series={held.series} data-points={held.points} style={{ width: '100%', height }} />;
}
