/** One category's outcome: every trial passes or fails with a reason. */
export class Tally {
  trials = 0;
  passed = 0;
  failed = 0;
  readonly failures: string[] = [];
  readonly notes: string[] = [];

  constructor(readonly name: string) {}

  record(label: string, problems: string[] | string | null | undefined): void {
    const list = problems == null ? [] : Array.isArray(problems) ? problems : [problems];
    this.trials++;
    if (list.length === 0) this.passed++;
    else {
      this.failed++;
      this.failures.push(`${label}: ${list.join('; ')}`);
    }
  }

  /** Runs one trial; an exception is a failure of that trial, not of the harness. */
  async trial(label: string, fn: () => Promise<string[] | string | null | undefined>): Promise<void> {
    try {
      this.record(label, await fn());
    } catch (e) {
      this.record(label, `threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  note(text: string): void {
    this.notes.push(text);
  }

  line(): string {
    return `${this.name}: ${this.trials} trials, ${this.passed} passed, ${this.failed} failed`;
  }
}
