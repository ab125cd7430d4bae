import { Writable } from 'node:stream';

/** Writes a chunk, waiting for 'drain' when the destination is slower (memory stays bounded). */
export async function put(out: Writable, chunk: string | Buffer): Promise<void> {
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      out.off('error', fail);
      resolve();
    };
    const fail = (e: Error) => {
      out.off('drain', done);
      reject(e);
    };
    out.once('drain', done);
    out.once('error', fail);
  });
}

/** A destination that keeps everything in memory (the app's answer). */
export function memorySink(): { stream: Writable; buffer: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      cb();
    },
  });
  return { stream, buffer: () => Buffer.concat(chunks) };
}

/** Ends a stream and resolves once everything is flushed. */
export function finish(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}
