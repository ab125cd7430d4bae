import type { WhiteGloveSettings } from '../../../shared/whiteglove';
import type { Sqlite } from '../db/sqlite';
import { getSettings } from '../queue/settings';
import { customerPhone } from '../queue/customer';
import { missingWriteIn, readWriteMissing, type MissingWrite } from '../stripe/write-permissions';
import type { CustomerInfo } from './channel';
import { customerInfo, type OpenInvoice } from './data';
import { voiceSpend } from './channels/voice/budget';
import type { RetrySignals } from './channels/retry-guards';
import type { Step } from '../../../shared/contract';
import { DECLINED } from './channels/retry';

/**
 * What a dry-run plan asks about its invoices and customers, read once per
 * plan (#22: a plan of 50,000 invoices asked a handful of one-row questions per
 * invoice and step). One SELECT per question over all of the plan's invoices
 * or customers, kept in Maps; each answer is exactly the one the per-row query
 * gives (the channels fall back to that query when there is no `reads`, as a
 * run's execution does, and for an id outside the plan's invoices).
 *
 * Valid while the plan is built: nothing it reads is written by a dry run.
 */
export class PlanReads {
  private readonly invoiceIds: Set<string>;
  private readonly customerIds: Set<string>;
  private readonly facts = new Map<string, CustomerInfo>();
  private readonly suppressions = new Map<string, string>();
  private readonly declinedRetries = new Map<string, string[]>();
  private readonly nextAttempts = new Map<string, number | null>();
  private readonly processingInvoices = new Set<string>();
  private readonly pauses = new Map<string, string | null>();
  private readonly offerKeys = new Map<string, string[]>();
  private readonly voiceKeys: Set<string>;
  private readonly phones = new Map<string, string | null>();
  private readonly spends = new Map<string, { day: number; run: number }>();
  private settingsCache: WhiteGloveSettings | null = null;
  private writeMissing: MissingWrite[] | null | undefined = undefined;
  /** The per-invoice answers of retry-guards.ts, from the Maps above. */
  readonly retrySignals: RetrySignals;

  constructor(
    private readonly db: Sqlite,
    invoices: OpenInvoice[],
    /** The plan's id: the run id of every action it looks at. */
    readonly runId: string,
  ) {
    this.invoiceIds = new Set(invoices.map((i) => i.id));
    this.customerIds = new Set(invoices.map((i) => i.customerId));
    const customers = JSON.stringify([...this.customerIds]);
    const invoiceList = JSON.stringify([...this.invoiceIds]);
    const subscriptions = JSON.stringify([...new Set(invoices.map((i) => i.subscriptionId).filter((s) => s !== null))]);

    // customerInfo / loadCustomer: one customer_facts row per customer.
    const factRows = db
      .prepare(
        `SELECT f.customer_id, f.email, f.name, f.plan, f.account_manager, f.mrr, f.failures_12m, f.tenure_days, f.amount_at_risk
         FROM json_each(?) j JOIN customer_facts f ON f.customer_id = j.value`,
      )
      .all(customers) as {
      customer_id: string; email: string | null; name: string | null; plan: string | null; account_manager: string | null;
      mrr: number; failures_12m: number; tenure_days: number; amount_at_risk: number;
    }[];
    for (const f of factRows) {
      this.facts.set(f.customer_id, {
        id: f.customer_id, email: f.email, name: f.name, plan: f.plan, accountManager: f.account_manager, mrr: f.mrr, failures12m: f.failures_12m,
        tenureDays: f.tenure_days, amountAtRisk: f.amount_at_risk,
      });
    }

    // isSuppressed: the column compares with NOCASE (ASCII letters only), like asciiFold.
    for (const s of db.prepare(`SELECT email, reason FROM recovery_suppressions`).all() as { email: string; reason: string }[]) {
      this.suppressions.set(asciiFold(s.email), s.reason);
    }

    // retry.ts ownAttempts: Reclaim's own declined pays per invoice (by outbox key, the asking row's own key not counted).
    for (const r of db
      .prepare(`SELECT invoice_id, key FROM recovery_outbox WHERE channel = 'retry' AND detail LIKE ?`)
      .all(`${DECLINED}%`) as { invoice_id: string; key: string }[]) {
      listIn(this.declinedRetries, r.invoice_id).push(r.key);
    }

    // retry-guards.ts localRetryBlock: Smart Retries scheduled, a payment processing, collection paused.
    for (const r of db
      .prepare(`SELECT i.id, i.next_payment_attempt AS next FROM json_each(?) j JOIN invoices i ON i.id = j.value`)
      .all(invoiceList) as { id: string; next: number | null }[]) {
      this.nextAttempts.set(r.id, r.next);
    }
    for (const id of db
      .prepare(
        `SELECT invoice_id FROM payment_intents WHERE status = 'processing' AND invoice_id IS NOT NULL
         UNION SELECT p.invoice_id FROM invoice_payments p JOIN payment_intents pi ON pi.id = p.payment_intent_id WHERE pi.status = 'processing'`,
      )
      .pluck()
      .all() as string[]) {
      this.processingInvoices.add(id);
    }
    for (const r of db
      .prepare(`SELECT s.id, json_extract(s.raw, '$.pause_collection') AS p FROM json_each(?) j JOIN subscriptions s ON s.id = j.value`)
      .all(subscriptions) as { id: string; p: string | null }[]) {
      this.pauses.set(r.id, r.p);
    }
    // Only for invoices it `covers` (retry.ts asks the database for any other).
    this.retrySignals = {
      nextPaymentAttempt: (invoiceId) => this.nextAttempts.get(invoiceId),
      processing: (invoiceId) => this.processingInvoices.has(invoiceId),
      pauseCollection: (subscriptionId) => this.pauses.get(subscriptionId),
    };

    // offer.ts offersToCustomer: offers made per customer and kind.
    for (const r of db.prepare(`SELECT customer_id, kind, outbox_key FROM recovery_offers`).all() as { customer_id: string; kind: string; outbox_key: string }[]) {
      listIn(this.offerKeys, `${r.customer_id}\u0000${r.kind}`).push(r.outbox_key);
    }

    // voice channel `record`: calls already reserved under this plan's keys (`${runId}:…`).
    this.voiceKeys = new Set(
      db.prepare(`SELECT action_key FROM voice_calls WHERE action_key >= ? AND action_key < ?`).pluck().all(`${runId}:`, `${runId};`) as string[],
    );
  }

