/**
 * A WHERE clause from optional filters: each condition is added only when its
 * (first) value is set, and every value is bound, never spliced into the SQL.
 *
 *   const w = new Where().add('run_id = ?', f.runId).add('at_ms >= ?', f.since);
 *   db.prepare(`SELECT … FROM audit_log ${w.sql}`).all(...w.args);
 */
export class Where {
  private readonly clauses: string[] = [];
  readonly args: unknown[] = [];

  add(sql: string, ...values: unknown[]): this {
    const first = values[0];
    if (values.length > 0 && (first === undefined || first === null || first === '')) return this;
    this.clauses.push(sql);
    this.args.push(...values);
    return this;
  }

  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
