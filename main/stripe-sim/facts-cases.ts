import { DAY, makeCharge, prng, type Obj, type SimData } from './generator';

/**
 * Customers that exercise the fact computations (issue #9, items 7–10), in the current
 * API shapes (2026-10-28.endive, as in shared/stripe-openapi/fixtures3.json): zero- and
 * three-decimal currencies, metered, tiered (graduated, volume) and decimal-only prices,
 * stacked subscription, item-level and customer-level discounts, a tax-inclusive price,
 * an unpaid subscription, cards on `subscription.default_payment_method` and on
 * `customer.default_source`, and declines with `outcome.advice_code`.
 *
 * Kept apart from the generator so the seeded business stays as it is; the server adds
 * these only with `factsCases: true`. Discounts go to `data.discounts` and card sources to
 * the server's index, so its general `expand[]` handling expands them; price tiers, which
 * Stripe returns only when expanded, are added by `expandFactsCases`.
 * Ids are fixed (`cus_fx_…`) so tests can name them; the expected figures are worked by
 * hand in test/facts/stripe-facts.test.ts.
 */
/** A Stripe object without `created` (discounts, card sources). */
type Plain = Record<string, unknown> & { id: string };
/** What the server keeps beside `data`: objects that are not listed, and tiers returned only when expanded. */
export interface FactsCases {
  /** Card sources (legacy `card_…` objects have no `created`; the server indexes them by id). */
  sources: Obj[];
  tiers: Map<string, unknown[]>;
}

