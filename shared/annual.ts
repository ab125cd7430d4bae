/**
 * The switch to yearly billing (#17 item 13): what the customer will pay, as
 * Stripe previews it, and what happened once confirmed. The contract's
 * `recovery.switchToAnnual` names the request.
 */
import { z } from 'zod';

const Minor = z.number().int();

export const AnnualSwitch = z.object({
  /** preview: nothing changed yet; switched: the subscription is yearly; pending_payment: the yearly invoice was not paid, the subscription stays monthly. */
  status: z.enum(['preview', 'switched', 'pending_payment']),
  customerId: z.string(),
  subscriptionId: z.string(),
  currency: z.string(),
  quantity: z.number().int(),
  from: z.object({ priceId: z.string(), interval: z.literal('month'), unitAmount: Minor }),
  to: z.object({ priceId: z.string(), interval: z.literal('year'), unitAmount: Minor }),
  /** The time prorations are computed at; pass it back with confirm to be charged exactly the preview. */
  prorationDate: z.number().int(),
  /** What the customer is charged now (Stripe's preview invoice `amount_due`). */
  amountDue: Minor,
  /** Credit for the unused time on the monthly price (positive). */
  credit: Minor,
  /** 12 × monthly − yearly, times the quantity. */
  savingsPerYear: Minor,
  lines: z.array(z.object({ description: z.string(), amount: Minor, proration: z.boolean() })),
  /** Failed invoices of the subscription that stay open (the switch does not pay or void them). */
  openInvoices: z.array(z.object({ id: z.string(), amountRemaining: Minor })),
  invoiceId: z.string().nullable(),
  invoiceStatus: z.string().nullable(),
});
export type AnnualSwitch = z.infer<typeof AnnualSwitch>;
