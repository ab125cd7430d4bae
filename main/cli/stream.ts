import type { CustomerFacts } from '../../shared/contract';
import type { CliIO } from './context';

const CHUNK = 64 * 1024;

/**
 * Writes lines to standard output in ~64 KB chunks, waiting for 'drain' when
 * the reader is slower, so memory stays bounded. A reader that goes away
 * (`| head`, EPIPE) ends the output quietly. Returns the number of lines written.
 */
export async function writeLines(io: CliIO, lines: Iterable<string>): Promise<number> {
  const out = io.stdout;
  let n = 0;
  if (!out) {
    for (const line of lines) {
      io.out(line);
      n++;
    }
    return n;
  }
  let closed = false;
  let wake: (() => void) | null = null;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
    wake?.();
  };
  out.on('error', onError);
  const flush = async (chunk: string) => {
    if (out.write(chunk) || closed) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
      out.once('drain', resolve);
    });
    wake = null;
  };
  try {
    let buf = '';
    for (const line of lines) {
      buf += `${line}\n`;
      n++;
      if (buf.length >= CHUNK) {
        await flush(buf);
        buf = '';
        if (closed) break;
      }
    }
    if (buf && !closed) await flush(buf);
  } finally {
    out.off('error', onError);
  }
  return n;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV lines for customer rows: a header of catalog field names (facts in
 * catalog order, then `segment` = the winning segment's name, then every
 * custom attribute as `attrs.<key>`), then one line per customer. Tags are
 * joined with ";".
 */
export function* customersCsv(rows: Iterable<CustomerFacts>, factNames: string[], attrKeys: string[]): Generator<string> {
  yield [...factNames, 'segment', ...attrKeys.map((k) => `attrs.${k}`)].map(csvField).join(',');
  for (const row of rows) {
    const r = row as unknown as Record<string, unknown>;
    const cells = factNames.map((name) => (Array.isArray(r[name]) ? (r[name] as unknown[]).join(';') : r[name]));
    cells.push(row.segment?.name ?? null);
    for (const k of attrKeys) cells.push(row.attrs[k] ?? null);
    yield cells.map(csvField).join(',');
  }
}
