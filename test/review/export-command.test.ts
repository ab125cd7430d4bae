import { describe, expect, it } from 'vitest';
import { exportCommand, suggestedFileName } from '../../renderer/src/components/exports/choices';

describe('the reclaim export command shown beside the Exports form', () => {
  it('is the exact command for the choice, quoted for a POSIX shell', () => {
    expect(exportCommand('Demo', { what: 'performance', format: 'html' })).toBe('reclaim -w Demo export --what performance --format html --out demo-performance.html');
    expect(exportCommand("Acme's EU", { what: 'members', format: 'csv', segment: 'At-Risk', from: '2026-09-01', to: '2026-11-30' })).toBe(
      "reclaim -w 'Acme'\\''s EU' export --what members --format csv --out acme-s-eu-members.csv --segment At-Risk --from 2026-09-01 --to 2026-11-30",
    );
    expect(exportCommand('Shop', { what: 'audit', format: 'xlsx', segment: 'New customers; rm -rf ~' })).toContain("--segment 'New customers; rm -rf ~'");
    expect(suggestedFileName('***', { what: 'runs', format: 'json' })).toBe('workspace-runs.json');
  });
});
