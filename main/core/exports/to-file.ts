import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../api';
import { UserError } from '../errors';
import { buildExport, writeExport, type ExportRequest } from './create';
import { finish } from './sink';
import type { Cell, Table } from './table';

/** A new export file is private like the data folder (it holds customer names and emails). */
const FILE_MODE = 0o600;

export interface ExportProgress {
  /** Called once with the number of rows to come (when it is known cheaply). */
  start(total: number): void;
  /** Rows written so far. */
  update(rows: number): void;
  stop(): void;
}

function* counted(rows: Iterable<Cell[]>, seen: { n: number }, p: ExportProgress): Generator<Cell[]> {
  for (const r of rows) {
    if (++seen.n % 2000 === 0) p.update(seen.n);
    yield r;
  }
}

function rowCount(core: Core, workspaceId: string, req: ExportRequest, tables: Table[]): number | null {
  const db = core.registry.openDb(workspaceId);
  if (req.what === 'members' && tables[0]) {
    return req.segment ? null : (db.prepare('SELECT count(*) FROM customer_facts').pluck().get() as number);
  }
  if (req.what === 'audit') return db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
  return null;
}

/**
 * Streams an export into `file` atomically: written to a temporary file in the
 * same folder (0600 when new), then renamed over `file`, so a reader never
 * sees half a file and a failed export leaves the old file as it was.
 * Returns the rows written.
 */
export async function exportToFile(core: Core, workspaceId: string, req: ExportRequest, file: string, progress?: ExportProgress): Promise<{ rows: number; file: string }> {
  const w = core.registry.get(workspaceId);
  const built = await buildExport(
    { db: core.registry.openDb(workspaceId), workspace: { id: w.id, name: w.name, kind: w.kind, mode: w.mode, currency: w.currency }, handlers: core.handlers, nowMs: core.ports.clock.now() },
    req,
  );
  if (progress) {
    const total = rowCount(core, workspaceId, req, built.doc.tables);
    if (total !== null) {
      progress.start(total);
      const seen = { n: 0 };
      built.doc.tables = built.doc.tables.map((t) => ({ ...t, rows: counted(t.rows, seen, progress) }));
      built.csvTable = built.doc.tables[0]!;
    }
  }
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  let mode = FILE_MODE;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    // A new file: 0600.
  }
  let out: fs.WriteStream;
  try {
    fs.writeFileSync(temp, '', { mode, flag: 'w' });
    out = fs.createWriteStream(temp, { flags: 'w' });
  } catch (e) {
    throw cannotWrite(file, e);
  }
  let failure: unknown = null;
  out.on('error', (e) => (failure = e));
  try {
    const rows = await writeExport(built, req.format, out);
    await finish(out);
    if (failure) throw failure;
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, target);
    return { rows, file: target };
  } catch (e) {
    out.destroy();
    fs.rmSync(temp, { force: true });
    if (e instanceof UserError) throw e;
    throw cannotWrite(file, e);
  } finally {
    progress?.stop();
  }
}

function cannotWrite(file: string, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code === 'ENOSPC' ? 'the disk is full' : (code ?? (e instanceof Error ? e.message : String(e)));
  return new UserError('bad_request', `Cannot write "${file}": ${why}`);
}