  /** Covers this invoice: its answers come from the plan's reads. */
  covers(invoiceId: string): boolean {
    return this.invoiceIds.has(invoiceId);
  }

  /** data.ts customerInfo. */
  customer(id: string): CustomerInfo {
    return this.facts.get(id) ?? customerInfo(this.db, id);
  }

  /** The customer's facts row, or null without one (queue/customer.ts loadCustomer returns null then). */
  factsOf(id: string): CustomerInfo | null {
    const f = this.facts.get(id);
    if (f || this.customerIds.has(id)) return f ?? null;
    return this.db.prepare(`SELECT 1 FROM customer_facts WHERE customer_id = ?`).get(id) ? customerInfo(this.db, id) : null;
  }

  /** queue/customer.ts loadCustomer(…).phone, once per customer. */
  phone(customerId: string): string | null {
    if (!this.phones.has(customerId)) this.phones.set(customerId, customerPhone(this.db, customerId));
    return this.phones.get(customerId)!;
  }

  /** settings.ts isSuppressed. */
  suppressed(email: string | null): string | null {
    if (!email || this.suppressions.size === 0) return null;
    return this.suppressions.get(asciiFold(email.trim())) ?? null;
  }

  /** retry.ts ownAttempts: declined pays of the invoice by Reclaim, the row `key` not counted. */
  ownAttempts(invoiceId: string, key: string): number {
    return (this.declinedRetries.get(invoiceId) ?? []).filter((k) => k !== key).length;
  }

  /** offer.ts offersToCustomer: offers of `kind` made to the customer, the row `key` not counted. */
  offersToCustomer(customerId: string, kind: string, key: string): number {
    return (this.offerKeys.get(`${customerId}\u0000${kind}`) ?? []).filter((k) => k !== key).length;
  }

  /** queue/settings.ts getSettings. */
  settings(): WhiteGloveSettings {
    return (this.settingsCache ??= getSettings(this.db));
  }

  /** write-permissions.ts missingWrite. */
  missingWrite(step: Step): string | null {
    if (this.writeMissing === undefined) this.writeMissing = readWriteMissing(this.db);
    return missingWriteIn(this.writeMissing, step);
  }

  /** voice/budget.ts voiceSpend. */
  voiceSpend(day: string, runId: string): { day: number; run: number } {
    const k = `${day}\u0000${runId}`;
    let s = this.spends.get(k);
    if (!s) this.spends.set(k, (s = voiceSpend(this.db, day, runId)));
    return { ...s };
  }

  /** The voice channel's `record(db, key)` is there (a call reserved under this key). */
  voiceRecorded(key: string): boolean | null {
    return key.startsWith(`${this.runId}:`) ? this.voiceKeys.has(key) : null;
  }
}

/** SQLite's NOCASE: folds the 26 ASCII letters only. */
const asciiFold = (s: string) => (/[A-Z]/.test(s) ? s.replace(/[A-Z]/g, (c) => c.toLowerCase()) : s);

function listIn<K>(m: Map<K, string[]>, k: K): string[] {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  return l;
}
