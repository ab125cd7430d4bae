import { UserError } from '../errors';

export interface ParsedKey {
  key: string;
  kind: 'restricted' | 'secret';
  mode: 'test' | 'live';
  /** e.g. "rk_live_" */
  prefix: string;
  last4: string;
  /** e.g. "rk_live_…a1b2": all the UI and logs ever see. */
  masked: string;
  warning: string | null;
}

/** Checks the shape of a Stripe key; the error never repeats the key. */
export function parseKey(raw: string): ParsedKey {
  const key = raw.trim();
  const m = /^(rk|sk)_(live|test)_([A-Za-z0-9]{8,})$/.exec(key);
  if (!m) {
    const hint = /^pk_/.test(key)
      ? 'That is a publishable key; Reclaim needs a restricted key (rk_live_… or rk_test_…).'
      : 'Paste a restricted key that starts with rk_live_ or rk_test_.';
    throw new UserError('bad_request', `Not a Stripe API key. ${hint}`, [{ path: 'key', message: hint }]);
  }
  const [, type, mode] = m as unknown as [string, 'rk' | 'sk', 'test' | 'live'];
  const prefix = `${type}_${mode}_`;
  const last4 = key.slice(-4);
  return {
    key,
    kind: type === 'rk' ? 'restricted' : 'secret',
    mode,
    prefix,
    last4,
    masked: `${prefix}…${last4}`,
    warning:
      type === 'sk'
        ? 'This is a secret key with full access to your Stripe account. It works, but create a restricted key with only the permissions Reclaim needs and connect that instead.'
        : null,
  };
}

export function maskKeys(text: string, key: string): string {
  return key ? text.split(key).join(`${key.slice(0, 8)}…${key.slice(-4)}`) : text;
}
