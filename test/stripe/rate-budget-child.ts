// One process of the rate-budget test: N requests through the workspace's limiter.
import { openSqlite } from '../../main/core/db/sqlite';
import { createStripeClient, RateLimiter } from '../../main/core/stripe/client';
import { workspaceLimiter } from '../../main/core/stripe/rate-budget';

const [dbFile, apiBase, n, rate, mode] = process.argv.slice(2);
const key = process.env.STRIPE_KEY!;
const db = openSqlite(dbFile!);
// 'shared': the workspace's budget in SQLite; 'process': a bucket of this process only (as before #17 item 9).
const limiter = mode === 'shared' ? workspaceLimiter(db, 'ws_rate', key, Number(rate)) : new RateLimiter(Number(rate));
const { stripe, stats } = createStripeClient({ key, apiBase: apiBase!, fetch, limiter, maxAttempts: 1 });
process.stdout.write('ready\n');
await new Promise<void>((r) => process.stdin.once('data', () => r()));
let limited = 0;
for (let i = 0; i < Number(n); i++) {
  await stripe.customers.list({ limit: 1 }).catch((e: { statusCode?: number }) => {
    if (e.statusCode === 429) limited++;
    else throw e;
  });
}
process.stdout.write(`${JSON.stringify({ requests: stats.requests, limited })}\n`);
db.close();
process.exit(0);
