import { Liquid } from 'liquidjs';
import type { EmailTemplate, Tone } from '../../../shared/contract';
import { formatMoney } from '../../../shared/money';
import { badRequest } from '../errors';
import type { CustomerInfo, InvoiceInfo } from './channel';

/**
 * Email templates in liquidjs: no code execution (Liquid has none), no file
 * system (an empty in-memory template map, so include/render find nothing),
 * strict variables and filters (a typo is an error, not an empty string),
 * parse/render/memory limits. Values are data: a customer name containing
 * `{{`, `{%` or HTML is printed, never parsed; in the HTML part every output is
 * HTML-escaped. Header values (subject, names) have CR/LF removed.
 */
const options = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
  parseLimit: 100_000,
  renderLimit: 2_000,
  memoryLimit: 10_000_000,
} as const;
const textEngine = new Liquid(options);
const htmlEngine = new Liquid({ ...options, outputEscape: 'escape' });

export interface TemplateVars {
  name: string;
  first_name: string;
  email: string;
  amount: string;
  plan: string;
  invoice_number: string;
  pay_url: string;
  update_card_url: string;
  account_manager: string;
  account_manager_email: string;
  sender_name: string;
  business: string;
  days_overdue: string;
  offer: string;
}

export const VARIABLES: { name: keyof TemplateVars; description: string }[] = [
  { name: 'name', description: "The customer's name (or their email when unnamed)" },
  { name: 'first_name', description: 'First word of the name' },
  { name: 'email', description: "The customer's email address" },
  { name: 'amount', description: 'Amount still due, formatted in the invoice currency' },
  { name: 'plan', description: 'Plan / product name' },
  { name: 'invoice_number', description: 'Stripe invoice number' },
  { name: 'pay_url', description: "The invoice's hosted page (pay or update the card)" },
  { name: 'update_card_url', description: 'Same as pay_url' },
  { name: 'account_manager', description: "The account manager's name" },
  { name: 'account_manager_email', description: "The account manager's email" },
  { name: 'sender_name', description: 'Who the email is from' },
  { name: 'business', description: 'Your business name (the workspace name)' },
  { name: 'days_overdue', description: 'Days since the first failed payment' },
  { name: 'offer', description: 'The offer, described (offer steps only)' },
];

/** "alice.wong@x.test" → "Alice Wong"; a name stays a name. */
export function personName(value: string | null): string {
  if (!value) return '';
  const local = value.includes('@') ? value.split('@')[0]! : value;
  if (value.includes('@')) return local.split(/[._-]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
  return local;
}

/** Removes CR/LF and other control characters from a header value. */
export function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return value.replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, 900);
}

