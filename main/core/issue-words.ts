import type { z } from 'zod';
import { CHANNEL_WORDS, stepTitle } from '../../shared/words';

/**
 * Validation problems in the words a recovery specialist uses (#21): "Step 1:
 * channel must be one of email, Stripe retry, offer, …", "Condition 2: value is
 * missing", never `strategy.steps.0.channel` or "Invalid discriminator value".
 * The envelope keeps `issues[].path` for programs; this is only the message.
 */

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

/** Field names as the app's forms label them. */
const FIELD_WORDS: Record<string, string> = {
  workspaceId: 'workspace',
  segmentId: 'segment',
  customerId: 'customer',
  runId: 'run',
  taskId: 'task',
  experimentId: 'experiment',
  id: 'step id',
  label: 'label',
  name: 'name',
  description: 'description',
  enabled: 'enabled',
  channel: 'channel',
  delay: 'delay',
  days: 'days',
  hours: 'hours',
  from: 'from',
  declineType: 'decline type',
  minAmountAtRisk: 'amount at risk ≥',
  maxAmountAtRisk: 'amount at risk ≤',
  minFailures12m: 'failures in 12 months ≥',
  afterUnansweredEmails: 'unanswered emails ≥',
  lastCallNotAnswered: 'call not answered',
  tone: 'tone',
  sender: 'sender',
  subject: 'email subject',
  text: 'email plain text',
  html: 'email HTML',
  newCardTemplate: 'new-card email',
  aggressiveness: 'retry aggressiveness',
  maxAttempts: 'most attempts',
  kind: 'offer',
  percentOff: 'percent off',
  amountOff: 'amount off',
  amountCurrency: 'currency of the amount off',
  currencyAmounts: 'amounts in other currencies',
  duration: 'duration',
  durationInMonths: 'months',
  maxPerCustomer: 'offers per customer',
  maxPerRun: 'offers per run',
  combinator: 'and/or',
  field: 'field',
  operator: 'operator',
  value: 'value',
  rule: 'rule',
  color: 'colour',
  weight: 'split',
  config: 'settings (“config”)',
  template: 'email (“template”)',
  conditions: 'conditions',
  strategy: 'strategy',
  draft: 'experiment',
  holdout: 'holdout',
  seed: 'seed',
  strategyFrom: 'strategy source',
  segmentationHoldout: 'holdout percent',
  limit: 'limit',
  offset: 'offset',
  host: 'host',
  port: 'port',
  tls: 'TLS',
  user: 'user name',
  password: 'password',
  fromName: 'from name',
  replyTo: 'reply-to',
  ratePerMinute: 'emails per minute',
  transport: 'delivery',
  includeFiniteCoupons: 'once/repeating coupons',
};

/** Containers that add nothing a person needs to find the field. */
const SKIP = new Set(['strategy', 'draft', 'config', 'template', 'conditions', 'patch', 'input']);

/** Option values as people say them (`am_task` is an account-manager task). */
const VALUE_WORDS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(CHANNEL_WORDS).map(([k, v]) => [k, v === 'Stripe retry' ? v : v.toLowerCase()])),
  white_glove: 'white-glove',
  first_failure: 'after the first failure',
  previous_step: 'after the previous step',
  account_manager: 'account manager',
  payment_method: 'switch payment method',
  annual: 'switch to annual billing',
  coupon: 'discount coupon',
};

const valueWord = (v: unknown) => (typeof v === 'string' ? (VALUE_WORDS[v] ?? v) : String(v));
const oneOf = (values: readonly unknown[]) => (values.length === 1 ? `must be ${valueWord(values[0])}` : `must be one of ${values.map(valueWord).join(', ')}`);
const quoted = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return `“${s.length > 40 ? `${s.slice(0, 40)}…` : s}”`;
};

