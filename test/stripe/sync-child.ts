// Runs one sync in its own process so the test can SIGKILL it mid-flight.
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { silentLogger, systemClock } from '../../main/core/ports';
import { createSync } from '../../main/core/stripe/sync';

const [dbFile, apiBase] = process.argv.slice(2);
const key = process.env.SYNC_KEY!;
const db = openSqlite(dbFile!);
migrate(db, workspaceMigrations);
process.stdout.write('started\n');
await createSync({ db, apiBase: apiBase!, key, fetch, clock: systemClock, logger: silentLogger, ratePerSecond: 100, pageSize: 20 }).run();
process.stdout.write('finished\n');