export function buildVars(args: { customer: CustomerInfo; invoice: InvoiceInfo | null; business: string; senderName: string; now: number; offer?: string }): TemplateVars {
  const { customer, invoice } = args;
  const name = customer.name?.trim() || customer.email || 'there';
  const am = customer.accountManager;
  const url = invoice?.hostedInvoiceUrl ?? '';
  return {
    name,
    first_name: name.split(/\s+/)[0] ?? name,
    email: customer.email ?? '',
    amount: invoice ? formatMoney(invoice.amountRemaining || invoice.amountDue, invoice.currency) : '',
    plan: customer.plan ?? 'your subscription',
    invoice_number: invoice?.number ?? invoice?.id ?? '',
    pay_url: url,
    update_card_url: url,
    account_manager: am ? personName(am) : '',
    account_manager_email: am && am.includes('@') ? am : '',
    sender_name: args.senderName,
    business: args.business,
    days_overdue: invoice ? String(Math.max(0, Math.floor((args.now - invoice.firstFailureAt) / 86_400))) : '0',
    offer: args.offer ?? '',
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Plain text → simple HTML (escaped; URLs become links). */
export function textToHtml(text: string): string {
  const paras = text.split(/\n{2,}/).map((p) =>
    escapeHtml(p)
      .replace(/(https?:\/\/[^\s<]+)/g, (u) => `<a href="${u}">${u}</a>`)
      .replace(/\n/g, '<br>'),
  );
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#222">${paras.map((p) => `<p>${p}</p>`).join('\n')}</body></html>`;
}

function render(engine: Liquid, source: string, vars: TemplateVars, part: string): string {
  try {
    return engine.parseAndRenderSync(source, vars as unknown as Record<string, unknown>) as string;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw badRequest(`The ${part} template cannot be rendered: ${msg}`, [{ path: `template.${part}`, message: msg ?? 'invalid' }]);
  }
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

export function renderEmail(template: EmailTemplate, vars: TemplateVars): Rendered {
  const subject = headerSafe(render(textEngine, template.subject, vars, 'subject'));
  const text = render(textEngine, template.text, vars, 'text');
  const html = template.html?.trim() ? render(htmlEngine, template.html, vars, 'html') : textToHtml(text);
  return { subject, text, html };
}

/** Checks a template parses and uses only known variables (rendered against placeholder values). */
export function validateTemplate(template: EmailTemplate): void {
  const vars = Object.fromEntries(VARIABLES.map((v) => [v.name, 'x'])) as unknown as TemplateVars;
  renderEmail(template, vars);
}

// ── tone presets ──

// The business is named once when the sender is the business itself (a sender "Demo" of business "Demo" is not "Demo, Demo").
const FOOTER = `\n\n--\n{{ sender_name }}{% if business != sender_name %}, {{ business }}{% endif %}\nTo stop these emails, reply "unsubscribe".`;

export const TONES: { tone: Tone; label: string; description: string; template: EmailTemplate }[] = [
  {
    tone: 'white_glove',
    label: 'White-glove (personal, from the account manager)',
    description: 'A short personal note in the account manager’s name; no urgency, an offer to help.',
    template: {
      subject: 'A quick note about your {{ plan }} invoice',
      text:
        'Hi {{ first_name }},\n\nI noticed the payment for invoice {{ invoice_number }} ({{ amount }}) did not go through. ' +
        'These things happen, usually an expired card or a bank check. You can settle it or update the card here:\n{{ pay_url }}\n\n' +
        'If anything on your side needs a different arrangement (a PO, a new billing contact, invoicing by bank transfer), just reply and I will sort it out personally.\n\n' +
        'Best,\n{{ sender_name }}' + '\n\n--\n{{ business }}',
      html: '',
    },
  },
  {
    tone: 'warm',
    label: 'Warm onboarding',
    description: 'Welcoming, not urgent: explains what happened and offers help, for new customers.',
    template: {
      subject: 'Welcome aboard, {{ first_name }}: a small hiccup with your payment',
      text:
        'Hi {{ first_name }},\n\nThanks for joining {{ business }}! We tried to collect {{ amount }} for {{ plan }}, but your bank did not approve it. ' +
        'Nothing is lost and your account is still active.\n\nYou can check the card or pay in a minute here:\n{{ pay_url }}\n\n' +
        'Getting started questions, or anything else? Just reply: a real person reads every message.' + FOOTER,
      html: '',
    },
  },
  {
    tone: 'concise',
    label: 'Concise self-serve',
    description: 'Two lines and a link.',
    template: {
      subject: 'Payment failed: {{ amount }} for {{ plan }}',
      text: 'Hi {{ first_name }},\n\nYour payment of {{ amount }} (invoice {{ invoice_number }}) failed. Update your card or pay here:\n{{ pay_url }}' + FOOTER,
      html: '',
    },
  },
  {
    tone: 'supportive',
    label: 'Supportive',
    description: 'Friendly and clear, with the amount, the reason and the link.',
    template: {
      subject: 'Your {{ plan }} payment did not go through',
      text:
        'Hi {{ first_name }},\n\nWe could not collect {{ amount }} for invoice {{ invoice_number }}. This is often a card that expired or a limit that was reached.\n\n' +
        'You can update your card or pay the invoice here:\n{{ pay_url }}\n\nIf you need help, reply to this email.' + FOOTER,
      html: '',
    },
  },
  {
    tone: 'firm',
    label: 'Firm (card update needed)',
    description: 'Direct: the card needs replacing before service is interrupted.',
    template: {
      subject: 'Action needed: update your card for {{ plan }}',
      text:
        'Hi {{ first_name }},\n\nPayments for your {{ plan }} subscription have failed more than once, most recently {{ amount }} for invoice {{ invoice_number }}. ' +
        'Please update your card so your service continues without interruption:\n{{ pay_url }}' + FOOTER,
      html: '',
    },
  },
];

export function toneTemplate(tone: Tone): EmailTemplate {
  return structuredClone(TONES.find((t) => t.tone === tone)!.template);
}

export const NEW_CARD_TEMPLATE: EmailTemplate = {
  subject: 'Your card was declined: a new card is needed for {{ plan }}',
  text:
    'Hi {{ first_name }},\n\nYour bank declined the payment of {{ amount }} in a way that retrying will not fix (for example a card reported lost, closed or expired). ' +
    'Please add a new card or pay another way here:\n{{ pay_url }}' + FOOTER,
  html: '',
};

export const OFFER_TEMPLATES: Record<'coupon' | 'annual' | 'payment_method', EmailTemplate> = {
  coupon: {
    subject: 'We would like to keep you: {{ offer }}',
    text:
      'Hi {{ first_name }},\n\nWe know payments sometimes get stuck. To make it easier, we have applied {{ offer }} to your {{ plan }} subscription.\n\n' +
      'You can settle invoice {{ invoice_number }} ({{ amount }}) here:\n{{ pay_url }}' + FOOTER,
    html: '',
  },
  annual: {
    subject: 'Fewer card payments: switch {{ plan }} to annual billing',
    text:
      'Hi {{ first_name }},\n\nRecent card payments for {{ plan }} have not gone through. Annual billing means one payment a year (and two months free). ' +
      'Reply "annual" and we will switch you over.\n\nTo settle the open invoice ({{ amount }}) now:\n{{ pay_url }}' + FOOTER,
    html: '',
  },
  payment_method: {
    subject: 'Pay {{ plan }} another way',
    text:
      'Hi {{ first_name }},\n\nYour card keeps being declined. You can pay invoice {{ invoice_number }} ({{ amount }}) with another card or payment method here, ' +
      'and it will be used from now on:\n{{ pay_url }}' + FOOTER,
    html: '',
  },
};
