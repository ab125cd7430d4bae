import type { CustomerFacts } from '../../shared/contract';
import { csvLine } from '../core/export/csv';
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
  // EPIPE (the reader went away) or any other write error: stop writing. The CLI
  // entry's guard (pipes.ts) reports an error that is not EPIPE.
  const onError = () => {
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

/**
 * CSV lines for customer rows: a header of catalog field names (facts in
 * catalog order, then `segment` = the winning segment's name, then every
 * custom attribute as `attrs.<key>`), then one line per customer. Tags are
 * joined with ";". Cells go through the guarded CSV writer (core/export/csv).
 */
export function* customersCsv(rows: Iterable<CustomerFacts>, factNames: string[], attrKeys: string[]): Generator<string> {
  yield csvLine([...factNames, 'segment', ...attrKeys.map((k) => `attrs.${k}`)]);
  for (const row of rows) {
    const r = row as unknown as Record<string, unknown>;
    const cells = factNames.map((name) => (Array.isArray(r[name]) ? (r[name] as unknown[]).join(';') : r[name]));
    cells.push(row.segment?.name ?? null);
    for (const k of attrKeys) cells.push(row.attrs[k] ?? null);
    yield csvLine(cells);
  }
}
