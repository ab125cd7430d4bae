import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers/core';

const BIN = path.resolve(import.meta.dirname, '../../bin/reclaim.mjs');
let dir: string;

function reclaim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

vi.setConfig({ testTimeout: 300_000 });

/** #17 item 13: `reclaim offer annual` previews, then (with --yes) switches to yearly billing on the demo's Stripe. */
describe('reclaim offer annual', () => {
  let rows: { customer_id: string; billing_interval: string | null; subscription_status: string | null }[];
  beforeAll(() => {
    dir = tempDir();
    const r = reclaim(['demo', '--customers', '60', '--seed', '9']);
    expect(r.code, r.err).toBe(0);
    const all = reclaim(['customers', '--all', '--format', 'ndjson']);
    expect(all.code, all.err).toBe(0);
    rows = all.out.trim().split('\n').map((l) => JSON.parse(l) as (typeof rows)[number]);
  }, 240_000);

  it('shows what the customer pays and changes nothing without --yes; switches with --yes; refuses a yearly customer in one line', () => {
    const monthly = rows.find((c) => c.billing_interval === 'month' && c.subscription_status === 'active')!;
    const preview = reclaim(['offer', 'annual', '--customer', monthly.customer_id]);
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toMatch(/→\s+price_\w+_year_\w+ .*\/year/);
    expect(preview.out).toMatch(/Charged now: /);
    expect(preview.out).toMatch(/Nothing changed\. Run again with --yes/);

    const done = reclaim(['offer', 'annual', '--customer', monthly.customer_id, '--yes']);
    expect(done.code, done.err).toBe(0);
    expect(done.out).toMatch(/^(Switched sub_\w+ to price_\w+_year_\w+; invoice in_\w+ paid\.|Not switched yet: the yearly invoice)/m);

    const yearly = rows.find((c) => c.billing_interval === 'year')!;
    const refused = reclaim(['offer', 'annual', '--customer', yearly.customer_id, '--yes']);
    expect(refused.code).toBe(2);
    expect(refused.err.trim()).toMatch(/^reclaim: Customer cus_\w+ is already billed yearly\.$/);
  });
});
