import Stripe from 'stripe';
import type { Obj } from './generator';

/**
 * Object shapes of the local server.
 *
 * Objects are stored in the shape of the API version the official SDK pins
 * (`Stripe.API_VERSION`, 2026-10-28.endive), with every top-level field of
 * Stripe's published example object of that type (`fixtures3.json`, checked
 * both ways by test/stripe/shapes.test.ts). `shape()` fills the fields the
 * generator has no opinion about with Stripe's values for "not set".
 *
 * Events keep the version they were created in: "each event's data is rendered
 * according to the API version at its creation time, specified in the event's
 * api_version attribute, not according to your current API version or the
 * Stripe-Version header" (https://docs.stripe.com/api/events/list).
 * `renderVersion()` turns a current object into the older shape for events of
 * an account on `2025-01-27.acacia` (the changes of 2025-03-31.basil:
 * https://docs.stripe.com/changelog/basil).
 */
export const PINNED_VERSION: string = Stripe.API_VERSION;
export const OLD_VERSION = '2025-01-27.acacia';

const automaticTax = { disabled_reason: null, enabled: false, liability: null, provider: null, status: null };
const DEFAULTS: Record<string, Record<string, unknown>> = {
  customer: { next_invoice_sequence: 1 },
  product: { images: [], marketing_features: [], package_dimensions: null, shippable: null, statement_descriptor: null, tax_code: null, unit_label: null, url: null },
  price: { custom_unit_amount: null, tiers_mode: null, transform_quantity: null },
  subscription: {
    application_fee_percent: null, automatic_tax: { disabled_reason: null, enabled: false, liability: null }, billing_cycle_anchor_config: null, cancellation_details: { comment: null, feedback: null, reason: null },
    default_source: null, default_tax_rates: [], description: null, invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } }, next_pending_invoice_item_invoice: null, on_behalf_of: null,
    pause_collection: null, payment_settings: null, pending_invoice_item_interval: null, pending_setup_intent: null, pending_update: null, schedule: null, test_clock: null, transfer_data: null,
    trial_settings: null, billing_thresholds: null, billing_mode: { type: 'classic' }, customer_account: null, managed_payments: null, billing_schedules: [],
  },
  subscription_item: { discounts: [], tax_rates: [], billing_thresholds: null },
  invoice: {
    account_tax_ids: null, amount_shipping: 0, application: null, automatic_tax: automaticTax, custom_fields: null, customer_address: null, customer_phone: null, customer_shipping: null,
    customer_tax_exempt: 'none', customer_tax_ids: [], default_payment_method: null, default_source: null, default_tax_rates: [], discounts: [], ending_balance: 0, footer: null, from_invoice: null,
    issuer: { type: 'self' }, last_finalization_error: null, latest_revision: null, on_behalf_of: null, payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    post_payment_credit_notes_amount: 0, pre_payment_credit_notes_amount: 0, receipt_number: null, rendering: null, shipping_cost: null, shipping_details: null, starting_balance: 0,
    statement_descriptor: null, test_clock: null, total_discount_amounts: [], automatically_finalizes_at: null, total_pretax_credit_amounts: [], total_taxes: [], amount_overpaid: 0, customer_account: null,
  },
  charge: {
    application: null, application_fee: null, application_fee_amount: null, calculated_statement_descriptor: 'NORTHWIND', failure_balance_transaction: null, fraud_details: {}, on_behalf_of: null,
    receipt_email: null, receipt_number: null, refunds: null, review: null, shipping: null, source_transfer: null, statement_descriptor: null, statement_descriptor_suffix: null, transfer_data: null,
    transfer_group: null, source: null,
  },
  payment_intent: {
    amount_capturable: 0, amount_details: { tip: {} }, application: null, application_fee_amount: null, automatic_payment_methods: null, canceled_at: null, cancellation_reason: null, next_action: null,
    on_behalf_of: null, payment_method_configuration_details: null, payment_method_options: null, processing: null, receipt_email: null, review: null, setup_future_usage: 'off_session', shipping: null,
    statement_descriptor: null, statement_descriptor_suffix: null, transfer_data: null, transfer_group: null, source: null, excluded_payment_method_types: null, customer_account: null, managed_payments: null,
  },
  payment_method: { allow_redisplay: 'unspecified', customer_account: null },
  refund: { balance_transaction: null, destination_details: null, receipt_number: null, source_transfer_reversal: null, transfer_reversal: null, customer_account: null },
  discount: { checkout_session: null, invoice: null, invoice_item: null, promotion_code: null, subscription_item: null, customer_account: null },
};

/** Adds Stripe's "not set" values for every field of the type the object lacks. */
export function shape<T extends Record<string, unknown>>(type: string, o: T): T {
  return { ...(DEFAULTS[type] ?? {}), ...o };
}

/** Lookups the old-version rendering needs (the invoice ↔ payment link lived on the objects then). */
export interface Links {
  byId(id: string): Obj | undefined;
  invoiceOfPi(pi: string): string | null;
  piOfInvoice(invoice: string): string | null;
}

/** A current-version object in the shape of an older API version. */
export function renderVersion(o: Obj, version: string, links: Links): Obj {
  if (version === PINNED_VERSION) return o;
  const c = structuredClone(o) as Obj & Record<string, unknown>;
  const oldDiscount = (d: Record<string, unknown>) => {
    const { source, ...rest } = d as { source?: { coupon?: string } } & Record<string, unknown>;
    delete rest.subscription_item;
    delete rest.customer_account;
    return { ...rest, coupon: source?.coupon ? (links.byId(source.coupon) ?? source.coupon) : null };
  };
  switch (o.object) {
    case 'invoice': {
      const parent = c.parent as { subscription_details?: { subscription?: string } } | null;
      c.subscription = parent?.subscription_details?.subscription ?? null;
      c.payment_intent = links.piOfInvoice(o.id);
      c.paid = o.status === 'paid';
      c.discount = null;
      delete c.parent;
      delete c.amount_overpaid;
      delete c.total_pretax_credit_amounts;
      delete c.total_taxes;
      delete c.customer_account;
      break;
    }
    case 'subscription': {
      const items = c.items as { data: Record<string, unknown>[] };
      const first = items.data[0];
      c.current_period_start = first?.current_period_start ?? null;
      c.current_period_end = first?.current_period_end ?? null;
      for (const it of items.data) {
        delete it.current_period_start;
        delete it.current_period_end;
      }
      const ids = (c.discounts as (string | Record<string, unknown>)[]) ?? [];
      const d0 = ids[0];
      const d = typeof d0 === 'string' ? links.byId(d0) : d0;
      c.discount = d ? oldDiscount(d) : null;
      delete c.billing_mode;
      delete c.billing_schedules;
      delete c.customer_account;
      delete c.managed_payments;
      break;
    }
    case 'charge':
      c.invoice = typeof c.payment_intent === 'string' ? links.invoiceOfPi(c.payment_intent) : null;
      break;
    case 'payment_intent':
      c.invoice = links.invoiceOfPi(o.id);
      delete c.customer_account;
      delete c.managed_payments;
      break;
    case 'discount':
      return oldDiscount(c) as unknown as Obj;
    case 'customer':
      if (c.discount) c.discount = oldDiscount(c.discount as Record<string, unknown>);
      break;
  }
  return c;
}
