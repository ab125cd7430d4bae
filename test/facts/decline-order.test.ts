import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openSqlite } from '../../main/core/db/sqlite';
import { workspaceMigrations } from '../../main/core/db/workspace-migrations';
import { recomputeFacts } from '../../main/core/facts/compute';
import { createWriters, type Writable } from '../../main/core/stripe/map';
import { tempDir } from '../helpers/core';

/**
 * #17 item 9: the sync writes charges and PaymentIntents in parallel. A failed charge
 * whose outcome names no issuer reason (here Stripe's `blocked` outcome with
 * failure_code `card_declined`) gets its decline code from its PaymentIntent's
 * `last_payment_error` — whichever of the two was written first.
 */
const NOW = 1_790_000_000;
const customer = { id: 'cus_order', object: 'customer', email: 'o@example.test', name: 'Order', created: NOW - 400 * 86_400, currency: 'usd', metadata: {}, invoice_settings: {} };
const charge = {
  id: 'ch_order', object: 'charge', customer: 'cus_order', payment_intent: 'pi_order', amount: 5000, amount_refunded: 0, currency: 'usd',
  status: 'failed', paid: false, failure_code: 'card_declined', created: NOW - 86_400,
  outcome: { type: 'blocked', reason: null, advice_code: null, network_status: 'not_sent_to_network', risk_level: 'normal', seller_message: 'Blocked.' },
};
const pi = {
  id: 'pi_order', object: 'payment_intent', customer: 'cus_order', amount: 5000, currency: 'usd', status: 'requires_payment_method', created: NOW - 86_400,
  last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'stolen_card', charge: 'ch_order', message: 'Your card was declined.' },
};

function factsAfter(order: 'charge first' | 'payment intent first') {
  const db = openSqlite(path.join(tempDir(), 'ws.sqlite'));
  migrate(db, workspaceMigrations);
  const writers = createWriters(db);
  const objects = order === 'charge first' ? [customer, charge, pi] : [customer, pi, charge];
  for (const o of objects) db.transaction(() => writers.write(structuredClone(o) as unknown as Writable))();
  recomputeFacts(db, { now: NOW, reportingCurrency: 'usd', customerIds: 'all' });
  const row = db.prepare('SELECT last_decline_code, last_decline_hard FROM customer_facts WHERE customer_id = ?').get('cus_order') as Record<string, unknown>;
  db.close();
  return row;
}

describe('decline codes do not depend on sync order (#17 item 9)', () => {
  for (const order of ['charge first', 'payment intent first'] as const) {
    it(`a stolen card is a hard decline when the ${order.replace(' first', '')} is synced first`, () => {
      // Before: charge first → 'card_declined', a soft decline the card is retried on.
      expect(factsAfter(order)).toEqual({ last_decline_code: 'stolen_card', last_decline_hard: 1 });
    });
  }
});
