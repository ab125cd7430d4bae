import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

/** Arm sizes: customers per group against the count the split expects. */
export function ArmChart({ arms, dark }: { arms: { arm: string; customers: number; expected: number }[]; dark: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.setOption({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'axis' },
      legend: { data: ['Customers', 'Expected'] },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: arms.map((a) => a.arm) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: 'Customers', type: 'bar', data: arms.map((a) => a.customers) },
        { name: 'Expected', type: 'bar', data: arms.map((a) => Math.round(a.expected * 10) / 10) },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [arms, dark]);
  return <div ref={ref} data-testid="arm-chart" style={{ width: '100%', height: 220 }} />;
}
