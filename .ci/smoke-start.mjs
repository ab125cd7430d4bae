// CI smoke check of the README's first command: runs `npm start` exactly as a
// user would (no flags, no environment changes), waits for the console URL it
// prints, proves over HTTP with the printed token that the page and the demo
// workspace are served, then stops it with Ctrl+C (SIGINT) and expects a clean exit.
// Without an Electron binary (no GitHub here) `npm start` serves the console.
/* global fetch, setTimeout, clearTimeout */
import { spawn } from 'node:child_process';
import readline from 'node:readline';

const URL_WAIT_MS = 10 * 60_000; // npm start builds the app first
const DEMO_WAIT_MS = 5 * 60_000;
const STOP_WAIT_MS = 30_000;

const child = spawn('npm start', { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
const output = [];
const fail = (message) => {
  console.error(`smoke: FAILED — ${message}\n--- npm start output ---\n${output.join('\n')}`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  process.exit(1);
};
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
let stopping = false;

const consoleUrl = await new Promise((resolve) => {
  const timer = setTimeout(() => fail(`no console URL within ${URL_WAIT_MS / 1000}s`), URL_WAIT_MS);
  void exited.then(({ code, signal }) => stopping || fail(`npm start exited (${code ?? signal}) before we stopped it`));
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      console.log(`  │ ${line}`);
      const m = line.match(/Reclaim console: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]));
      }
    });
  }
});

const token = consoleUrl.searchParams.get('token');
const page = await fetch(consoleUrl);
const html = await page.text();
if (page.status !== 200 || !/<div id="root">/.test(html)) fail(`the console page answered ${page.status} without the app`);
const api = async (method, input) => {
  const res = await fetch(new URL(`/api/${method}`, consoleUrl), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (!body.ok) fail(`${method}: ${body.error?.message}`);
  return body.value;
};
if ((await fetch(new URL('/api/workspaces.list', consoleUrl), { method: 'POST', body: '{}' })).status !== 401) fail('the API answered without the token');

// The demo workspace is built in the background on first start (about 10 s): ask until it has customers.
const deadline = Date.now() + DEMO_WAIT_MS;
let demo = null;
let customers = 0;
while (Date.now() < deadline) {
  demo = (await api('workspaces.list', {})).find((w) => w.kind === 'demo') ?? null;
  if (demo) customers = (await api('customers.list', { workspaceId: demo.id, limit: 1 })).total;
  if (customers > 0) break;
  await new Promise((r) => setTimeout(r, 1000));
}
if (!demo || customers === 0) fail(`no demo workspace with customers within ${DEMO_WAIT_MS / 1000}s`);
const segments = await api('segments.list', { workspaceId: demo.id });

stopping = true;
process.kill(-child.pid, 'SIGINT');
const stop = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), STOP_WAIT_MS))]);
if (!stop) fail(`npm start did not stop within ${STOP_WAIT_MS / 1000}s of Ctrl+C`);
// Nothing it started may outlive it (the console server, the build).
const groupAlive = () => {
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
};
for (let i = 0; i < 50 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 200));
if (groupAlive()) fail('processes started by npm start are still running after Ctrl+C');
console.log(
  `smoke: npm start served the console at ${consoleUrl.origin} (token checked): demo workspace "${demo.name}" with ${customers.toLocaleString('en')} customers and ${segments.segments.length} segments; stopped cleanly (${stop.code ?? stop.signal}).`,
);