function fieldWord(key: string): string {
  return FIELD_WORDS[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

function child(node: unknown, key: Key): unknown {
  return node !== null && typeof node === 'object' ? (node as Record<Key, unknown>)[key] : undefined;
}

/** Where a problem is: a place ("Step 2, email “Reminder”", "Condition 3") and the field in it ("delay days"). */
export function whereWords(path: readonly Key[], input: unknown): { place: string; field: string } {
  const places: string[] = [];
  let fields: string[] = [];
  let node = input;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const next = path[i + 1];
    if (typeof key === 'string' && typeof next === 'number') {
      const item = child(child(node, key), next);
      const named = (child(item, 'name') as unknown) ?? null;
      let place: string;
      if (key === 'steps') {
        place = CHANNEL_WORDS[child(item, 'channel') as keyof typeof CHANNEL_WORDS] ? stepTitle(next, (item ?? {}) as object) : `Step ${next + 1}`;
      } else if (key === 'rules') place = `${child(item, 'rules') !== undefined ? 'Group' : 'Condition'} ${next + 1}`;
      else if (key === 'arms') place = typeof named === 'string' && named ? `Arm ${named}` : `Arm ${next + 1}`;
      else if (key === 'segments') place = typeof named === 'string' && named ? `Segment ${named}` : `Segment ${next + 1}`;
      else place = `${fieldWord(key)[0]!.toUpperCase()}${fieldWord(key).slice(1)} ${next + 1}`;
      places.push(place);
      fields = [];
      node = item;
      i++;
      continue;
    }
    node = child(node, key);
    const last = i === path.length - 1;
    if (typeof key === 'number') fields.push(`item ${key + 1}`);
    else if (typeof key === 'string' && (!SKIP.has(key) || (last && fields.length === 0))) fields.push(fieldWord(key));
  }
  return { place: places.join(', '), field: fields.join(' ') };
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a set of fields ({…})',
  array: 'a list ([…])',
  null: 'empty (null)',
};

/** zod's own English ("Invalid input: …", "Too small: …"); anything else is a message a schema author wrote for people. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized|Expected|Required)\b/;

function predicate(issue: Issue, value: unknown): string {
  if (issue.message && !ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is missing';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length) return `${oneOf(options)}${value !== undefined ? ` (not ${quoted(value)})` : ''}`;
      return value === undefined ? 'is missing' : 'is not valid';
    }
    case 'invalid_value':
      return `${oneOf(issue.values)}${value !== undefined ? ` (not ${quoted(value)})` : ''}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'cannot be empty' : `needs at least ${min} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? 'needs at least one' : `needs at least ${min}`;
      return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `can be at most ${max} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `can have at most ${max}`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'a field' : 'fields'} Reclaim does not know: ${issue.keys.map(quoted).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'email' ? 'must be an email address' : issue.format === 'url' ? 'must be a web address' : 'is not in the right format';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return 'is not valid';
  }
}

function valueAt(path: readonly Key[], input: unknown): unknown {
  let node = input;
  for (const key of path) node = child(node, key);
  return node;
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
/** "Subject is required" → "subject is required" (not "HTML …"). */
const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

/** One problem in words: "Step 1: channel must be one of email, Stripe retry, …". */
export function issueWords(issue: Issue, input: unknown): string {
  const { place, field } = whereWords(issue.path, input);
  const what = predicate(issue, valueAt(issue.path, input));
  // A message written for people usually names its field already ("Subject is required").
  const custom = issue.message && !ZOD_DEFAULT.test(issue.message);
  if (custom) return place ? `${place}: ${what}` : cap(what);
  if (field) return place ? `${place}: ${field} ${what}` : cap(`${field} ${what}`);
  return `${place || 'The input'} ${what}`;
}

/**
 * Up to `max` problems on one line, those of one place together: "Step 1,
 * email: delay days must be at least 0, tone must be one of …; and 2 more problems".
 */
export function issuesMessage(issues: readonly Issue[], input: unknown, max = 3): string {
  if (issues.length === 0) return 'The input is not valid';
  const parts: string[] = [];
  let lastPlace: string | null = null;
  for (const issue of issues.slice(0, max)) {
    const words = issueWords(issue, input);
    const { place } = whereWords(issue.path, input);
    if (place && place === lastPlace && words.startsWith(`${place}: `)) parts[parts.length - 1] += `, ${lowerFirst(words.slice(place.length + 2))}`;
    else parts.push(words);
    lastPlace = place && words.startsWith(`${place}: `) ? place : null;
  }
  const more = issues.length - Math.min(issues.length, max);
  return `${parts.join('; ')}${more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : ''}`.replace(/\s*\n\s*/g, ' ');
}

/** What was not done, before the problems, for requests that save something. */
const LEADS: Record<string, string> = {
  'strategies.set': 'The strategy was not saved',
  'segments.create': 'The segment was not saved',
  'segments.update': 'The segment was not saved',
  'experiments.create': 'The experiment was not started',
  'smtp.set': 'The email settings were not saved',
  'recovery.settings.set': 'The recovery settings were not saved',
  'whiteglove.voice.set': 'The voice settings were not saved',
  'whiteglove.webhook.set': 'The webhook settings were not saved',
  'whiteglove.am.set': 'The account-manager settings were not saved',
  'experiments.settings.set': 'The holdout was not saved',
  'experiments.setSplit': 'The split was not saved',
};

/** The bad-input message for a request: "The strategy was not saved: Step 1: channel must be …". */
export function requestProblem(method: string, issues: readonly Issue[], input: unknown): string {
  const lead = LEADS[method];
  const words = issuesMessage(issues, input);
  return lead ? `${lead}: ${words}` : words;
}
