import type { EChartsType } from 'echarts/core';
import { useState } from 'react';
import { useEchart } from '../experiments/use-echart';

/**
 * One Performance chart: a titled echarts canvas. `data-series` names the series echarts holds and
 * `data-points` how many values they draw, so a test can tell a drawn chart from an empty one.
 */
export function Chart({ testId, title, option, dark, height = 260 }: { testId: string; title: string; option: Record<string, unknown>; dark: boolean; height?: number }) {
  const [held, setHeld] = useState({ series: '', points: 0 });
  const ref = useEchart(option, dark, (chart: EChartsType) => {
    const series = (chart.getOption().series as { name?: string; data?: unknown[] }[] | undefined) ?? [];
    setHeld({ series: series.map((s) => s.name ?? '').join(','), points: series.reduce((n, s) => n + (s.data?.length ?? 0), 0) });
  });
  return (
    <div>
      <div role="img" aria-label={title} ref={ref} data-testid={testId} data-series={held.series} data-points={held.points} style={{ width: '100%', height }} />
    </div>
  );
}
