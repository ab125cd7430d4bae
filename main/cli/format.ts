/** Plain-text table for humans; --json output bypasses this entirely. */
export function table(rows: Record<string, unknown>[], columns: { key: string; label: string; align?: 'right' }[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (v === null || v === undefined ? '—' : String(v));
  const widths = columns.map((c) => Math.max(c.label.length, ...rows.map((r) => cell(r[c.key]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]?.align === 'right' ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.label)), line(widths.map((w) => '─'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c.key]))))].join('\n');
}

export function formatTime(ms: number | null): string {
  if (ms === null) return 'never';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + 'Z';
}
