/**
 * Webhook step: POST a JSON event to the user's URL, signed like Stripe's
 * webhooks. Header `Reclaim-Signature: t=<unix seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256(secret, `${t}.${body}`); `Reclaim-Delivery: <id>` is the same on
 * every attempt, so a receiver that stores the ids it has handled acts once
 * even if a crash makes Reclaim send again. The body is stored before the first
 * attempt and re-sent byte for byte; each attempt is signed with its own time.
 * Only https URLs, or http to loopback; never link-local or cloud metadata
 * addresses, also when a host name resolves to one at send time (#18 item 8).
 */
import crypto from 'node:crypto';
import dns from 'node:dns';
import net from 'node:net';
import { judgeAddress } from '../../net/address-policy';
import type { Sqlite } from '../../db/sqlite';
import type { Secrets } from '../../ports';
import { loadCustomer } from '../../queue/customer';
import { assertSafeUrl, getSettings, webhookSecretId } from '../../queue/settings';
import { UserError } from '../../errors';
import type { ActionContext, ActionResult, Channel, PlanEstimate } from '../channel';
import type { PlanReads } from '../plan-reads';

export const SIGNATURE_HEADER = 'Reclaim-Signature';
export const DELIVERY_HEADER = 'Reclaim-Delivery';

export function sign(secret: string, timestamp: number, body: string): string {
  const v1 = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/**
 * What a receiver does: parse the header, recompute the HMAC over
 * `${t}.${rawBody}`, compare in constant time, and reject old timestamps
 * (replays). Returns null when valid, else why not.
 */
export function verifySignature(secret: string, header: string | undefined, rawBody: string, nowSec: number, toleranceSec = 300): string | null {
  if (!header) return 'missing signature header';
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return 'malformed signature header';
  if (Math.abs(nowSec - t) > toleranceSec) return 'timestamp outside the tolerance';
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'signature mismatch';
  return null;
}

export const newWebhookSecret = () => `whsec_${crypto.randomBytes(24).toString('base64url')}`;

export interface WebhookChannelDeps {
  secrets: Secrets;
  fetch: typeof fetch;
  /** Waits between attempts (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
  version?: string;
  /** Addresses a host name resolves to (default: the system resolver, as fetch connects). */
  lookup?: (hostname: string) => Promise<string[]>;
}

const systemLookup = async (hostname: string) => (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * The URL's host resolved now, each address judged like an IP literal (#18
 * item 8): a name that resolves to a link-local or cloud metadata address is
 * refused at send time. Null when the send may go ahead; a resolution failure
 * is left to fetch, which reports it as "not reachable".
 */
async function sendTimeRefusal(url: string, lookup: (h: string) => Promise<string[]>): Promise<string | null> {
  try {
    assertSafeUrl(url, 'The webhook URL');
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return null;
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch {
    return null;
  }
  for (const address of addresses) {
    const v = judgeAddress(address, `The webhook URL's host ${host}`);
    if (v.refused) return v.refused.replace(' points to ', ' resolves to ');
  }
  return null;
}

interface DeliveryRow {
  action_key: string; delivery_id: string; url: string; body: string; status: 'pending' | 'delivered' | 'failed'; attempts: number;
}

const deliveryIdFor = (key: string) => `dlv_${crypto.createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

function targetUrl(db: Sqlite, config: Record<string, unknown>, reads?: PlanReads): string | null {
  return (typeof config.url === 'string' && config.url.trim()) || (reads ? reads.settings() : getSettings(db)).webhook.url;
}

function buildBody(a: ActionContext, deliveryId: string): string | null {
  const c = loadCustomer(a.db, a.customerId, a.invoiceId);
  if (!c) return null;
  return JSON.stringify({
    id: deliveryId,
    type: 'recovery.step',
    created: a.now,
    data: {
      customer: { id: c.customerId, name: c.name, email: c.email, mrr: c.mrr, amount_at_risk: c.amountAtRisk, currency: c.currency, account_manager: c.accountManager },
      invoice: c.invoice
        ? { id: c.invoice.id, number: c.invoice.number, status: c.invoice.status, amount_remaining: c.invoice.amountRemaining, currency: c.invoice.currency, attempt_count: c.invoice.attemptCount, hosted_invoice_url: c.invoice.hostedInvoiceUrl, last_decline_code: c.lastDeclineCode, decline_hard: c.lastDeclineHard }
        : { id: a.invoiceId },
      segment: c.segment ? { id: c.segment.id, name: c.segment.name } : null,
      step: { id: a.stepId, run_id: a.runId, channel: 'webhook', key: a.key },
    },
  });
}

export function createWebhookChannel(deps: WebhookChannelDeps): Channel {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return {
    kind: 'webhook',
    /** Re-sent with the same Reclaim-Delivery id and body; receivers dedupe on it (README). */
    idempotent: true,

    estimate(a: ActionContext): PlanEstimate {
      const url = targetUrl(a.db, a.config, a.reads);
      if (!url) return { skipReason: 'no webhook URL configured' };
      try {
        assertSafeUrl(url, 'The webhook URL');
      } catch (e) {
        return { skipReason: (e as Error).message };
      }
      return { skipReason: null };
    },

    async execute(a: ActionContext): Promise<ActionResult> {
      const s = getSettings(a.db).webhook;
      let row = a.db.prepare(`SELECT * FROM webhook_deliveries WHERE action_key = ?`).get(a.key) as DeliveryRow | undefined;
      if (row?.status === 'delivered') return { status: 'succeeded', detail: 'delivered', externalId: row.delivery_id };
      if (!row) {
        const url = targetUrl(a.db, a.config);
        if (!url) return { status: 'skipped', detail: 'no webhook URL configured' };
        try {
          assertSafeUrl(url, 'The webhook URL');
        } catch (e) {
          if (e instanceof UserError) return { status: 'skipped', detail: e.message };
          throw e;
        }
        const deliveryId = deliveryIdFor(a.key);
        const body = buildBody(a, deliveryId);
        if (!body) return { status: 'skipped', detail: 'customer not found' };
        a.db
          .prepare(
            `INSERT OR IGNORE INTO webhook_deliveries (action_key, delivery_id, run_id, customer_id, invoice_id, url, body, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
          )
          .run(a.key, deliveryId, a.runId, a.customerId, a.invoiceId, url, body, a.now);
        row = a.db.prepare(`SELECT * FROM webhook_deliveries WHERE action_key = ?`).get(a.key) as DeliveryRow;
      }
      const secret = await deps.secrets.get(webhookSecretId(a.workspaceId));
      if (!secret) return { status: 'failed', detail: 'The webhook signing secret is missing; set the webhook URL again to create one.', retryable: false };

      let lastDetail = '';
      for (let attempt = 0; attempt < s.maxAttempts; attempt++) {
        if (attempt > 0) await sleep(s.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
        // Checked before every attempt: what a name resolves to can change between them.
        const refused = await sendTimeRefusal(row.url, deps.lookup ?? systemLookup);
        if (refused) {
          a.db.prepare(`UPDATE webhook_deliveries SET status = 'failed', last_error = ? WHERE action_key = ?`).run(refused, a.key);
          return { status: 'failed', detail: `not sent: ${refused}`, retryable: false, externalId: row.delivery_id };
        }
        const ts = Math.floor(Date.now() / 1000);
        let status: number | null = null;
        try {
          const res = await deps.fetch(row.url, {
            method: 'POST',
            redirect: 'manual',
            headers: {
              'content-type': 'application/json',
              'user-agent': `Reclaim/${deps.version ?? 'dev'}`,
              [SIGNATURE_HEADER]: sign(secret, ts, row.body),
              [DELIVERY_HEADER]: row.delivery_id,
            },
            body: row.body,
            signal: AbortSignal.timeout(10_000),
          });
          status = res.status;
          await res.arrayBuffer().catch(() => undefined);
          lastDetail = `HTTP ${res.status}`;
        } catch (e) {
          lastDetail = `not reachable (${(e as Error).message})`;
        }
        a.db.prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ? WHERE action_key = ?`).run(
          status, status && status < 300 ? null : lastDetail, a.key,
        );
        if (status != null && status >= 200 && status < 300) {
          a.db.prepare(`UPDATE webhook_deliveries SET status = 'delivered', delivered_at = ? WHERE action_key = ?`).run(a.now, a.key);
          return { status: 'succeeded', detail: `delivered (${lastDetail})`, externalId: row.delivery_id };
        }
        // 4xx other than timeout / rate limit: the receiver refused this event; trying again will not help.
        if (status != null && status >= 400 && status < 500 && status !== 408 && status !== 429) {
          a.db.prepare(`UPDATE webhook_deliveries SET status = 'failed' WHERE action_key = ?`).run(a.key);
          return { status: 'failed', detail: `the receiver refused the webhook (${lastDetail})`, retryable: false, externalId: row.delivery_id };
        }
      }
      return { status: 'failed', detail: `webhook not delivered after ${s.maxAttempts} attempts (${lastDetail})`, retryable: true, externalId: row.delivery_id };
    },
  };
}
