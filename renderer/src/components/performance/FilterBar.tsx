import { Button, Input, Radio, Select, Space, Typography } from 'antd';
import type { PerformanceReport } from '../../../../shared/performance';
import { WINDOWS, type ChosenFilters } from './url-filters';

/**
 * Date range, window and the segment / variant pickers. Every control is a plain focusable input
 * (Tab reaches them in order). Without `onChange` (a report opened from a file) they only show.
 */
export function FilterBar({ filters, report, onChange }: { filters: ChosenFilters; report: PerformanceReport; onChange?: (f: ChosenFilters) => void }) {
  const readOnly = !onChange;
  const set = (patch: Partial<ChosenFilters>) => onChange?.({ ...filters, ...patch });
  const dateOf = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const windows: number[] = (WINDOWS as readonly number[]).includes(filters.windowDays) ? [...WINDOWS] : [...WINDOWS, filters.windowDays].sort((a, b) => a - b);
  return (
    <Space wrap size={[16, 8]} align="end" data-testid="performance-filters" role="group" aria-label="Performance filters">
      <label>
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          First failed from
        </Typography.Text>
        <Input type="date" aria-label="From date" data-testid="filter-from" style={{ width: 150 }} disabled={readOnly} value={filters.from ?? report.filters.from} onChange={(e) => set({ from: dateOf(e.target.value) })} />
      </label>
      <label>
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          to
        </Typography.Text>
        <Input type="date" aria-label="To date" data-testid="filter-to" style={{ width: 150 }} disabled={readOnly} value={filters.to ?? report.filters.to} onChange={(e) => set({ to: dateOf(e.target.value) })} />
      </label>
      <div>
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }} id="perf-window-label">
          Paid within
        </Typography.Text>
        <Radio.Group
          aria-labelledby="perf-window-label"
          data-testid="filter-window"
          optionType="button"
          disabled={readOnly}
          value={filters.windowDays}
          onChange={(e) => set({ windowDays: Number(e.target.value) })}
          options={windows.map((w) => ({ label: `${w} days`, value: w }))}
        />
      </div>
      <Select
        mode="multiple"
        aria-label="Segments"
        data-testid="filter-segments"
        placeholder="All segments"
        allowClear
        maxTagCount="responsive"
        style={{ width: 220 }}
        disabled={readOnly}
        value={filters.segments}
        onChange={(segments: string[]) => set({ segments })}
        options={report.available.segments.map((s) => ({ label: s, value: s }))}
      />
      <Select
        mode="multiple"
        aria-label="Variants"
        data-testid="filter-variants"
        placeholder={report.available.variants.length ? 'All variants' : 'No experiment variants'}
        allowClear
        maxTagCount="responsive"
        style={{ width: 220 }}
        disabled={readOnly || (report.available.variants.length === 0 && filters.variants.length === 0)}
        value={filters.variants}
        onChange={(variants: string[]) => set({ variants })}
        options={report.available.variants.map((v) => ({ label: v.label, value: v.key }))}
      />
      {!readOnly && (
        <Button onClick={() => onChange({ windowDays: 30, segments: [], variants: [] })} disabled={filters.windowDays === 30 && !filters.from && !filters.to && !filters.segments.length && !filters.variants.length}>
          Reset filters
        </Button>
      )}
    </Space>
  );
}
