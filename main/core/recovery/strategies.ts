import { Step, StrategyInput, type Strategy, type StepInput } from '../../../shared/contract';
import type { Sqlite } from '../db/sqlite';
import { badRequest, notFound } from '../errors';
import { issueWords } from '../issue-words';
import * as segments from '../segments/service';
import { PREVIOUS_DEFAULTS } from './strategy-history';
import { stepTitle } from '../../../shared/words';
import { NEW_CARD_TEMPLATE, OFFER_TEMPLATES, toneTemplate, validateTemplate } from './templates';

/**
 * One strategy per segment (key = segment id) plus the Default strategy (key
 * 'default', for customers that match no segment). A segment without a stored
 * strategy uses its built-in default (by the default segment's name; custom
 * segments get the Default strategy's steps), so every segment has a sensible
 * strategy on first open; saving makes it `customized`.
 */
export const DEFAULT_KEY = 'default';

const d = (days: number, from: 'first_failure' | 'previous_step' = 'first_failure') => ({ days, hours: 0, from });
const email = (id: string, label: string, days: number, tone: Parameters<typeof toneTemplate>[0], extra: Partial<StepInput> = {}): StepInput =>
  ({ id, label, channel: 'email', delay: d(days), config: { tone, sender: 'workspace', template: toneTemplate(tone) }, ...extra }) as StepInput;
const retry = (id: string, label: string, days: number, aggressiveness: 'gentle' | 'standard' | 'aggressive', maxAttempts = 4): StepInput =>
  ({ id, label, channel: 'retry', delay: d(days), config: { aggressiveness, maxAttempts, newCardTemplate: null } }) as StepInput;

/** Built-in strategies by default segment name (PRODUCT.md, issue #12). */
function builtIn(name: string): { description: string; steps: StepInput[] } {
  switch (name) {
    case 'Enterprise':
      return {
        description:
          'White-glove, as the product promises: the day the payment fails, a personal email from the account manager and a voice call (above the voice threshold, within the voice budgets); ' +
          'an hour later, if the call was not answered, an account-manager task due the same day. Then a retry on day 2, a personal follow-up on day 5, a second retry on day 7.',
        // #17 item 15 (PRODUCT.md: "immediate AI voice call + personal email from their account manager").
        // The task waits an hour so the call's outcome (polled before every tick) is known when it is due.
        steps: [
          { ...email('personal-email', 'Personal email from the account manager', 0, 'white_glove'), config: { tone: 'white_glove', sender: 'account_manager', template: toneTemplate('white_glove') } } as StepInput,
          { id: 'voice-call', label: 'Voice call', channel: 'voice', delay: d(0), config: {} } as StepInput,
          { id: 'am-task', label: 'Account-manager task', channel: 'am_task', delay: { days: 0, hours: 1, from: 'first_failure' }, conditions: { lastCallNotAnswered: true }, config: { dueHours: 8 } } as StepInput,
          retry('retry-1', 'Retry the invoice', 2, 'gentle', 5),
          { ...email('follow-up', 'Personal follow-up', 5, 'white_glove'), config: { tone: 'white_glove', sender: 'account_manager', template: toneTemplate('white_glove') } } as StepInput,
          retry('retry-2', 'Second retry', 7, 'gentle', 5),
        ],
      };
    case 'At-Risk':
      return {
        description: 'Repeat failures: an early card-update ask, then offers: switch payment method, annual billing, a temporary discount.',
        steps: [
          email('card-update', 'Ask for a card update', 0, 'firm'),
          retry('retry-1', 'Retry (soft declines only)', 3, 'standard'),
          { id: 'offer-payment-method', label: 'Offer: pay another way', channel: 'offer', delay: d(5), config: { kind: 'payment_method', template: OFFER_TEMPLATES.payment_method } },
          { id: 'offer-annual', label: 'Offer: annual billing', channel: 'offer', delay: d(8), config: { kind: 'annual', template: OFFER_TEMPLATES.annual } },
          {
            id: 'offer-discount', label: 'Offer: 20% off the next invoice', channel: 'offer', delay: d(12),
            config: { kind: 'coupon', percentOff: 20, duration: 'once', maxPerCustomer: 1, maxPerRun: 200, template: OFFER_TEMPLATES.coupon },
          },
        ],
      };
    case 'New Customer':
      return {
        description: 'Warm onboarding tone: explain, offer help, gentle retries.',
        steps: [email('welcome-help', 'Warm onboarding email', 0, 'warm'), retry('retry-1', 'Gentle retry', 3, 'gentle'), email('reminder', 'Friendly reminder', 6, 'warm'), retry('retry-2', 'Second gentle retry', 9, 'gentle')],
      };
    case 'Loyal Customer':
      return {
        description: 'Long-standing customers: a supportive note, retries, a reminder.',
        steps: [email('notice', 'Supportive email', 0, 'supportive'), retry('retry-1', 'Retry', 3, 'standard'), email('reminder', 'Reminder', 7, 'supportive'), retry('retry-2', 'Retry', 10, 'standard')],
      };
    case 'Growth':
      return {
        description: 'Mid-tier: a supportive email, two retries, a reminder.',
        steps: [email('notice', 'Supportive email', 0, 'supportive'), retry('retry-1', 'Retry', 2, 'standard'), retry('retry-2', 'Retry', 5, 'standard'), email('reminder', 'Reminder', 7, 'supportive')],
      };
    case 'Starter':
      return {
        description: 'Self-serve: a concise email and automated retries.',
        steps: [email('notice', 'Concise email', 0, 'concise'), retry('retry-1', 'Retry', 1, 'aggressive', 6), retry('retry-2', 'Retry', 3, 'aggressive', 6), email('reminder', 'Concise reminder', 5, 'concise'), retry('retry-3', 'Retry', 7, 'aggressive', 6)],
      };
    default:
      return {
        description: 'The Default strategy: a supportive email, a retry, a reminder.',
        steps: [email('notice', 'Supportive email', 0, 'supportive'), retry('retry-1', 'Retry', 3, 'standard'), email('reminder', 'Reminder', 7, 'supportive')],
      };
  }
}

