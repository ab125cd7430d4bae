import type { Command } from 'commander';
import { CliExit, type CliContext } from '../context';

/** `reclaim mrr`: how MRR is computed, and the workspace's coupon setting. */
export function registerFactsCommands(program: Command, ctx: CliContext): void {
  const { call, print } = ctx;
  program
    .command('mrr')
    .description('show how MRR is computed; --finite-coupons on|off sets whether once/repeating coupons reduce MRR (Stripe default: off)')
    .option('--finite-coupons <on|off>', 'count active once/repeating coupons in MRR (recomputes every customer)')
    .action(async (opts: { finiteCoupons?: string }) => {
      const workspaceId = await ctx.workspaceId();
      let value: boolean | undefined;
      if (opts.finiteCoupons !== undefined) {
        const v = opts.finiteCoupons.toLowerCase();
        if (!['on', 'off', 'true', 'false', 'yes', 'no'].includes(v)) throw new CliExit(2, '--finite-coupons must be on or off');
        value = ['on', 'true', 'yes'].includes(v);
      }
      const s = value === undefined ? await call('facts.mrrSettings', { workspaceId }) : await call('facts.setMrrSettings', { workspaceId, includeFiniteCoupons: value });
      print(s, () =>
        [
          `Once/repeating coupons reduce MRR: ${s.includeFiniteCoupons ? 'yes' : 'no (Stripe default: only forever coupons)'}`,
          '',
          'How MRR is computed:',
          ...s.rules.map((r) => `  • ${r}`),
        ].join('\n'),
      );
    });
}
