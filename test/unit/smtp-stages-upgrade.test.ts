import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { mayHaveBeenHandedOver, readStage } from '../../main/core/recovery/smtp-stages';
import { tempDir } from '../helpers/core';

// Issue #18.1: a send left in flight by a version that kept no stages may have reached the mail server.
describe('upgrading to SMTP send stages', () => {
  it('marks sends left in flight by the older version as unknown (not resent), and nothing else', () => {
    const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
    const at = workspaceMigrations.findIndex((m) => m.name === 'smtp send stages');
    migrate(db, workspaceMigrations.slice(0, at));
    const row = db.prepare(
      `INSERT INTO recovery_outbox (key, run_id, invoice_id, customer_id, step_id, step_index, channel, delay_from, delay_sec, due_at, status, created_at_ms, updated_at_ms)
       VALUES (?, 'run_1', ?, 'cus_1', 'welcome', 0, 'email', 'first_failure', 0, 0, ?, 1, 1)`,
    );
    row.run('run_1:in_1:welcome', 'in_1', 'in_flight');
    row.run('run_1:in_2:welcome', 'in_2', 'scheduled');
    migrate(db, workspaceMigrations);
    expect(readStage(db, 'run_1:in_1:welcome')).toBe('unknown');
    expect(mayHaveBeenHandedOver(readStage(db, 'run_1:in_1:welcome'))).toBe(true);
    expect(readStage(db, 'run_1:in_2:welcome')).toBeNull();
    expect(mayHaveBeenHandedOver(null)).toBe(false);
    db.close();
  });
});