const DEFAULT_NAMES = new Set(['Enterprise', 'Growth', 'Starter', 'New Customer', 'Loyal Customer', 'At-Risk']);

interface Row {
  segment_key: string;
  json: string;
  customized: number;
  updated_at_ms: number;
}

function segmentOf(db: Sqlite, key: string): { id: string | null; name: string; color: string; priority: number | null; isDefault: boolean } {
  if (key === DEFAULT_KEY) return { id: null, name: 'Default', color: '#868e96', priority: null, isDefault: false };
  const s = segments.get(db, key);
  if (!s) throw notFound('The segment');
  return { id: s.id, name: s.name, color: s.color, priority: s.archived ? null : s.priority, isDefault: s.isDefault };
}

export function builtInFor(db: Sqlite, key: string): { name: string; description: string; steps: Step[] } {
  const seg = segmentOf(db, key);
  const base = seg.isDefault && DEFAULT_NAMES.has(seg.name.replace(/ \(\d+\)$/, '')) ? seg.name.replace(/ \(\d+\)$/, '') : key === DEFAULT_KEY ? 'Default' : null;
  // Custom segments start from the Default strategy as stored (customized or not).
  if (base === null) {
    // #21: the new segment's own name and a description that says where its steps came from (not "The Default strategy: …").
    const def = getStrategy(db, DEFAULT_KEY);
    const what = def.customized ? 'as edited in this workspace.' : def.description.replace(/^The Default strategy:\s*/, '');
    return { name: `${seg.name} strategy`, description: `Starts as a copy of the Default strategy: ${what}`, steps: def.steps };
  }
  const b = builtIn(base);
  return { name: `${seg.name} strategy`, description: b.description, steps: b.steps.map((s) => Step.parse(s)) };
}

