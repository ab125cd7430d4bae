import fc from 'fast-check';
import type { Core } from '../../main/core/api';
import { createInvokeHandler } from '../../main/electron/ipc-handler';
import { contract } from '../../shared/contract';
import type { Tally } from './lib/tally';

/** Where the packaged app's renderer lives (any file URL: the check compares with it). */
const RENDERER_URL = 'file:///opt/Reclaim/resources/app.asar/dist/renderer/index.html';
const FOREIGN = fc.constantFrom<unknown>(
  { senderFrame: { url: 'https://evil.example/' } },
  { senderFrame: { url: 'file:///tmp/x.html' } },
  { senderFrame: { url: `${RENDERER_URL.replace('index.html', 'other.html')}` } },
  { senderFrame: { url: 'devtools://devtools/bundled/inspector.html' } },
  { senderFrame: { url: 'file://evil.example/opt/Reclaim/resources/app.asar/dist/renderer/index.html' } },
  { senderFrame: { url: 'not a url' } },
  { senderFrame: { url: '' } },
  { senderFrame: { url: 7 } },
  { senderFrame: null },
  {},
  null,
  undefined,
);

/**
 * The Electron IPC path without Electron: the same handler main.ts registers
 * for `reclaim:invoke` (main/electron/ipc-handler.ts), called as Electron
 * calls it — (event, method, input) — with structured-clone payloads.
 * From our renderer page: every contract method with invalid payloads gives a
 * clear error, never throws, leaves data unchanged when refused. From any
 * other frame (or none): refused as "forbidden", whatever the request.
 */
export async function ipcTrials(tally: Tally, core: Core, ws: string, runs: number, fingerprint: () => string): Promise<void> {
  const invoke = createInvokeHandler({ core, rendererUrl: RENDERER_URL, logger: core.ports.logger });
  const trusted = { senderFrame: { url: `${RENDERER_URL}#/segments` } };
  // As over the bridge, minus what a bare { workspaceId } would legitimately do to the workspace (forget its key).
  const methods = Object.keys(contract).filter((m) => !['demo.create', 'workspaces.connect', 'sync.start', 'workspaces.disconnect'].includes(m));
  const junk = fc.oneof(
    fc.constantFrom<unknown>(null, undefined, [], 'x', 0, { workspaceId: null }, { workspaceId: ws, rule: { combinator: 'and', rules: [[[[]]]] } }, { workspaceId: ws, id: { toString: 'x' } }, { workspaceId: ws, extra: 1 }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ workspaceId: fc.constantFrom(ws, 'ws_ffff', '../x', '', 'ws_0000\u0000'), id: fc.string(), rule: fc.jsonValue({ maxDepth: 3 }), csv: fc.string(), json: fc.string(), ids: fc.array(fc.string()), limit: fc.oneof(fc.integer(), fc.string(), fc.double()) }, { requiredKeys: ['workspaceId'] }),
  );
  const method = fc.oneof({ weight: 9, arbitrary: fc.constantFrom<unknown>(...methods) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('', '__proto__', 'constructor', 'segments.list\u0000', 'x'.repeat(5000), 42, null, { m: 'segments.list' }) });

  for (const [i, [m, input]] of fc.sample(fc.tuple(method, junk), runs * 2).entries()) {
    await tally.trial(`IPC ${typeof m === 'string' ? m.slice(0, 40) : typeof m} #${i}`, async () => {
      const before = fingerprint();
      const r = await invoke(trusted, m, input);
      if (!r || typeof r.ok !== 'boolean') return 'no envelope';
      if (r.ok) return null;
      const problems: string[] = [];
      if (r.error.code === 'internal') problems.push(`internal error: ${r.error.message}`);
      if (!r.error.message || r.error.message.length < 5 || /\n\s+at /.test(r.error.message)) problems.push(`unclear: ${r.error.message}`);
      if (fingerprint() !== before) problems.push('refused, yet data changed');
      return problems;
    });
  }

  // Foreign senders with requests that would succeed (and change data) from our page.
  const writes: [string, unknown][] = [
    ['workspaces.create', { name: 'From a foreign frame' }],
    ['segments.create', { workspaceId: ws, name: 'Foreign', rule: { combinator: 'and', rules: [{ field: 'mrr', operator: '>', value: 1 }] } }],
    ['workspaces.list', {}],
    ['segments.export', { workspaceId: ws }],
    ['suppressions.add', { workspaceId: ws, email: 'foreign@evil.example' }],
  ];
  for (const [i, [event, [m, input]]] of fc.sample(fc.tuple(FOREIGN, fc.constantFrom(...writes)), runs).entries()) {
    await tally.trial(`IPC from a foreign frame ${m} #${i}`, async () => {
      const before = fingerprint();
      const r = await invoke(event as never, m, input);
      const problems: string[] = [];
      if (r.ok || r.error.code !== 'forbidden') problems.push(`not refused (${r.ok ? 'answered' : r.error.code}) for ${JSON.stringify(event) ?? 'undefined'}`);
      if (fingerprint() !== before) problems.push('data changed');
      return problems;
    });
  }
  // The same requests from our page do go through (the refusals above are about the sender).
  await tally.trial('IPC from the renderer page is answered', async () => {
    const r = await invoke(trusted, 'segments.list', { workspaceId: ws });
    return r.ok ? null : `refused: ${r.error.message}`;
  });
}
