import type { EChartsType } from 'echarts/core';
import * as echarts from 'echarts/core';
import { useEffect, useRef } from 'react';

/**
 * One echarts instance on a div for the lifetime of an option: created with the theme, resized with
 * the window, disposed when the option or theme changes or the component leaves. `onDrawn` sees the
 * chart after the option is set (e.g. to expose what it holds to a test). Callers register the chart
 * types they use with `echarts.use`.
 */
export function useEchart(option: Parameters<EChartsType['setOption']>[0], dark: boolean, onDrawn?: (chart: EChartsType) => void) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef(onDrawn);
  useEffect(() => {
    drawn.current = onDrawn;
  });
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.setOption(option);
    drawn.current?.(chart);
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option, dark]);
  return ref;
}
