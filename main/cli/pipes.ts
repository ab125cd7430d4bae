/**
 * A reader that goes away (`reclaim … | head -c 10`: the pipe's read end is
 * closed) ends the output quietly, for every command: the stream's EPIPE is
 * handled (Node ignores SIGPIPE and otherwise crashes on the unhandled 'error'
 * event with a stack trace), nothing more is written to it, and the command
 * finishes what it was doing with its own exit code (a write to Stripe or a
 * send is not cut short because nobody reads the printout).
 *
 * Any other write error (a full disk behind `> file`) is one line on stderr
 * and exit code 1, never a stack.
 */
export interface OutputGuard {
  /** True once the reader has gone away (or the stream failed): skip writing. */
  readonly closed: boolean;
}

export function guardOutput(stream: NodeJS.WriteStream, onOtherError: (e: NodeJS.ErrnoException) => void): OutputGuard {
  const guard = { closed: false };
  stream.on('error', (e: NodeJS.ErrnoException) => {
    const first = !guard.closed;
    guard.closed = true;
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || !first) return;
    onOtherError(e);
  });
  return guard;
}
