import Database from 'better-sqlite3';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { audit } from '../../main/core/recovery/audit';
import { verifyAudit } from '../../main/core/recovery/audit-chain';
import { tempDir } from './lib/fixture';
import type { Tally } from './lib/tally';

/**
 * Someone with the workspace file rewrites the audit log (#18 item 6). Each
 * trial: a fresh file with random entries appended by Reclaim, then one
 * random tampering through a plain SQLite connection. With the triggers in
 * place, REPLACE/UPDATE/DELETE/forged inserts are refused and the chain
 * verifies; with the triggers dropped, `verifyAudit` names exactly the entry
 * where the change is (a removed last entry changes the head hash instead).
 */
const COLUMNS = ['at_ms', 'actor', 'kind', 'run_id', 'customer_id', 'invoice_id', 'message', 'data'] as const;
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const entry = fc.record({ actor: fc.constantFrom('operator', 'cli', 'app'), kind: fc.constantFrom('run.started', 'action.succeeded', 'settings.smtp'), message: text, customerId: fc.option(text), data: fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 }) });
const tampering = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), keepTriggers: fc.boolean(), at: fc.nat(), message: text }),
  fc.record({ op: fc.constant('change' as const), keepTriggers: fc.boolean(), at: fc.nat(), column: fc.constantFrom(...COLUMNS) }),
  fc.record({ op: fc.constant('delete' as const), keepTriggers: fc.boolean(), at: fc.nat() }),
  fc.record({ op: fc.constant('forge' as const), keepTriggers: fc.boolean(), at: fc.nat() }),
);
type Tampering = typeof tampering extends fc.Arbitrary<infer T> ? T : never;

function apply(file: string, t: Tampering, n: number): { refused: boolean; expectBrokenAt: number | null } {
  const id = (t.at % n) + 1;
  const raw = new Database(file);
  try {
    if (!t.keepTriggers) raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TRIGGER IF EXISTS audit_log_append_only');
    if (t.op === 'replace') {
      // REPLACE keeps the row's own hashes: only its message differs.
      raw.prepare(
        `INSERT OR REPLACE INTO audit_log (id, at_ms, actor, kind, run_id, customer_id, invoice_id, message, data, prev_hash, hash)
         SELECT id, at_ms, actor, kind, run_id, customer_id, invoice_id, ?, data, prev_hash, hash FROM audit_log WHERE id = ?`,
      ).run(`${t.message}\u0000tampered`, id);
      return { refused: false, expectBrokenAt: id };
    }
    if (t.op === 'change') {
      const v = t.column === 'at_ms' ? "at_ms + 1" : t.column === 'data' ? `'{"tampered":true}'` : `coalesce(${t.column}, '') || '!'`;
      raw.prepare(`UPDATE audit_log SET ${t.column} = ${v} WHERE id = ?`).run(id);
      return { refused: false, expectBrokenAt: id };
    }
    if (t.op === 'delete') {
      raw.prepare('DELETE FROM audit_log WHERE id = ?').run(id);
      return { refused: false, expectBrokenAt: id < n ? id + 1 : null };
    }
    // A forged entry appended with a made-up hash.
    raw.prepare(`INSERT INTO audit_log (id, at_ms, actor, kind, message, data, prev_hash, hash) VALUES (?, 0, 'mallory', 'run.started', 'forged', '{}', ?, ?)`).run(n + 1, 'f'.repeat(64), 'e'.repeat(64));
    return { refused: false, expectBrokenAt: n + 1 };
  } catch (e) {
    if (t.keepTriggers && /append-only|hash chain/.test(e instanceof Error ? e.message : '')) return { refused: true, expectBrokenAt: null };
    throw e;
  } finally {
    raw.close();
  }
}

export async function auditTamperTrials(tally: Tally, runs: number): Promise<void> {
  const dir = tempDir();
  try {
    const cases = fc.sample(fc.tuple(fc.array(entry, { minLength: 1, maxLength: 12 }), tampering), runs);
    for (const [i, [entries, t]] of cases.entries()) {
      await tally.trial(`audit tampering #${i} (${t.op}${t.keepTriggers ? '' : ', triggers dropped'})`, async () => {
        const file = path.join(dir, `t${i}.sqlite`);
        const db = openSqlite(file);
        try {
          migrate(db, workspaceMigrations);
          for (const [k, e] of entries.entries()) audit(db, 1_760_000_000_000 + k, { ...e, customerId: e.customerId ?? null });
          const before = verifyAudit(db);
          if (!before.ok || before.count !== entries.length) return `not intact before tampering: ${JSON.stringify(before)}`;
          const { refused, expectBrokenAt } = apply(file, t, entries.length);
          const after = verifyAudit(db);
          if (t.keepTriggers && !refused) return `${t.op} was not refused with the triggers in place`;
          if (refused || expectBrokenAt === null) {
            // Refused: nothing changed. A removed last entry: the rest verifies, the head hash moved.
            if (!after.ok) return `verify says broken after a refused ${t.op}: ${after.broken?.reason}`;
            if (refused && after.head !== before.head) return 'the head hash changed after a refused tampering';
            if (!refused && after.head === before.head) return 'the last entry was removed but the head hash is the same';
            return null;
          }
          if (after.ok) return `${t.op} of entry ${expectBrokenAt} went unnoticed`;
          return after.broken!.id === expectBrokenAt ? null : `expected the chain to break at entry ${expectBrokenAt}, verify says ${after.broken!.id}: ${after.broken!.reason}`;
        } finally {
          db.close();
          fs.rmSync(file, { force: true });
        }
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
