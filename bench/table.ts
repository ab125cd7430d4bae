/**
 * The bench's one table: a row per (figure, scale) as a ratio to a floor
 * measured in the same run; printed as figure × scale (10k → 100k → 1M).
 * Sections produce rows of this shape (bench/cli-startup.ts's rows fit it:
 * section and floor label are added when they are missing).
 */
export interface BenchRow {
  section: string;
  figure: string;
  scale: string;
  ms: number;
  floorMs: number;
  /** What the floor is (bare scan, json-logic-js, node -e 0, rate-limit floor, a budget). */
  floor: string;
  ratio: number;
  target: number;
  note?: string;
  /** Unit of `ms` and `floorMs` when it is not milliseconds (e.g. MB). */
  unit?: string;
}

const SCALES = ['2k', '10k', '100k', '1M'];
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`);

export function renderTable(rows: BenchRow[]): string {
  const scales = [...new Set(rows.map((r) => r.scale))].sort((a, b) => {
    const ia = SCALES.indexOf(a);
    const ib = SCALES.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const figures: { section: string; figure: string; floor: string; target: number }[] = [];
  for (const r of rows) if (!figures.some((f) => f.section === r.section && f.figure === r.figure)) figures.push(r);
  const cell = (r: BenchRow | undefined) =>
    r ? `${r.unit ? `${r.ms.toFixed(0)} ${r.unit}` : fmtMs(r.ms)} ${r.ratio.toFixed(2)}×${r.ratio > r.target ? '!' : ''}` : '';
  const head = ['figure', 'floor', ...scales, 'target'];
  const body = figures.map((f) => {
    const mine = rows.filter((r) => r.section === f.section && r.figure === f.figure);
    return [f.figure, f.floor, ...scales.map((s) => cell(mine.find((r) => r.scale === s))), `≤ ${f.target}×`];
  });
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  const out = [line(head), width.map((w) => '-'.repeat(w)).join('  ')];
  let section = '';
  for (let i = 0; i < figures.length; i++) {
    if (figures[i]!.section !== section) {
      section = figures[i]!.section;
      out.push(`[${section}]`);
    }
    out.push(line(body[i]!));
  }
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.figure} @ ${r.scale}: ${r.note}`);
  return [...out, ...(notes.length ? ['', 'notes:', ...[...new Set(notes)]] : [])].join('\n');
}
