// Run with `node --expose-gc --import tsx`: the Stripe client against a server
// that never answers, while the garbage collector runs constantly. Prints
// "gave up: <reason>" when every attempt timed out, or "HUNG" from a watchdog.
import http from 'node:http';
import { createStripeClient } from '../../main/core/stripe/client';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const server = http.createServer(() => undefined);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const { port } = server.address() as { port: number };
let garbage: unknown[] = [];
const pressure = setInterval(() => {
  gc();
  garbage = Array.from({ length: 50_000 }, (_, i) => ({ i }));
}, 5);
const watchdog = setTimeout(() => {
  process.stdout.write(`HUNG ${garbage.length}\n`);
  process.exit(3);
}, Number(process.argv[2] ?? 60_000));
const { stripe } = createStripeClient({ key: `rk_test_${'x'.repeat(24)}`, apiBase: `http://127.0.0.1:${port}`, fetch, ratePerSecond: 1000, timeoutMs: 200, maxAttempts: 4, backoffMs: 1 });
const results = await Promise.allSettled(Array.from({ length: 12 }, () => stripe.customers.list({ limit: 1 })));
clearTimeout(watchdog);
clearInterval(pressure);
server.closeAllConnections();
server.close();
const reasons = results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message ?? r.reason) : 'answered'));
process.stdout.write(`gave up: ${[...new Set(reasons)].join(' | ')}\n`);
