import type { Command } from 'commander';
import { CliExit, type CliContext } from '../context';
import { formatTime } from '../format';

/**
 * `reclaim audit verify` (#18 item 6): checks the audit log's hash chain.
 * Exit 0 with the number of entries (and the last hash, to keep elsewhere);
 * exit 1 naming the first entry where the chain breaks.
 */
export function registerAuditVerify(program: Command, ctx: CliContext): void {
  const audit = program.commands.find((c) => c.name() === 'audit');
  if (!audit) throw new Error('the audit command is registered first');
  audit
    .command('verify')
    .description('check that no audit entry was changed, removed or inserted (hash chain); exit 1 at the first broken entry')
    .action(async () => {
      const r = await ctx.call('audit.verify', { workspaceId: await ctx.workspaceId() });
      if (r.ok) {
        ctx.print(r, () => (r.count ? `Audit log intact: ${r.count} ${r.count === 1 ? 'entry' : 'entries'}; last hash ${r.head}` : 'Audit log intact: no entries yet'));
        return;
      }
      if (ctx.globals().json) ctx.print(r, () => '');
      const b = r.broken!;
      throw new CliExit(1, `The audit log is broken at entry ${b.id} (${formatTime(b.at)}): ${b.reason}. ${r.count === 1 ? 'The entry' : `The ${r.count} entries`} before it ${r.count === 1 ? 'is' : 'are'} intact.`);
    });
}
