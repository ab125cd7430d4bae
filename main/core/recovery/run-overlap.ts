import { conflict } from '../errors';

/**
 * Starting a run whose invoices another active run already executes (issue
 * #18.7: two `reclaim run start --yes` at once). An invoice is in one active
 * run at a time, so such a start used to create an empty run that completed at
 * once while both commands reported success. When every invoice the plan
 * covers is taken, the start is refused, naming the run that has them; when
 * only some are, the start goes on with the others.
 */
export class RunOverlap {
  private readonly byRun = new Map<string, number>();
  private inserted = 0;

  /** `active`: invoice id → the active (running or paused) run that has it. */
  constructor(private readonly active: Map<string, string>) {}

  /** True when another active run has this invoice (counted for the refusal). */
  has(invoiceId: string): boolean {
    const run = this.active.get(invoiceId);
    if (!run) return false;
    this.byRun.set(run, (this.byRun.get(run) ?? 0) + 1);
    return true;
  }

  added(): void {
    this.inserted++;
  }

  /** Throws a conflict when nothing was added because other runs have every invoice. */
  refuseIfNothingNew(): void {
    if (this.inserted > 0 || this.byRun.size === 0) return;
    const runs = [...this.byRun].sort((a, b) => b[1] - a[1]);
    const total = runs.reduce((n, [, k]) => n + k, 0);
    const [first] = runs[0]!;
    const others = runs.length > 1 ? ` (and ${runs.length - 1} other run${runs.length > 2 ? 's' : ''})` : '';
    throw conflict(
      `Run ${first}${others} is already executing these invoices (${total}); nothing new was started. Follow that run, or plan again once it has finished.`,
    );
  }
}