export function getStrategy(db: Sqlite, key: string): Strategy {
  const seg = segmentOf(db, key);
  const row = db.prepare(`SELECT * FROM recovery_strategies WHERE segment_key = ?`).get(key) as Row | undefined;
  if (row) {
    const s = JSON.parse(row.json) as { name: string; description: string; enabled: boolean; steps: unknown[] };
    const steps = s.steps.map((x) => Step.parse(x));
    // Still exactly an earlier built-in default (saved, never edited): the current default's steps.
    const base = seg.isDefault ? seg.name.replace(/ \(\d+\)$/, '') : null;
    const same = (old: StepInput[]) => JSON.stringify(old.map((x) => Step.parse(x))) === JSON.stringify(steps);
    if (base && PREVIOUS_DEFAULTS[base]?.some(same)) {
      const b = builtIn(base);
      return { segmentId: seg.id, segmentName: seg.name, name: s.name, description: b.description, enabled: s.enabled, steps: b.steps.map((x) => Step.parse(x)), customized: row.customized === 1, updatedAt: row.updated_at_ms };
    }
    return { segmentId: seg.id, segmentName: seg.name, name: s.name, description: s.description, enabled: s.enabled, steps, customized: row.customized === 1, updatedAt: row.updated_at_ms };
  }
  const b = builtInFor(db, key);
  return { segmentId: seg.id, segmentName: seg.name, name: b.name, description: b.description, enabled: true, steps: b.steps, customized: false, updatedAt: null };
}

export function listStrategies(db: Sqlite): (Strategy & { color: string; priority: number | null })[] {
  const keys = [...segments.list(db).map((s) => s.id), DEFAULT_KEY];
  return keys.map((k) => {
    const seg = segmentOf(db, k);
    return { ...getStrategy(db, k), color: seg.color, priority: seg.priority };
  });
}

/** A template's first problem in words: "the subject uses an unknown variable “frist_name” (line 1)". */
export function templateProblem(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const part = /^The (\w+) template cannot be rendered: (.*)$/.exec(m);
  if (!part) return m;
  const where = part[1] === 'text' ? 'the plain-text body' : part[1] === 'html' ? 'the HTML body' : 'the subject';
  const unknown = /^undefined variable: ([^,]+), line:(\d+)/.exec(part[2]!);
  if (unknown) return `${where} uses an unknown variable “${unknown[1]}” (line ${unknown[2]})`;
  return `${where} cannot be rendered: ${part[2]!.replace(/, line:(\d+), col:\d+$/, ' (line $1)')}`;
}

export function setStrategy(db: Sqlite, key: string, input: unknown, nowMs: number): Strategy {
  segmentOf(db, key);
  const parsed = StrategyInput.safeParse(input);
  if (!parsed.success) {
    // #21: only the first problem, and a step named in words ("Step 2, email “Reminder”"), not a schema path.
    const first = parsed.error.issues[0];
    throw badRequest(`The strategy was not saved: ${first ? issueWords(first, input) : 'it is not valid'}`, first ? [{ path: first.path.map(String).join('.'), message: first.message }] : []);
  }
  const s = parsed.data;
  s.steps.forEach((step, i) => {
    const templates = step.channel === 'email' ? [step.config.template] : step.channel === 'offer' ? [step.config.template] : step.channel === 'retry' ? [step.config.newCardTemplate] : [];
    for (const t of templates) {
      if (!t) continue;
      try {
        validateTemplate(t);
      } catch (e) {
        const msg = templateProblem(e);
        throw badRequest(`The strategy was not saved: ${stepTitle(i, step)}: ${msg}`, [{ path: `steps.${i}.config`, message: msg }]);
      }
    }
    if (step.channel === 'offer' && step.config.kind === 'coupon' && !step.config.percentOff && !step.config.amountOff) {
      throw badRequest(`The strategy was not saved: ${stepTitle(i, step)} is a discount coupon without a percent or an amount off`);
    }
    if (step.channel === 'offer' && step.config.duration === 'repeating' && !step.config.durationInMonths) {
      throw badRequest(`The strategy was not saved: ${stepTitle(i, step)} repeats without a number of months`);
    }
  });
  db.prepare(
    `INSERT INTO recovery_strategies (segment_key, json, customized, updated_at_ms) VALUES (?, ?, 1, ?)
     ON CONFLICT(segment_key) DO UPDATE SET json = excluded.json, customized = 1, updated_at_ms = excluded.updated_at_ms`,
  ).run(key, JSON.stringify(s), nowMs);
  return getStrategy(db, key);
}

export function resetStrategy(db: Sqlite, key: string): Strategy {
  segmentOf(db, key);
  db.prepare(`DELETE FROM recovery_strategies WHERE segment_key = ?`).run(key);
  return getStrategy(db, key);
}

export { NEW_CARD_TEMPLATE };
