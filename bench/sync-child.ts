/**
 * One full sync in its own process (so its peak RSS is the sync's alone), run
 * by bench/sync-floor.ts against the local Stripe server. Prints one JSON line.
 * It goes through the sync's public entry, createSync, as SyncManager does.
 */
import fs from 'node:fs';
import { migrate, openSqlite } from '../main/core/db/sqlite';
import { workspaceMigrations } from '../main/core/db/workspace-migrations';
import { systemClock, silentLogger } from '../main/core/ports';
import { createSync } from '../main/core/stripe/sync';

const [apiBase, key, file, rate] = process.argv.slice(2) as [string, string, string, string];
const db = openSqlite(file);
migrate(db, workspaceMigrations);
let peak = process.memoryUsage().rss;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const concurrency = process.env.BENCH_SYNC_CONCURRENCY ? { concurrency: Number(process.env.BENCH_SYNC_CONCURRENCY) } : {};
const sync = createSync({ db, apiBase, key, fetch: globalThis.fetch, clock: systemClock, logger: silentLogger, ratePerSecond: Number(rate), ...concurrency });
const t = performance.now();
const r = await sync.run();
const wallMs = performance.now() - t;
clearInterval(sample);
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
const bytes = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
console.log(JSON.stringify({ status: r.status, requests: r.requests, retries: r.retries, counts: r.counts, wallMs, peakRss: peak, bytes }));
