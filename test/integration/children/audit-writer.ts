// Appends audit entries to one workspace file from its own process, the way the
// CLI and the app do at the same time (#18 item 6):
//   audit-writer.ts <file> <tag> <n>
// Every other entry is written inside a transaction that also writes another
// table (as run execution and settings do). Prints "done <n>" at the end.
import { openSqlite } from '../../../main/core/db/sqlite';
import { audit } from '../../../main/core/recovery/audit';
import { suppress } from '../../../main/core/recovery/settings';

const [file, tag, n] = process.argv.slice(2) as [string, string, string];
const db = openSqlite(file);
for (let i = 0; i < Number(n); i++) {
  const entry = { actor: tag, kind: 'test.append', message: `${tag} entry ${i}`, data: { i } };
  if (i % 2) audit(db, Date.now(), entry);
  else db.transaction(() => {
    suppress(db, `${tag}-${i}@example.test`, 'test', Date.now());
    audit(db, Date.now(), entry);
  })();
}
db.close();
process.stdout.write(`done ${n}\n`);
