import { syncRows } from './sync-floor';
const n = Number(process.argv[2]);
const r = await syncRows(n);
console.log(process.env.BENCH_SYNC_CONCURRENCY ?? 'default', r.rows[0]!.ratio.toFixed(2), r.profile[0]);
