import type { Command } from 'commander';
import type { AnnualSwitch } from '../../../shared/annual';
import { formatMoney } from '../../../shared/money';
import type { CliContext } from '../context';

const day = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 10);

/** The preview as a customer-facing summary: what changes and what is charged now. */
export function describeSwitch(s: AnnualSwitch): string {
  const m = (n: number) => formatMoney(n, s.currency);
  const lines = [
    `Subscription ${s.subscriptionId} (customer ${s.customerId}), quantity ${s.quantity}:`,
    `  ${s.from.priceId} ${m(s.from.unitAmount)}/month  →  ${s.to.priceId} ${m(s.to.unitAmount)}/year (saves ${m(s.savingsPerYear)} a year)`,
    ...s.lines.map((l) => `  ${l.amount < 0 ? '−' : ' '}${m(Math.abs(l.amount)).padStart(12)}  ${l.description}`),
    `  Charged now: ${m(s.amountDue)} (credit ${m(s.credit)} for the unused time; prorated as of ${day(s.prorationDate)}); the billing date becomes ${day(s.prorationDate)}.`,
  ];
  for (const i of s.openInvoices) lines.push(`  Note: failed invoice ${i.id} (${m(i.amountRemaining)}) stays open; the switch does not pay or void it.`);
  return lines.join('\n');
}

export function registerOfferCommands(program: Command, { call, print, confirm, io, globals, workspaceId }: CliContext): void {
  const offer = program.command('offer').description('carry out an offer a customer accepted');
  offer
    .command('annual')
    .description("switch a customer's monthly subscription to the product's yearly price: shows what they pay now, then asks (or --yes)")
    .requiredOption('--customer <id>', 'Stripe customer id')
    .option('--subscription <id>', 'the subscription (default: the customer’s only monthly one)')
    .option('--yes', 'switch without asking')
    .action(async (opts: { customer: string; subscription?: string; yes?: boolean }) => {
      const ws = await workspaceId();
      const ref = { workspaceId: ws, customerId: opts.customer, ...(opts.subscription ? { subscriptionId: opts.subscription } : {}) };
      const preview = await call('recovery.switchToAnnual', ref);
      if (!opts.yes && !io.isTTY) {
        print(preview, () => `${describeSwitch(preview)}\nNothing changed. Run again with --yes to switch.`);
        return;
      }
      if (!globals().json) io.out(describeSwitch(preview));
      await confirm(`Switch to yearly billing and charge ${formatMoney(preview.amountDue, preview.currency)} now?`, opts.yes);
      const done = await call('recovery.switchToAnnual', { ...ref, confirm: true, prorationDate: preview.prorationDate });
      print(done, () =>
        done.status === 'switched'
          ? `Switched ${done.subscriptionId} to ${done.to.priceId}; invoice ${done.invoiceId ?? '(none)'} ${done.invoiceStatus ?? ''}.`.replace(/ \.$/, '.')
          : `Not switched yet: the yearly invoice ${done.invoiceId ?? ''} was not paid (${done.invoiceStatus ?? 'open'}); the subscription stays monthly until it is (Stripe pending update).`,
      );
    });
}
