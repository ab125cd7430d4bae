import { chainExistingRows } from '../recovery/audit-chain';
import { typedAttrsMigration } from '../facts/typed-attrs';
import { shrinkStoredRaw } from '../stripe/shrink-raw';
import type { Migration } from './sqlite';

/**
 * Schema of one workspace file (<dataDir>/workspaces/<id>.sqlite).
 *
 * Conventions:
 * - Stripe objects keep their raw JSON in `raw` next to typed columns, so new
 *   facts can be derived without a re-sync.
 * - Money is INTEGER minor units; every money column has a currency beside it,
 *   except in `customer_facts`, where money is converted into the workspace's
 *   reporting currency (meta.currency) with the `fx_rates` table.
 * - Times are INTEGER unix seconds (Stripe's own unit) unless named *_ms.
 */
export const workspaceMigrations: Migration[] = [
  {
    version: 1,
    name: 'meta',
    up: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    `,
  },
  {
    version: 2,
    name: 'stripe objects, sync state, facts',
    up: `
      CREATE TABLE customers (
        id TEXT PRIMARY KEY, email TEXT, name TEXT, created INTEGER NOT NULL,
        currency TEXT, default_payment_method TEXT, metadata TEXT NOT NULL DEFAULT '{}',
        deleted INTEGER NOT NULL DEFAULT 0, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX customers_email ON customers(email);

      CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL, raw TEXT NOT NULL) STRICT;

      CREATE TABLE prices (
        id TEXT PRIMARY KEY, product_id TEXT, currency TEXT NOT NULL, unit_amount INTEGER,
        recurring_interval TEXT, recurring_interval_count INTEGER, active INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;

      CREATE TABLE coupons (
        id TEXT PRIMARY KEY, name TEXT, percent_off REAL, amount_off INTEGER, currency TEXT,
        duration TEXT NOT NULL, duration_in_months INTEGER, valid INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;

      CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,
        created INTEGER NOT NULL, start_date INTEGER, trial_end INTEGER, canceled_at INTEGER,
        ended_at INTEGER, coupon_id TEXT, discount_end INTEGER, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX subscriptions_customer ON subscriptions(customer_id);

      CREATE TABLE subscription_items (
        id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, price_id TEXT NOT NULL, quantity INTEGER NOT NULL DEFAULT 1
      ) STRICT;
      CREATE INDEX subscription_items_sub ON subscription_items(subscription_id);

      CREATE TABLE invoices (
        id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, subscription_id TEXT, status TEXT NOT NULL,
        currency TEXT NOT NULL, amount_due INTEGER NOT NULL, amount_paid INTEGER NOT NULL,
        amount_remaining INTEGER NOT NULL, attempt_count INTEGER NOT NULL DEFAULT 0,
        next_payment_attempt INTEGER, due_date INTEGER, created INTEGER NOT NULL, paid_at INTEGER,
        hosted_invoice_url TEXT, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX invoices_customer ON invoices(customer_id);

      CREATE TABLE payment_intents (
        id TEXT PRIMARY KEY, customer_id TEXT, invoice_id TEXT, status TEXT NOT NULL, amount INTEGER NOT NULL,
        currency TEXT NOT NULL, last_error_code TEXT, last_decline_code TEXT, created INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX payment_intents_customer ON payment_intents(customer_id);

      CREATE TABLE charges (
        id TEXT PRIMARY KEY, customer_id TEXT, invoice_id TEXT, payment_intent_id TEXT,
        amount INTEGER NOT NULL, amount_refunded INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL,
        status TEXT NOT NULL, paid INTEGER NOT NULL, failure_code TEXT, decline_code TEXT, outcome_type TEXT,
        card_exp_month INTEGER, card_exp_year INTEGER, created INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX charges_customer ON charges(customer_id, created);

      CREATE TABLE payment_methods (
        id TEXT PRIMARY KEY, customer_id TEXT, type TEXT NOT NULL, card_brand TEXT, card_last4 TEXT,
        exp_month INTEGER, exp_year INTEGER, created INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX payment_methods_customer ON payment_methods(customer_id);

      CREATE TABLE refunds (
        id TEXT PRIMARY KEY, charge_id TEXT, amount INTEGER NOT NULL, currency TEXT NOT NULL,
        status TEXT NOT NULL, created INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX refunds_charge ON refunds(charge_id);

      -- One row per object type during backfill (cursor = last id written), and
      -- one row 'events' for incremental sync (cursor = last event id, created).
      CREATE TABLE sync_state (
        resource TEXT PRIMARY KEY, phase TEXT NOT NULL, cursor TEXT, cursor_created INTEGER,
        synced INTEGER NOT NULL DEFAULT 0, updated_at_ms INTEGER NOT NULL
      ) STRICT;

      -- Customers whose facts must be recomputed (written in the same transaction as the data).
      CREATE TABLE dirty_customers (customer_id TEXT PRIMARY KEY) STRICT;

      CREATE TABLE fx_rates (currency TEXT PRIMARY KEY, per_unit_of_reporting REAL NOT NULL) STRICT;

      -- Custom attributes imported from CSV (metadata keys come from customers.metadata).
      CREATE TABLE custom_attributes (
        customer_id TEXT NOT NULL, key TEXT NOT NULL, value_text TEXT, value_num REAL,
        source TEXT NOT NULL, imported_at_ms INTEGER NOT NULL,
        PRIMARY KEY (customer_id, key)
      ) STRICT;
      CREATE TABLE attribute_catalog (
        key TEXT PRIMARY KEY, type TEXT NOT NULL CHECK (type IN ('number', 'string', 'boolean')),
        source TEXT NOT NULL CHECK (source IN ('metadata', 'csv')), label TEXT NOT NULL
      ) STRICT;

      -- Derived per-customer facts. Money in the workspace reporting currency (minor units).
      CREATE TABLE customer_facts (
        customer_id            TEXT PRIMARY KEY,
        email                  TEXT,
        name                   TEXT,
        currency               TEXT,            -- the customer's own billing currency
        plan                   TEXT,            -- product name of the highest-MRR active item
        product_id             TEXT,
        billing_interval       TEXT,            -- month | year | week | day | NULL
        subscription_status    TEXT,            -- best status across subscriptions
        mrr                    INTEGER NOT NULL DEFAULT 0,
        tenure_days            INTEGER NOT NULL,
        ltv                    INTEGER NOT NULL DEFAULT 0,
        failures_12m           INTEGER NOT NULL DEFAULT 0,
        last_decline_code      TEXT,
        last_decline_hard      INTEGER,         -- 1 hard, 0 soft, NULL no decline
        card_expiry            TEXT,            -- 'YYYY-MM' of the default card
        card_expires_in_days   INTEGER,
        open_past_due_count    INTEGER NOT NULL DEFAULT 0,
        amount_at_risk         INTEGER NOT NULL DEFAULT 0,
        days_since_first_failure INTEGER,       -- current dunning episode, NULL when none
        region                 TEXT,
        industry               TEXT,
        account_manager        TEXT,
        tags                   TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
        attrs                  TEXT NOT NULL DEFAULT '{}', -- JSON object: metadata + CSV attributes
        created                INTEGER NOT NULL,
        computed_at            INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX facts_mrr ON customer_facts(mrr);
      CREATE INDEX facts_tenure ON customer_facts(tenure_days);
      CREATE INDEX facts_email ON customer_facts(email);
    `,
  },
  {
    version: 3,
    name: 'segments',
    up: `
      CREATE TABLE segments (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        color         TEXT NOT NULL DEFAULT '#4c6ef5',
        rule          TEXT NOT NULL,            -- react-querybuilder RuleGroupType JSON, stored as-is
        rule_version  INTEGER NOT NULL DEFAULT 1,
        priority      INTEGER NOT NULL,         -- 1 = highest
        is_default    INTEGER NOT NULL DEFAULT 0,
        archived      INTEGER NOT NULL DEFAULT 0,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX segments_name ON segments(name) WHERE archived = 0;

      CREATE TABLE segment_members (
        segment_id  TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        customer_id TEXT NOT NULL,
        PRIMARY KEY (segment_id, customer_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX segment_members_customer ON segment_members(customer_id);

      -- The winning segment per customer (NULL segment = Default strategy).
      CREATE TABLE segment_winner (customer_id TEXT PRIMARY KEY, segment_id TEXT) STRICT;

      CREATE TABLE membership_snapshots (
        snapshot_id TEXT NOT NULL, taken_at_ms INTEGER NOT NULL, reason TEXT NOT NULL,
        customer_id TEXT NOT NULL, segment_id TEXT,
        PRIMARY KEY (snapshot_id, customer_id)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'indexes for the customers table sorts',
    up: `
      CREATE INDEX facts_risk ON customer_facts(amount_at_risk);
      CREATE INDEX facts_ltv ON customer_facts(ltv);
      CREATE INDEX facts_failures ON customer_facts(failures_12m);
      CREATE INDEX facts_created ON customer_facts(created);
      CREATE INDEX facts_dunning ON customer_facts(days_since_first_failure);
      CREATE INDEX facts_name ON customer_facts(name);
      CREATE INDEX segment_winner_segment ON segment_winner(segment_id);
    `,
  },
  {
    version: 5,
    name: 'customers table sorts resolved by index, ties by id',
    up: `
      DROP INDEX facts_risk;
      DROP INDEX facts_ltv;
      DROP INDEX facts_failures;
      DROP INDEX facts_created;
      DROP INDEX facts_dunning;
      DROP INDEX facts_name;
      DROP INDEX facts_email;
      CREATE INDEX facts_risk ON customer_facts(amount_at_risk, customer_id);
      CREATE INDEX facts_ltv ON customer_facts(ltv, customer_id);
      CREATE INDEX facts_failures ON customer_facts(failures_12m, customer_id);
      CREATE INDEX facts_created ON customer_facts(created, customer_id);
      CREATE INDEX facts_dunning ON customer_facts(days_since_first_failure, customer_id);
      CREATE INDEX facts_name ON customer_facts(name, customer_id);
      CREATE INDEX facts_email ON customer_facts(email, customer_id);
      CREATE INDEX facts_mrr_id ON customer_facts(mrr, customer_id);
      CREATE INDEX facts_tenure_id ON customer_facts(tenure_days, customer_id);
    `,
  },
  {
    version: 6,
    name: 'facts: charge advice_code and last_advice_code (#9 items 7-10)',
    up: `
      -- Stripe's retry advice (outcome.advice_code), read from the raw charge so every
      -- existing row has it without a re-sync.
      ALTER TABLE charges ADD COLUMN advice_code TEXT GENERATED ALWAYS AS (json_extract(raw, '$.outcome.advice_code')) VIRTUAL;
      ALTER TABLE customer_facts ADD COLUMN last_advice_code TEXT;
    `,
  },
  {
    version: 7,
    name: 'reliability: cross-process workspace locks and pending recompute (#10)',
    up: `
      -- One row per held lock (e.g. 'sync'): which process holds it, and its heartbeat.
      -- A lock whose process is gone or whose heartbeat is stale is taken over.
      CREATE TABLE workspace_locks (
        name TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL,
        acquired_ms INTEGER NOT NULL, heartbeat_ms INTEGER NOT NULL
      ) STRICT;
      -- Derived data (facts, membership) that a committed change made stale; written in
      -- the same transaction as the change, cleared when the recompute has committed.
      -- The next open of the workspace finishes whatever a crash left here.
      CREATE TABLE pending_recompute (what TEXT PRIMARY KEY, since_ms INTEGER NOT NULL) STRICT;
    `,
  },
  {
    version: 8,
    name: 'recovery strategies, plans, runs, outbox, captured email, audit (#12)',
    up: `
      -- One strategy per segment; segment_key 'default' = the Default strategy.
      CREATE TABLE recovery_strategies (
        segment_key TEXT PRIMARY KEY, json TEXT NOT NULL, customized INTEGER NOT NULL DEFAULT 0, updated_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE recovery_suppressions (email TEXT PRIMARY KEY COLLATE NOCASE, reason TEXT NOT NULL, created_at_ms INTEGER NOT NULL) STRICT;

      -- A dry-run plan as shown to the operator (rows JSON), so a run executes exactly what was shown.
      CREATE TABLE recovery_plans (
        id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, snapshot_id TEXT NOT NULL, filters TEXT NOT NULL,
        json TEXT NOT NULL
      ) STRICT;

      CREATE TABLE recovery_runs (
        id TEXT PRIMARY KEY, plan_id TEXT NOT NULL, status TEXT NOT NULL, mode TEXT NOT NULL, filters TEXT NOT NULL,
        snapshot_id TEXT NOT NULL, started_by TEXT NOT NULL, message TEXT,
        created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL
      ) STRICT;

      -- Invoices a run works on, with the strategy frozen at start.
      CREATE TABLE recovery_run_items (
        run_id TEXT NOT NULL, invoice_id TEXT NOT NULL, customer_id TEXT NOT NULL, segment_id TEXT, segment_name TEXT NOT NULL,
        strategy TEXT NOT NULL, first_failure_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'active', stop_reason TEXT, joined_at_ms INTEGER NOT NULL,
        PRIMARY KEY (run_id, invoice_id)
      ) STRICT;
      CREATE INDEX recovery_run_items_invoice ON recovery_run_items(invoice_id);

      -- The outbox: one row per (run, invoice, step), committed before the effect.
      CREATE TABLE recovery_outbox (
        key TEXT PRIMARY KEY, run_id TEXT NOT NULL, invoice_id TEXT NOT NULL, customer_id TEXT NOT NULL,
        step_id TEXT NOT NULL, step_index INTEGER NOT NULL, channel TEXT NOT NULL, delay_from TEXT NOT NULL, delay_sec INTEGER NOT NULL,
        due_at INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'scheduled', detail TEXT, external_id TEXT,
        cost_amount INTEGER, cost_currency TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, started_at_ms INTEGER, finished_at_ms INTEGER
      ) STRICT;
      CREATE INDEX recovery_outbox_due ON recovery_outbox(status, due_at);
      CREATE INDEX recovery_outbox_run ON recovery_outbox(run_id, step_index);
      CREATE INDEX recovery_outbox_customer ON recovery_outbox(customer_id);

      -- Emails built by Reclaim: captured (demo/local) or sent over SMTP; the raw message for both.
      CREATE TABLE recovery_emails (
        id TEXT PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, outbox_key TEXT, run_id TEXT, customer_id TEXT,
        to_addr TEXT NOT NULL, from_addr TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL, html TEXT NOT NULL,
        headers TEXT NOT NULL, transport TEXT NOT NULL, created_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX recovery_emails_run ON recovery_emails(run_id);
      CREATE INDEX recovery_emails_customer ON recovery_emails(customer_id);

      -- Offers made (coupon value etc.) per customer, for reporting.
      CREATE TABLE recovery_offers (
        outbox_key TEXT PRIMARY KEY, run_id TEXT NOT NULL, customer_id TEXT NOT NULL, invoice_id TEXT NOT NULL, kind TEXT NOT NULL,
        coupon_id TEXT, value_amount INTEGER NOT NULL, currency TEXT NOT NULL, created_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX recovery_offers_customer ON recovery_offers(customer_id);

      -- Append-only audit log.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
        run_id TEXT, customer_id TEXT, invoice_id TEXT, message TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log(at_ms);
      CREATE INDEX audit_log_run ON audit_log(run_id);
      CREATE INDEX audit_log_customer ON audit_log(customer_id);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 9,
    name: 'recovery: failed charges by invoice (#12)',
    up: `
      CREATE INDEX IF NOT EXISTS charges_invoice ON charges(invoice_id, status, created);
      CREATE INDEX IF NOT EXISTS invoices_open ON invoices(status, amount_remaining);
    `,
  },
  {
    version: 10,
    name: 'segments: one-pass membership (bitmask per customer, views for members and winners)',
    up: `
      DROP TABLE segment_members;
      DROP TABLE segment_winner;
      -- Bit b of word wN is set when the customer matches the segment mapped to (N, b) in
      -- membership_bits. More word columns (w1, w2, …) are added when a workspace has more
      -- than 63 segments. mrr/open_past_due_count/amount_at_risk are copied for the stats.
      CREATE TABLE membership (
        customer_id TEXT PRIMARY KEY, mrr INTEGER NOT NULL, open_past_due_count INTEGER NOT NULL,
        amount_at_risk INTEGER NOT NULL, w0 INTEGER NOT NULL DEFAULT 0
      ) STRICT, WITHOUT ROWID;
      -- word = -1: the rule did not validate when membership was computed (no members).
      CREATE TABLE membership_bits (
        segment_id TEXT PRIMARY KEY, word INTEGER NOT NULL, bit INTEGER NOT NULL, rule TEXT NOT NULL
      ) STRICT;
      -- Customers whose facts changed since their membership row was computed.
      CREATE TABLE membership_dirty (customer_id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
      CREATE TRIGGER membership_dirty_insert AFTER INSERT ON customer_facts
        BEGIN INSERT OR IGNORE INTO membership_dirty (customer_id) VALUES (NEW.customer_id); END;
      CREATE TRIGGER membership_dirty_update AFTER UPDATE ON customer_facts
        BEGIN INSERT OR IGNORE INTO membership_dirty (customer_id) VALUES (NEW.customer_id), (OLD.customer_id); END;
      CREATE TRIGGER membership_dirty_delete AFTER DELETE ON customer_facts
        BEGIN INSERT OR IGNORE INTO membership_dirty (customer_id) VALUES (OLD.customer_id); END;
      INSERT INTO membership_dirty (customer_id) SELECT customer_id FROM customer_facts;
      -- Regenerated from the live segments' priority order by refreshMembershipViews.
      CREATE VIEW segment_winner AS SELECT customer_id, NULL AS segment_id FROM membership;
      CREATE VIEW segment_members AS SELECT NULL AS segment_id, customer_id FROM membership WHERE 0;
    `,
  },
  {
    version: 11,
    name: 'stripe: invoice payments, discounts, per-event sync (API 2026-10-28.endive)',
    up: `
      -- Invoice <-> payment link since 2025-03-31.basil (invoice.payment_intent, charge.invoice and
      -- payment_intent.invoice were removed): https://docs.stripe.com/api/invoice-payment
      CREATE TABLE invoice_payments (
        id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL, payment_intent_id TEXT, charge_id TEXT,
        status TEXT NOT NULL, amount_paid INTEGER, amount_requested INTEGER NOT NULL, currency TEXT NOT NULL,
        is_default INTEGER NOT NULL, created INTEGER NOT NULL, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX invoice_payments_invoice ON invoice_payments(invoice_id);
      CREATE INDEX invoice_payments_pi ON invoice_payments(payment_intent_id);
      CREATE INDEX invoice_payments_charge ON invoice_payments(charge_id);
      CREATE INDEX charges_payment_intent ON charges(payment_intent_id);

      -- Discount objects (subscription.discounts[], customer.discount); the coupon sits under source.coupon.
      CREATE TABLE discounts (
        id TEXT PRIMARY KEY, customer_id TEXT, subscription_id TEXT, subscription_item_id TEXT,
        coupon_id TEXT, start INTEGER, "end" INTEGER, raw TEXT NOT NULL
      ) STRICT;
      CREATE INDEX discounts_subscription ON discounts(subscription_id);
      CREATE INDEX discounts_customer ON discounts(customer_id);

      -- Billing period, moved from the subscription to its items.
      ALTER TABLE subscription_items ADD COLUMN current_period_start INTEGER;
      ALTER TABLE subscription_items ADD COLUMN current_period_end INTEGER;

      -- The created second of the last event applied to each object (same-second events are ambiguous).
      CREATE TABLE sync_event_objects (object_id TEXT PRIMARY KEY, event_created INTEGER NOT NULL, event_id TEXT NOT NULL) STRICT;
      -- Events that could not be applied: logged, counted, skipped; they never hold the cursor back.
      CREATE TABLE sync_failures (
        event_id TEXT PRIMARY KEY, type TEXT NOT NULL, object_id TEXT, message TEXT NOT NULL, at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 12,
    name: 'white-glove outreach: voice calls, account-manager queue, webhook deliveries, holds',
    up: `
      -- Settings of white-glove channels, one JSON value per key ('voice', 'webhook', 'am', 'am_rr').
      CREATE TABLE whiteglove_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      -- One row per voice action (outbox key), written BEFORE the provider is called: the
      -- reserved cost counts against the budgets and the provider request id derives from it.
      CREATE TABLE voice_calls (
        action_key     TEXT PRIMARY KEY,
        run_id         TEXT NOT NULL,
        customer_id    TEXT NOT NULL,
        invoice_id     TEXT NOT NULL,
        provider       TEXT NOT NULL,                 -- http | call_list
        request_id     TEXT NOT NULL,                 -- Idempotency-Key sent to the provider
        to_number      TEXT,
        provider_call_id TEXT,
        status         TEXT NOT NULL,                 -- placing | queued | ringing | answered | no-answer | failed
        duration_sec   INTEGER,
        reserved_cost  INTEGER NOT NULL,              -- minor units, counted until the real cost is known
        cost           INTEGER,                       -- minor units, the provider's price once final
        currency       TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        day            TEXT NOT NULL,                 -- UTC 'YYYY-MM-DD' of created_at, for the daily cap
        updated_at     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX voice_calls_day ON voice_calls(day);
      CREATE INDEX voice_calls_run ON voice_calls(run_id);
      CREATE INDEX voice_calls_invoice ON voice_calls(invoice_id, created_at);

      CREATE TABLE am_tasks (
        id             TEXT PRIMARY KEY,
        action_key     TEXT NOT NULL UNIQUE,          -- at most one task per outbox key
        kind           TEXT NOT NULL CHECK (kind IN ('am', 'call')),
        status         TEXT NOT NULL CHECK (status IN ('open', 'done')),
        run_id         TEXT NOT NULL,
        step_id        TEXT NOT NULL,
        customer_id    TEXT NOT NULL,
        invoice_id     TEXT NOT NULL,
        segment_id     TEXT,
        assignee       TEXT,
        priority       INTEGER NOT NULL,              -- amount at risk when created (reporting currency)
        created_at     INTEGER NOT NULL,
        due_at         INTEGER NOT NULL,
        sla_at         INTEGER NOT NULL,
        first_outcome_at INTEGER,
        outcome        TEXT,
        promised_date  TEXT,
        call_script    TEXT NOT NULL,
        email_subject  TEXT NOT NULL,
        email_text     TEXT NOT NULL,
        email_sent_at  INTEGER,
        email_action_key TEXT,
        config         TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX am_tasks_queue ON am_tasks(status, priority DESC);
      CREATE INDEX am_tasks_assignee ON am_tasks(assignee, status);
      CREATE INDEX am_tasks_invoice ON am_tasks(invoice_id);

      CREATE TABLE am_task_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id   TEXT NOT NULL REFERENCES am_tasks(id) ON DELETE CASCADE,
        at        INTEGER NOT NULL,
        outcome   TEXT NOT NULL,
        promised_date TEXT,
        note      TEXT NOT NULL DEFAULT '',
        by        TEXT
      ) STRICT;
      CREATE INDEX am_task_log_task ON am_task_log(task_id, at);

      CREATE TABLE webhook_deliveries (
        action_key   TEXT PRIMARY KEY,
        delivery_id  TEXT NOT NULL UNIQUE,             -- sent as Reclaim-Delivery; receivers dedupe on it
        run_id       TEXT NOT NULL,
        customer_id  TEXT NOT NULL,
        invoice_id   TEXT NOT NULL,
        url          TEXT NOT NULL,
        body         TEXT NOT NULL,                    -- the exact JSON sent on every attempt
        status       TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_status  INTEGER,
        last_error   TEXT,
        created_at   INTEGER NOT NULL,
        delivered_at INTEGER
      ) STRICT;

      -- A logged outcome that holds the rest of an invoice's sequence (e.g. promised to pay).
      CREATE TABLE recovery_holds (
        invoice_id  TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        until       INTEGER NOT NULL,                 -- unix seconds; steps due before it wait
        reason      TEXT NOT NULL,
        task_id     TEXT,
        created_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 13,
    name: 'audit log: hash chain, no INSERT OR REPLACE (#18 item 6)',
    up: `
      ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN hash TEXT;
    `,
    // Chains the rows written so far (SHA-256 in JS), then the triggers (main/core/recovery/audit-chain.ts).
    run: (db) => void chainExistingRows(db),
  },
  {
    version: 14,
    name: 'A/B experiments inside a segment: experiments, sticky assignments, segmentation holdout (#20)',
    up: `
      CREATE TABLE experiments (
        id            TEXT PRIMARY KEY,
        key           TEXT NOT NULL UNIQUE,               -- the GrowthBook experiment key
        name          TEXT NOT NULL,
        segment_id    TEXT NOT NULL,
        seed          TEXT NOT NULL,
        hash_version  INTEGER NOT NULL DEFAULT 2,
        holdout       INTEGER NOT NULL DEFAULT 0,         -- percent held out (segment's current strategy)
        arms          TEXT NOT NULL,                      -- JSON [{name, weight, source, strategy|null}]
        splits        TEXT NOT NULL DEFAULT '[]',         -- JSON [{fromMs, shares: {group: share}}]: the split over time, for SRM
        status        TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'shipped')),
        winner        TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        stopped_at_ms INTEGER
      ) STRICT;
      CREATE INDEX experiments_segment ON experiments(segment_id, status);

      -- A customer's arm once treated (its first run): kept when splits change later.
      CREATE TABLE experiment_assignments (
        experiment_id  TEXT NOT NULL,                     -- or 'segmentation-holdout'
        customer_id    TEXT NOT NULL,
        arm            TEXT NOT NULL,
        first_run_id   TEXT NOT NULL,
        assigned_at_ms INTEGER NOT NULL,
        PRIMARY KEY (experiment_id, customer_id)
      ) STRICT;

      CREATE TABLE experiment_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    `,
  },
  {
    version: 15,
    name: 'smtp send stages',
    up: `
      -- How far each SMTP send got (issue #18.1; recovery/smtp-stages.ts), committed before each
      -- stage, so recovery after a crash resends what never reached the mail server.
      CREATE TABLE smtp_send_stages (
        outbox_key TEXT PRIMARY KEY,
        stage      TEXT NOT NULL CHECK (stage IN ('connecting', 'connected', 'envelope_accepted', 'data_sent', 'replied', 'unknown')),
        at_ms      INTEGER NOT NULL
      ) STRICT;
      -- Sends left in flight by a version that kept no stages: how far they got is unknown.
      INSERT INTO smtp_send_stages (outbox_key, stage, at_ms)
        SELECT key, 'unknown', updated_at_ms FROM recovery_outbox WHERE status = 'in_flight';
    `,
  },
  {
    version: 16,
    name: 'facts: failure episodes (failed_invoices_12m) and the At-Risk default on them (#17 item 14)',
    up: `
      -- Failure episodes: distinct invoices with a failed payment in 12 months (failures_12m
      -- keeps counting attempts, Stripe's automatic retries included).
      ALTER TABLE customer_facts ADD COLUMN failed_invoices_12m INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX facts_failed_invoices ON customer_facts(failed_invoices_12m, customer_id);
      -- Existing facts, as of their own computation (the same 12-month window recomputeFacts uses).
      UPDATE customer_facts SET failed_invoices_12m = (
        SELECT count(DISTINCT coalesce(c.invoice_id, 'charge:' || c.id)) FROM charges c
        WHERE c.customer_id = customer_facts.customer_id AND c.status = 'failed' AND c.created >= customer_facts.computed_at - 365 * 86400);
      -- The At-Risk default moves to episodes only where the user has not edited its rule
      -- (its text is still exactly the rule it was created with; an edit in the builder
      -- stores ids and a new shape). Its description follows only if unedited too.
      UPDATE segments SET description = 'Payments failed on two or more invoices in the last 12 months.'
        WHERE is_default = 1 AND description = 'Two or more failed payments in the last 12 months.'
          AND rule = '{"combinator":"and","rules":[{"field":"failures_12m","operator":">=","value":2}]}';
      UPDATE segments SET rule = '{"combinator":"and","rules":[{"field":"failed_invoices_12m","operator":">=","value":2}]}'
        WHERE is_default = 1 AND rule = '{"combinator":"and","rules":[{"field":"failures_12m","operator":">=","value":2}]}';
      -- Membership is recomputed on the next open (reliability/pending.ts).
      INSERT OR IGNORE INTO pending_recompute (what, since_ms) VALUES ('membership', 0);
    `,
  },
  {
    version: 17,
    name: "facts: the Stripe customer's country, state, preferred locales and tax exemption (#17 item 17)",
    up: `
      ALTER TABLE customer_facts ADD COLUMN country TEXT;
      ALTER TABLE customer_facts ADD COLUMN state TEXT;
      ALTER TABLE customer_facts ADD COLUMN preferred_locales TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE customer_facts ADD COLUMN tax_exempt TEXT;
      CREATE INDEX facts_country ON customer_facts(country, customer_id);
      -- Existing facts, read from the synced customer as recomputeFacts does (facts/customer-place.ts).
      UPDATE customer_facts SET
        country = (SELECT upper(nullif(trim(json_extract(c.raw, '$.address.country')), '')) FROM customers c WHERE c.id = customer_facts.customer_id AND json_valid(c.raw)),
        state = (SELECT nullif(trim(json_extract(c.raw, '$.address.state')), '') FROM customers c WHERE c.id = customer_facts.customer_id AND json_valid(c.raw)),
        preferred_locales = coalesce((SELECT json_extract(c.raw, '$.preferred_locales') FROM customers c
          WHERE c.id = customer_facts.customer_id AND json_valid(c.raw) AND json_type(c.raw, '$.preferred_locales') = 'array'), '[]'),
        tax_exempt = (SELECT nullif(trim(json_extract(c.raw, '$.tax_exempt')), '') FROM customers c WHERE c.id = customer_facts.customer_id AND json_valid(c.raw));
    `,
  },
  {
    version: 18,
    name: 'stripe: one rate budget per account across processes (#17 item 9)',
    up: `
      -- A token bucket shared by every process using the workspace (stripe/rate-budget.ts).
      CREATE TABLE stripe_rate_budget (
        account TEXT PRIMARY KEY, tokens REAL NOT NULL, at_ms INTEGER NOT NULL, paused_until_ms INTEGER NOT NULL DEFAULT 0
      ) STRICT;
    `,
  },
  {
    version: 19,
    name: 'customers page at 1M: substring search index, members of one segment by index (#22)',
    up: `
      -- Substring search over name and email (customers/search.ts): FTS5 trigrams over the
      -- facts rows (external content, keyed by the facts rowid). Case-insensitive like before;
      -- it also folds non-ASCII letters (É finds é), which lower() did not.
      CREATE VIRTUAL TABLE customer_search USING fts5(
        name, email, content = 'customer_facts', content_rowid = 'rowid', tokenize = 'trigram'
      );
      -- The facts are written with INSERT OR REPLACE, whose implicit delete fires no trigger:
      -- the old row leaves the index before the insert instead.
      CREATE TRIGGER customer_search_before_insert BEFORE INSERT ON customer_facts BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email)
          SELECT 'delete', rowid, name, email FROM customer_facts WHERE customer_id = NEW.customer_id;
      END;
      CREATE TRIGGER customer_search_insert AFTER INSERT ON customer_facts BEGIN
        INSERT INTO customer_search (rowid, name, email) VALUES (NEW.rowid, NEW.name, NEW.email);
      END;
      CREATE TRIGGER customer_search_update AFTER UPDATE OF name, email ON customer_facts BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email) VALUES ('delete', OLD.rowid, OLD.name, OLD.email);
        INSERT INTO customer_search (rowid, name, email) VALUES (NEW.rowid, NEW.name, NEW.email);
      END;
      CREATE TRIGGER customer_search_delete AFTER DELETE ON customer_facts BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email) VALUES ('delete', OLD.rowid, OLD.name, OLD.email);
      END;
      INSERT INTO customer_search (customer_search) VALUES ('rebuild');
      -- One segment's members without reading every customer: the distinct bitmasks that
      -- contain the segment's bit, then their customers (customers/segment-filter.ts).
      CREATE INDEX membership_w0 ON membership(w0);
    `,
  },
  typedAttrsMigration,
  {
    version: 21,
    name: 'smaller database: raw Stripe JSON rewritten to what the sync keeps now (#22)',
    up: '',
    // Rows in batches; the freed space goes back to the disk with a VACUUM right after the
    // migrations (stripe/shrink-raw.ts; ~70 s for 10k customers, ~11 min for 100k).
    run: (db, progress) => void shrinkStoredRaw(db, (done, total) => progress({ step: 'shrinking stored Stripe data', done, total })),
  },
  {
    version: 22,
    name: 'facts written by UPSERT: triggers that mark only changed customers and re-index only changed names (#22)',
    up: `
      -- The facts recompute writes customer_facts with INSERT … ON CONFLICT DO UPDATE … WHERE
      -- <a value differs> (facts/compute.ts), so an unchanged customer is not rewritten.
      -- membership_dirty: "if an ON CONFLICT clause is specified as part of the statement causing
      -- the trigger to fire, then conflict handling policy of the outer statement is used instead"
      -- (https://www.sqlite.org/lang_createtrigger.html): under the UPSERT the old INSERT OR IGNORE
      -- raised UNIQUE errors. WHERE NOT EXISTS never conflicts, so no policy is involved.
      DROP TRIGGER IF EXISTS membership_dirty_insert;
      DROP TRIGGER IF EXISTS membership_dirty_update;
      DROP TRIGGER IF EXISTS membership_dirty_delete;
      CREATE TRIGGER membership_dirty_insert AFTER INSERT ON customer_facts BEGIN
        INSERT INTO membership_dirty (customer_id) SELECT NEW.customer_id
          WHERE NOT EXISTS (SELECT 1 FROM membership_dirty WHERE customer_id = NEW.customer_id);
      END;
      CREATE TRIGGER membership_dirty_update AFTER UPDATE ON customer_facts BEGIN
        INSERT INTO membership_dirty (customer_id) SELECT id FROM (SELECT NEW.customer_id AS id UNION SELECT OLD.customer_id) AS changed
          WHERE NOT EXISTS (SELECT 1 FROM membership_dirty WHERE customer_id = changed.id);
      END;
      CREATE TRIGGER membership_dirty_delete AFTER DELETE ON customer_facts BEGIN
        INSERT INTO membership_dirty (customer_id) SELECT OLD.customer_id
          WHERE NOT EXISTS (SELECT 1 FROM membership_dirty WHERE customer_id = OLD.customer_id);
      END;
      -- customer_search: a BEFORE INSERT trigger fires for an UPSERT that ends in DO UPDATE (or in
      -- nothing) too, so the one for INSERT OR REPLACE would drop every row from the index. Rows
      -- keep their rowid under the UPSERT; the index changes only when a name or email does.
      -- Writers must not use INSERT OR REPLACE on customer_facts any more: its implicit delete
      -- fires delete triggers "if and only if recursive triggers are enabled"
      -- (https://www.sqlite.org/lang_conflict.html), so the old entry would stay in the index.
      DROP TRIGGER IF EXISTS customer_search_before_insert;
      DROP TRIGGER IF EXISTS customer_search_update;
      CREATE TRIGGER customer_search_update AFTER UPDATE OF name, email ON customer_facts
        WHEN OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email) VALUES ('delete', OLD.rowid, OLD.name, OLD.email);
        INSERT INTO customer_search (rowid, name, email) VALUES (NEW.rowid, NEW.name, NEW.email);
      END;
    `,
  },
  {
    version: 23,
    name: 'operators: who works this workspace, with a role (#23)',
    up: `
      CREATE TABLE operator (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        email      TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('specialist', 'account_manager', 'admin')),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX operator_email ON operator(email COLLATE NOCASE);
    `,
  },
];
