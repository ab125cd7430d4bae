import fc from 'fast-check';
import type { dispatch } from '../../main/core/dispatch';
import type { Tally } from './lib/tally';

type Call = (m: string, input: unknown) => ReturnType<typeof dispatch>;

/** Valid values for every field of each settings object (issue #18 item 4). */
const FIELDS: Record<string, { set: string; get: (v: Record<string, unknown>) => Record<string, unknown>; read: string; arb: Record<string, fc.Arbitrary<unknown>>; seed?: Record<string, unknown> }> = {
  webhook: {
    set: 'whiteglove.webhook.set', read: 'whiteglove.settings.get', get: (v) => v.webhook as Record<string, unknown>,
    arb: { url: fc.constantFrom('https://hooks.example.com/a', 'https://hooks.example.com/b', null), maxAttempts: fc.integer({ min: 1, max: 10 }), backoffMs: fc.integer({ min: 0, max: 60_000 }) },
  },
  am: {
    set: 'whiteglove.am.set', read: 'whiteglove.settings.get', get: (v) => v.am as Record<string, unknown>,
    arb: { managers: fc.array(fc.constantFrom('alice@example.test', 'bruno@example.test', 'chen@example.test'), { maxLength: 3 }), dueHours: fc.integer({ min: 1, max: 720 }), slaHours: fc.integer({ min: 1, max: 720 }) },
  },
  voice: {
    set: 'whiteglove.voice.set', read: 'whiteglove.settings.get', get: (v) => v.voice as Record<string, unknown>,
    arb: {
      provider: fc.constantFrom('http', 'call_list'), apiBase: fc.constantFrom('https://voice.example.com/v1', null), accountId: fc.constantFrom('AC1', null), fromNumber: fc.constantFrom('+15550100', null),
      costPerCall: fc.integer({ min: 0, max: 10_000 }), currency: fc.constantFrom('usd', 'eur'), minCustomerValue: fc.integer({ min: 0, max: 100_000 }), dailyBudget: fc.option(fc.integer({ min: 0, max: 9_999 })), perRunBudget: fc.option(fc.integer({ min: 0, max: 9_999 })),
    },
  },
  smtp: {
    set: 'smtp.set', read: 'smtp.get', get: (v) => v,
    // SMTP delivery needs a host and a From address: stored once, so any patch may switch transport.
    seed: { transport: 'capture', host: 'mail.example.com', from: 'billing@example.com' },
    arb: { transport: fc.constantFrom('smtp', 'capture'), host: fc.constantFrom('mail.example.com', 'smtp.example.org'), port: fc.integer({ min: 1, max: 65535 }), tls: fc.constantFrom('starttls', 'tls', 'none'), from: fc.constantFrom('billing@example.com', 'ar@example.org'), ratePerMinute: fc.integer({ min: 1, max: 10_000 }) },
  },
  operator: {
    set: 'recovery.settings.set', read: 'recovery.settings.get', get: (v) => v,
    arb: { operatorName: fc.constantFrom('Dana Ops', 'Lee'), operatorEmail: fc.constantFrom('dana@example.com', null) },
  },
};

/**
 * Sequences of partial updates to every settings object: after each one the
 * stored settings equal the previous ones with exactly the named fields
 * changed. (Before the fix a patch reset every omitted field to its default.)
 */
export async function settingsPatchTrials(tally: Tally, call: Call, ws: string, runs: number): Promise<void> {
  for (const [name, f] of Object.entries(FIELDS)) {
    if (f.seed) await call(f.set, { workspaceId: ws, ...f.seed });
    const patches = fc.array(fc.record(f.arb, { requiredKeys: [] }), { minLength: 1, maxLength: 6 });
    for (const [i, seq] of fc.sample(patches, Math.max(3, Math.round(runs / 4))).entries()) {
      await tally.trial(`settings patch ${name} #${i}`, async () => {
        const r0 = await call(f.read, { workspaceId: ws });
        if (!r0.ok) return `read failed: ${r0.error.message}`;
        let model = { ...f.get(r0.value as Record<string, unknown>) };
        for (const patch of seq) {
          const r = await call(f.set, { workspaceId: ws, ...patch });
          if (!r.ok) return `${JSON.stringify(patch)} refused: ${r.error.message}`;
          model = { ...model, ...patch };
          const after = await call(f.read, { workspaceId: ws });
          if (!after.ok) return `read failed: ${after.error.message}`;
          const got = f.get(after.value as Record<string, unknown>);
          const wrong = Object.keys(f.arb).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(model[k]));
          if (wrong.length) return `after ${JSON.stringify(patch)}: ${wrong.map((k) => `${k} is ${JSON.stringify(got[k])}, expected ${JSON.stringify(model[k])}`).join(', ')}`;
          model = { ...got };
        }
        return null;
      });
    }
  }
}
