import { unwrap, type Input, type Method, type Output, type StepInput } from '../../shared/contract';
import { dispatch } from '../../main/core/dispatch';
import { createCore, type Core } from '../../main/core/api';
import { FileSecrets } from '../../main/core/secrets/file-secrets';
import { silentLogger } from '../../main/core/ports';
import { tempDir } from '../helpers/core';

/** A real core whose clock the test moves (unix seconds). */
export function clockedCore(startSec: number, dataDir = tempDir()): { core: Core; clock: { sec: number }; dataDir: string } {
  const clock = { sec: startSec };
  const core = createCore({
    clock: { now: () => clock.sec * 1000 },
    secrets: new FileSecrets(dataDir),
    logger: silentLogger,
    paths: { dataDir },
    fetch: globalThis.fetch,
    version: '0.0.0-test',
    shell: 'test',
  });
  return { core, clock, dataDir };
}

const TEMPLATE = { subject: 'About invoice {{ invoice_number }}', text: 'Hello {{ name }}, please pay {{ amount }}: {{ pay_url }}', html: '' };

export const step = {
  email: (id: string, days: number, hours = 0): StepInput => ({ id, channel: 'email', delay: { days, hours, from: 'first_failure' }, config: { tone: 'white_glove', sender: 'account_manager', template: TEMPLATE } }),
  voice: (id: string, days: number, hours = 0, conditions: Record<string, unknown> = {}): StepInput =>
    ({ id, channel: 'voice', delay: { days, hours, from: 'first_failure' }, conditions, config: {} }) as StepInput,
  am: (id: string, days: number, hours = 0, conditions: Record<string, unknown> = {}): StepInput =>
    ({ id, channel: 'am_task', delay: { days, hours, from: 'first_failure' }, conditions, config: {} }) as StepInput,
  webhook: (id: string, days: number, hours = 0): StepInput => ({ id, channel: 'webhook', delay: { days, hours, from: 'first_failure' }, config: {} }) as StepInput,
};

/** Calls the core the way every shell does: input validated and defaulted by the contract. */
export async function call<M extends Method>(core: Core, method: M, input: Input<M>): Promise<Output<M>> {
  return unwrap(await dispatch(core, method, input, silentLogger)) as Output<M>;
}
