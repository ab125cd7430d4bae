import { SingleBar } from 'cli-progress';
import type { EventPayload } from '../../shared/contract';
import type { Core } from '../core/api';
import type { CliIO } from './context';

type Upgrade = EventPayload<'workspaces.upgrade'>;

/**
 * Opening a workspace written by an older version can take minutes (migration 21 rewrites every
 * stored Stripe object, then a VACUUM): says so on stderr while it runs. A bar on a terminal
 * (drawn synchronously: the upgrade blocks the event loop), a line per tenth otherwise, JSON
 * lines with --json.
 */
export function printUpgradeProgress(core: Core, io: CliIO, json: () => boolean): () => void {
  let bar: SingleBar | null = null;
  let step = '';
  let tenth = -1;
  const line = (p: Upgrade) => {
    if (json()) return io.err(JSON.stringify({ upgrade: p }));
    const t = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 10;
    if (p.step === step && t === tenth) return;
    io.err(p.message);
    step = p.step;
    tenth = t;
  };
  return core.events.on('workspaces.upgrade', (p) => {
    if (json() || !process.stderr.isTTY || p.total <= 1) {
      if (bar && p.step !== step) {
        bar.stop();
        bar = null;
      }
      line(p);
      return;
    }
    if (!bar || p.step !== step) {
      bar?.stop();
      bar = new SingleBar({ format: ` Upgrading the workspace: ${p.step} {bar} {value}/{total}`, stream: process.stderr, hideCursor: true });
      bar.start(p.total, p.done);
      step = p.step;
    }
    bar.update(p.done);
    if (p.done >= p.total) {
      bar.stop();
      bar = null;
    }
  });
}