export function addFactsCases(data: SimData, now: number): FactsCases {
  const h: FactsCases = { sources: [], tiers: new Map() };
  const r = prng(4242);
  const created = now - 100 * DAY;
  const periodStart = now - 10 * DAY;

  const product = {
    id: 'prod_fx', object: 'product', active: true, name: 'Facts cases', description: null, created, updated: created, livemode: false, metadata: {}, type: 'service', default_price: null,
    images: [], marketing_features: [], package_dimensions: null, shippable: null, statement_descriptor: null, tax_code: null, unit_label: null, url: null,
  };
  data.products.push(product);

  const price = (id: string, currency: string, p: { unit?: number | null; decimal?: string | null; interval?: 'month' | 'year'; metered?: boolean; tiers?: { mode: 'graduated' | 'volume'; list: unknown[] }; taxBehavior?: string }): Obj => {
    const unit = p.unit === undefined ? null : p.unit;
    const o: Obj = {
      id, object: 'price', active: true, billing_scheme: p.tiers ? 'tiered' : 'per_unit', created, currency, custom_unit_amount: null, livemode: false, lookup_key: null, metadata: {}, nickname: id,
      product: product.id,
      recurring: { interval: p.interval ?? 'month', interval_count: 1, meter: p.metered ? 'mtr_fx_usage' : null, usage_type: p.metered ? 'metered' : 'licensed', trial_period_days: null },
      tax_behavior: p.taxBehavior ?? 'unspecified', tiers_mode: p.tiers?.mode ?? null, transform_quantity: null, type: 'recurring',
      unit_amount: p.tiers ? null : unit, unit_amount_decimal: p.tiers ? null : (p.decimal ?? (unit === null ? null : String(unit))),
    };
    // `tiers` is only returned when expanded (expand[]=data.tiers).
    if (p.tiers) h.tiers.set(id, p.tiers.list);
    data.prices.push(o);
    return o;
  };
  const tier = (upTo: number | null, unit: number | null, flat: number | null) => ({ up_to: upTo, unit_amount: unit, unit_amount_decimal: unit === null ? null : String(unit), flat_amount: flat, flat_amount_decimal: flat === null ? null : String(flat) });

  const coupon = (id: string, c: { percent?: number; amountOff?: number; currency?: string; duration: 'forever' | 'once' | 'repeating'; months?: number }) =>
    data.coupons.push({
      id, object: 'coupon', amount_off: c.amountOff ?? null, created, currency: c.currency ?? null, duration: c.duration, duration_in_months: c.months ?? null, livemode: false,
      max_redemptions: null, metadata: {}, name: id, percent_off: c.percent ?? null, redeem_by: null, times_redeemed: 1, valid: true,
    });
  coupon('FX_FOREVER10', { percent: 10, duration: 'forever' });
  coupon('FX_REPEAT50', { percent: 50, duration: 'repeating', months: 3 });
  coupon('FX_ITEM20OFF', { amountOff: 2000, currency: 'usd', duration: 'forever' });
  coupon('FX_CUST25', { percent: 25, duration: 'forever' });

  const discount = (couponId: string, on: { customer: string; subscription?: string; item?: string; end?: number | null }): Plain => {
    const d: Plain = {
      id: r.id('di_'), object: 'discount', checkout_session: null, customer: on.customer, customer_account: null, end: on.end ?? null, invoice: null, invoice_item: null,
      promotion_code: null, source: { coupon: couponId, type: 'coupon' }, start: created, subscription: on.subscription ?? null, subscription_item: on.item ?? null,
    };
    // Discount objects have no `created`; the server indexes data.discounts by id only.
    data.discounts.push(d as unknown as Obj);
    return d;
  };

  const card = (id: string, customer: string, expMonth: number, expYear: number): Obj => {
    const pm: Obj = {
      id, object: 'payment_method', allow_redisplay: 'unspecified', billing_details: { address: null, email: null, name: null, phone: null, tax_id: null }, created, customer, customer_account: null, livemode: false, metadata: {}, type: 'card',
      card: { brand: 'visa', checks: null, country: 'US', display_brand: 'visa', exp_month: expMonth, exp_year: expYear, fingerprint: r.id('', 16), funding: 'credit', last4: '4242', networks: null, regulated_status: null, three_d_secure_usage: null, wallet: null },
    };
    data.payment_methods.push(pm);
    return pm;
  };

  const customer = (id: string, currency: string, extra: { defaultPm?: string | null; defaultSource?: string | null; discount?: Plain | null } = {}): Obj => {
    const c: Obj = {
      id, object: 'customer', address: null, balance: 0, created, currency, default_source: extra.defaultSource ?? null, delinquent: false, description: null, discount: extra.discount ?? null,
      email: `${id}@facts.example`, invoice_prefix: id.slice(-8).toUpperCase(), invoice_settings: { custom_fields: null, default_payment_method: extra.defaultPm ?? null, footer: null, rendering_options: null },
      livemode: false, metadata: {}, name: id, next_invoice_sequence: 2, phone: null, preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
    };
    data.customers.push(c);
    return c;
  };

  const subscription = (
    cus: string,
    currency: string,
    items: { price: Obj; quantity?: number | null; discounts?: (subId: string, itemId: string) => Plain[]; taxRates?: unknown[] }[],
    extra: { status?: string; defaultPm?: string | null; discounts?: (subId: string) => Plain[] } = {},
  ): Obj => {
    const id = r.id('sub_');
    const period = (p: Obj) => ((p.recurring as { interval: string }).interval === 'year' ? 365 : 30) * DAY;
    const sub: Obj = {
      id, object: 'subscription', application: null, application_fee_percent: null, automatic_tax: { enabled: false, liability: null, disabled_reason: null },
      billing_cycle_anchor: periodStart, billing_cycle_anchor_config: null, billing_mode: { type: 'classic' }, billing_thresholds: null, cancel_at: null, cancel_at_period_end: false, canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null }, collection_method: 'charge_automatically', created, currency, customer: cus, days_until_due: null,
      default_payment_method: extra.defaultPm ?? null, default_source: null, default_tax_rates: [], description: null, discounts: [] as string[], ended_at: null,
      invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } }, latest_invoice: null, livemode: false, metadata: {}, next_pending_invoice_item_invoice: null,
      on_behalf_of: null, pause_collection: null, payment_settings: null, pending_invoice_item_interval: null, pending_setup_intent: null, pending_update: null, schedule: null,
      customer_account: null, managed_payments: null, billing_schedules: [],
      start_date: created, status: extra.status ?? 'active', test_clock: null, transfer_data: null, trial_end: null, trial_settings: null, trial_start: null,
    };
    const itemObjs = items.map((it) => {
      const itemId = r.id('si_');
      const ds = it.discounts ? it.discounts(id, itemId) : [];
      const metered = (it.price.recurring as { usage_type: string }).usage_type === 'metered';
      const p = it.price as Obj & { recurring: { interval: string; interval_count: number; usage_type: string; meter: string | null } };
      // The legacy `plan` mirror of the price, still returned beside it.
      const plan = {
        id: p.id, object: 'plan', active: true, amount: p.unit_amount ?? null, amount_decimal: p.unit_amount_decimal ?? null, billing_scheme: p.billing_scheme, created: p.created, currency: p.currency,
        interval: p.recurring.interval, interval_count: p.recurring.interval_count, livemode: false, metadata: {}, meter: p.recurring.meter, nickname: p.nickname, product: p.product,
        tiers_mode: p.tiers_mode, transform_usage: null, trial_period_days: null, usage_type: p.recurring.usage_type,
      };
      const o: Obj = {
        id: itemId, object: 'subscription_item', billing_thresholds: null, created, plan, current_period_end: periodStart + period(it.price), current_period_start: periodStart,
        discounts: ds.map((d) => d.id), metadata: {}, price: it.price, quantity: metered ? undefined : (it.quantity ?? 1), subscription: id, tax_rates: it.taxRates ?? [],
      };
      // Metered items carry no quantity (usage is reported to the meter instead).
      if (metered) delete o.quantity;
      return o;
    });
    sub.items = { object: 'list', data: itemObjs, has_more: false, url: `/v1/subscription_items?subscription=${id}` };
    sub.discounts = (extra.discounts ? extra.discounts(id) : []).map((d) => d.id);
    data.subscriptions.push(sub);
    return sub;
  };

  // 7. Zero- and three-decimal currencies; 9. card precedence.
  const jpyPm = card('pm_fx_jpy', 'cus_fx_jpy', 3, 2027);
  customer('cus_fx_jpy', 'jpy');
  subscription('cus_fx_jpy', 'jpy', [{ price: price('price_fx_jpy', 'jpy', { unit: 15_000 }) }], { defaultPm: jpyPm.id });

  card('pm_fx_kwd_old', 'cus_fx_kwd', 12, 2026);
  const kwdNew = card('pm_fx_kwd_new', 'cus_fx_kwd', 5, 2029);
  customer('cus_fx_kwd', 'kwd', { defaultPm: 'pm_fx_kwd_old' });
  subscription('cus_fx_kwd', 'kwd', [{ price: price('price_fx_kwd', 'kwd', { unit: 12_500 }) }], { defaultPm: kwdNew.id });

  const source: Plain = {
    id: 'card_fx_source', object: 'card', address_city: null, address_country: null, address_line1: null, address_line1_check: null, address_line2: null, address_state: null, address_zip: null,
    address_zip_check: null, brand: 'Visa', country: 'US', customer: 'cus_fx_source', cvc_check: 'pass', dynamic_last4: null, exp_month: 7, exp_year: 2028, fingerprint: r.id('', 16),
    funding: 'credit', last4: '4242', metadata: {}, name: null, regulated_status: 'unregulated', tokenization_method: null,
  };
  h.sources.push(source as unknown as Obj);
  customer('cus_fx_source', 'usd', { defaultSource: source.id });
  const usd30 = price('price_fx_usd30', 'usd', { unit: 3000 });
  subscription('cus_fx_source', 'usd', [{ price: usd30 }]);

  // 8. MRR per Stripe's definition.
  customer('cus_fx_metered', 'usd');
  subscription('cus_fx_metered', 'usd', [{ price: price('price_fx_base50', 'usd', { unit: 5000 }) }, { price: price('price_fx_usage', 'usd', { unit: 10, metered: true }) }]);

  customer('cus_fx_graduated', 'usd');
  subscription('cus_fx_graduated', 'usd', [{ price: price('price_fx_grad', 'usd', { tiers: { mode: 'graduated', list: [tier(5, 1000, 2000), tier(10, 800, null), tier(null, 500, null)] } }), quantity: 12 }]);

  customer('cus_fx_volume', 'usd');
  subscription('cus_fx_volume', 'usd', [{ price: price('price_fx_vol', 'usd', { tiers: { mode: 'volume', list: [tier(10, 900, 0), tier(null, 700, 1500)] } }), quantity: 12 }]);

  customer('cus_fx_decimal', 'usd');
  subscription('cus_fx_decimal', 'usd', [{ price: price('price_fx_dec', 'usd', { unit: null, decimal: '1250.5', interval: 'year' }), quantity: 4 }]);

  const usd200 = price('price_fx_usd200', 'usd', { unit: 20_000 });
  customer('cus_fx_stacked', 'usd', { discount: discount('FX_CUST25', { customer: 'cus_fx_stacked' }) });
  subscription('cus_fx_stacked', 'usd', [{ price: usd200, discounts: (sub, item) => [discount('FX_ITEM20OFF', { customer: 'cus_fx_stacked', subscription: sub, item })] }], {
    discounts: (sub) => [discount('FX_FOREVER10', { customer: 'cus_fx_stacked', subscription: sub }), discount('FX_REPEAT50', { customer: 'cus_fx_stacked', subscription: sub, end: now + 60 * DAY })],
  });

  const usd100 = price('price_fx_usd100', 'usd', { unit: 10_000 });
  customer('cus_fx_custdisc', 'usd', { discount: discount('FX_CUST25', { customer: 'cus_fx_custdisc' }) });
  subscription('cus_fx_custdisc', 'usd', [{ price: usd100 }]);

  customer('cus_fx_unpaid', 'usd');
  subscription('cus_fx_unpaid', 'usd', [{ price: price('price_fx_usd99', 'usd', { unit: 9900 }) }], { status: 'unpaid' });

  const vat = { id: 'txr_fx_vat19', object: 'tax_rate', active: true, country: 'DE', created, description: 'VAT Germany', display_name: 'VAT', effective_percentage: 19, flat_amount: null, inclusive: true, jurisdiction: 'DE', jurisdiction_level: 'country', livemode: false, metadata: {}, percentage: 19, rate_type: 'percentage', state: null, tax_type: 'vat' };
  customer('cus_fx_taxincl', 'usd');
  subscription('cus_fx_taxincl', 'usd', [{ price: price('price_fx_incl119', 'usd', { unit: 11_900, taxBehavior: 'inclusive' }), taxRates: [vat] }]);

  // 10. Declines with Stripe's advice codes and codes that need the customer.
  const decline = (cus: string, o: { reason: string | null; failureCode: string; advice: string | null }) => {
    customer(cus, 'usd');
    const pmId = card(`pm_${cus.slice(4)}`, cus, 1, 2030).id;
    subscription(cus, 'usd', [{ price: usd30 }], { status: 'past_due', defaultPm: pmId });
    const ch = makeCharge(r, { cusId: cus, piId: r.id('pi_', 24), pmId, amount: 3000, currency: 'usd', created: now - 2 * DAY, status: 'failed', failureCode: o.failureCode, declineCode: o.reason, card: { expMonth: 1, expYear: 2030 } });
    delete ch.invoice; // removed from charges in current API versions
    Object.assign(ch, {
      application: null, application_fee: null, application_fee_amount: null, calculated_statement_descriptor: null, failure_balance_transaction: null, fraud_details: {}, on_behalf_of: null,
      receipt_email: null, receipt_number: null, refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${ch.id}/refunds` }, review: null, shipping: null, source: null,
      source_transfer: null, statement_descriptor: null, statement_descriptor_suffix: null, transfer_data: null, transfer_group: null,
    });
    ch.outcome = { advice_code: o.advice, network_advice_code: null, network_decline_code: null, network_status: 'declined_by_network', reason: o.reason, risk_level: 'normal', seller_message: 'The bank declined the payment.', type: 'issuer_declined' };
    data.charges.push(ch);
  };
  decline('cus_fx_advice_stop', { reason: 'generic_decline', failureCode: 'card_declined', advice: 'do_not_try_again' });
  decline('cus_fx_advice_later', { reason: 'generic_decline', failureCode: 'card_declined', advice: 'try_again_later' });
  decline('cus_fx_3ds', { reason: 'authentication_required', failureCode: 'authentication_required', advice: null });
  decline('cus_fx_bank', { reason: null, failureCode: 'account_closed', advice: null });
  return h;
}

/** Stripe returns a price's `tiers` only with `expand[]=tiers` (`data.tiers` on lists): https://docs.stripe.com/api/prices/object#price_object-tiers */
export function expandFactsCases(facts: FactsCases, o: Obj, expand: string[]): Obj {
  if (o.object === 'price' && o.billing_scheme === 'tiered' && expand.includes('tiers')) return { ...o, tiers: facts.tiers.get(o.id) ?? [] };
  return o;
}
