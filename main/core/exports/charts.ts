import * as echarts from 'echarts';
import { toMajor } from '../../../shared/money';
import type { PerformanceReport } from '../../../shared/performance';

/**
 * The HTML report's charts as inline SVG, rendered here in Node with echarts'
 * server-side renderer (no DOM, no script in the report): recovery curves per
 * segment, recovery rate by segment with its 95% interval, revenue recovered
 * per week and the cohort heatmap.
 */

const W = 760;
const H = 320;
const pct = (v: number) => `${Math.round(v * 100)}%`;

function svg(option: echarts.EChartsCoreOption, height = H): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: W, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface ReportChart {
  id: string;
  title: string;
  svg: string;
}

export function recoveryCurves(r: PerformanceReport): ReportChart {
  return {
    id: 'chart-curves',
    title: `Recovery curves: share of failed invoices paid by day since the first failure (window ${r.filters.windowDays} days)`,
    svg: svg({
      legend: { type: 'plain', bottom: 0 },
      grid: { left: 56, right: 24, top: 24, bottom: 64 },
      xAxis: { type: 'value', name: 'days', nameLocation: 'middle', nameGap: 24, min: 0, max: r.filters.windowDays },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: pct } },
      series: r.curves.map((c) => ({ type: 'line', name: c.label, step: 'end', showSymbol: false, data: c.points.map((p) => [p.day, p.recovered]) })),
    }),
  };
}

export function rateBySegment(r: PerformanceReport): ReportChart {
  const groups = r.bySegment.filter((g) => g.rate !== null);
  return {
    id: 'chart-rate',
    title: 'Recovery rate by segment, with its 95% interval',
    svg: svg({
      grid: { left: 56, right: 24, top: 24, bottom: 72 },
      xAxis: { type: 'category', data: groups.map((g) => g.label), axisLabel: { interval: 0, rotate: groups.length > 5 ? 20 : 0 } },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: pct } },
      series: [
        { type: 'bar', name: 'Recovery rate', data: groups.map((g) => g.rate), itemStyle: { color: '#4c6ef5' }, label: { show: true, position: 'insideTop', color: '#fff', formatter: (p: { value: number }) => pct(p.value) } },
        {
          type: 'custom',
          name: '95% interval',
          data: groups.map((g, i) => [i, g.rateLow ?? g.rate, g.rateHigh ?? g.rate]),
          renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (v: number[]) => number[] }) => {
            const lo = api.coord([api.value(0), api.value(1)]);
            const hi = api.coord([api.value(0), api.value(2)]);
            const cap = 8;
            const style = { stroke: '#212529', lineWidth: 1.5 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
                { type: 'line', shape: { x1: lo[0]! - cap, y1: lo[1], x2: lo[0]! + cap, y2: lo[1] }, style },
                { type: 'line', shape: { x1: hi[0]! - cap, y1: hi[1], x2: hi[0]! + cap, y2: hi[1] }, style },
              ],
            };
          },
          z: 10,
        },
      ],
    }),
  };
}

export function weeklyRevenue(r: PerformanceReport): ReportChart {
  const cur = r.workspace.currency;
  return {
    id: 'chart-weekly',
    title: `Revenue recovered per week (${cur.toUpperCase()}) and cost`,
    svg: svg({
      legend: { bottom: 0 },
      grid: { left: 72, right: 24, top: 24, bottom: 64 },
      xAxis: { type: 'category', data: r.overTime.map((p) => p.start) },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: 'Recovered', data: r.overTime.map((p) => toMajor(p.amountRecovered, cur)), itemStyle: { color: '#37b24d' } },
        { type: 'bar', name: 'Cost', data: r.overTime.map((p) => toMajor(p.cost, cur)), itemStyle: { color: '#f59f00' } },
      ],
    }),
  };
}

export function cohortHeatmap(r: PerformanceReport): ReportChart {
  const cohorts = [...new Set(r.cohortHeatmap.map((c) => c.cohort))].sort();
  const days = [...new Set(r.cohortHeatmap.map((c) => c.day))].sort((a, b) => a - b);
  return {
    id: 'chart-heatmap',
    title: 'Cohort heatmap: share recovered by failure month and days since failure',
    svg: svg(
      {
        grid: { left: 72, right: 24, top: 24, bottom: 72 },
        xAxis: { type: 'category', name: 'days', data: days.map(String), splitArea: { show: true } },
        yAxis: { type: 'category', data: cohorts, splitArea: { show: true } },
        visualMap: { min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f1f3f5', '#4c6ef5'] }, formatter: (v: number) => pct(v) },
        series: [
          {
            type: 'heatmap',
            data: r.cohortHeatmap.filter((c) => c.recovered !== null).map((c) => [days.indexOf(c.day), cohorts.indexOf(c.cohort), c.recovered]),
            label: { show: days.length <= 12, formatter: (p: { value: number[] }) => pct(p.value[2]!) },
          },
        ],
      },
      Math.max(H, 60 + cohorts.length * 28),
    ),
  };
}

export function reportCharts(r: PerformanceReport): ReportChart[] {
  return [recoveryCurves(r), rateBySegment(r), weeklyRevenue(r), cohortHeatmap(r)];
}
