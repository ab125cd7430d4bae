import fs from 'node:fs';
import { CliExit } from './context';

/**
 * Everything on standard input, read as a stream until it ends.
 *
 * Not `fs.readFileSync(0)`: once anything touches `process.stdin` (the CLI
 * asks whether it is a terminal) a pipe on fd 0 is non-blocking, so a
 * synchronous read fails with EAGAIN whenever the writer has not written yet
 * (`(sleep 0.5; cat rule.json) | reclaim evaluate --rule -`) or has written
 * only part (a 1.2 MB rule piped from another process: the pipe holds 64 KB).
 */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A file's text, or standard input's for "-"; a file that cannot be read is one clear line (exit 2). */
export async function readInput(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const name = file === '-' ? 'standard input' : `"${file.length > 60 ? `${file.slice(0, 60)}…` : file}"`;
    const why =
      code === 'ENOENT' ? `there is no such file${file.trimStart().startsWith('{') ? ' (this option takes a file name, or - to read the JSON from standard input)' : ''}`
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a folder, not a file'
      : (code ?? String(e));
    throw new CliExit(2, `Cannot read ${name}: ${why}`);
  }
}
