/**
 * Restricted-key permissions Reclaim needs, named as Stripe names them in its
 * 403 error ("Having the 'rak_charge_read' permission would allow this request
 * to continue"). Each has one cheap probe request; every resource the sync
 * reads is probed. When Stripe's 403 names another permission than this table,
 * the message wins (see ./connect.ts).
 *
 * Not required: reading the account (`GET /v1/account`). Stripe refuses it to
 * restricted keys without an account permission, which least privilege does not
 * grant; connect learns the account another way.
 */
export interface RequiredPermission {
  permission: string;
  label: string;
  /** Request used to probe it (write permissions are probed with a harmless request on a made-up id). */
  probe: { method: 'GET' | 'POST'; path: string };
}

export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  { permission: 'rak_customer_read', label: 'Customers: read', probe: { method: 'GET', path: '/v1/customers?limit=1' } },
  { permission: 'rak_customer_write', label: 'Customers: write', probe: { method: 'POST', path: '/v1/customers/cus_reclaim_probe' } },
  { permission: 'rak_subscription_read', label: 'Subscriptions: read', probe: { method: 'GET', path: '/v1/subscriptions?limit=1&status=all' } },
  // Discount offers apply their coupon with `subscriptions.update` (see ./write-permissions.ts).
  { permission: 'rak_subscription_write', label: 'Subscriptions: write', probe: { method: 'POST', path: '/v1/subscriptions/sub_reclaim_probe' } },
  { permission: 'rak_invoice_read', label: 'Invoices: read', probe: { method: 'GET', path: '/v1/invoices?limit=1' } },
  { permission: 'rak_invoice_read', label: 'Invoice payments: read', probe: { method: 'GET', path: '/v1/invoice_payments?limit=1' } },
  { permission: 'rak_invoice_write', label: 'Invoices: write', probe: { method: 'POST', path: '/v1/invoices/in_reclaim_probe/pay' } },
  { permission: 'rak_charge_read', label: 'Charges: read', probe: { method: 'GET', path: '/v1/charges?limit=1' } },
  { permission: 'rak_refund_read', label: 'Refunds: read', probe: { method: 'GET', path: '/v1/refunds?limit=1' } },
  { permission: 'rak_payment_intent_read', label: 'PaymentIntents: read', probe: { method: 'GET', path: '/v1/payment_intents?limit=1' } },
  { permission: 'rak_payment_method_read', label: 'PaymentMethods: read', probe: { method: 'GET', path: '/v1/payment_methods?limit=1&type=card' } },
  { permission: 'rak_product_read', label: 'Products: read', probe: { method: 'GET', path: '/v1/products?limit=1' } },
  { permission: 'rak_plan_read', label: 'Prices: read', probe: { method: 'GET', path: '/v1/prices?limit=1' } },
  { permission: 'rak_coupon_read', label: 'Coupons: read', probe: { method: 'GET', path: '/v1/coupons?limit=1' } },
  { permission: 'rak_coupon_write', label: 'Coupons: write', probe: { method: 'POST', path: '/v1/coupons/reclaim_probe' } },
  { permission: 'rak_event_read', label: 'Events: read', probe: { method: 'GET', path: '/v1/events?limit=1' } },
];
