/**
 * What every figure of the performance report counts, in words (#19). Shown in
 * the app, written into every export and into docs/METRICS.md word for word;
 * main/core/performance/ computes exactly this.
 */
export const METRIC_DEFINITIONS: { term: string; text: string }[] = [
  {
    term: 'Cohort',
    text:
      'A failed invoice enters the cohort when its first payment attempt fails: the earliest failed charge on the invoice (found through the charge itself or the invoice’s payments); ' +
      'when no failed charge is stored, the first failure a recovery run recorded for it. The date range filters on the day (UTC) of that first failure; by default the 90 days up to today.',
  },
  {
    term: 'Window',
    text: 'The number of days after the first failure within which a payment counts as a recovery (30 unless chosen otherwise): paid before first failure + window × 24 hours.',
  },
  {
    term: 'Invoices',
    text: 'Invoices in the cohort, voided ones excluded. Open, partly paid and uncollectible invoices stay in, so the rate of a recent cohort still rises as its invoices age.',
  },
  {
    term: 'Recovered',
    text: 'Paid in full within the window (paid time: the invoice’s paid time, else Stripe’s status_transitions.paid_at). An invoice paid after the window counts as not recovered.',
  },
  {
    term: 'Partial',
    text: 'Paid in part — amount paid above zero but below the amount due — and not paid in full within the window. Counted apart and never as recovered; its amount paid is the partial amount.',
  },
  { term: 'Voided', text: 'Voided after failing: removed from the cohort and counted here only.' },
  { term: 'Uncollectible', text: 'Marked uncollectible: stays in the cohort and is never recovered.' },
  {
    term: 'Open',
    text: 'Still open and younger than the window: censored in the recovery curve at its age today (Kaplan–Meier), not dropped; it stays in the rate’s denominator.',
  },
  { term: 'Recovery rate', text: 'Recovered ÷ invoices, with its 95% Wilson interval; by amount: amount recovered ÷ amount due.' },
  {
    term: 'Money',
    text:
      'Every amount is in the workspace currency, in its smallest unit, converted invoice by invoice from the invoice’s currency with the workspace’s exchange rates and rounded to the smallest unit. ' +
      'Amount due: of the cohort’s invoices. Amount recovered: amount paid on recovered invoices. Amount at risk: amount still owed on cohort invoices that are open now.',
  },
  {
    term: 'Time to recovery',
    text:
      'Days from the first failure to the payment, day 0 being the first 24 hours. The recovery curve is the Kaplan–Meier share recovered by the end of each day of the window, open invoices censored; ' +
      'the median and 90th percentile are the first days the curve reaches 50% and 90% (none when it does not within the window).',
  },
  {
    term: 'Cost and net',
    text:
      'Voice: the price of every voice call placed on the invoice (the provider’s final price, else the cost reserved for it). Offers: the value of every offer made on the invoice. ' +
      'Net: amount recovered − voice − offers.',
  },
  {
    term: 'Segment',
    text:
      'The segment the customer was in when the run that worked the invoice started (the latest run that took the invoice in before it was paid). Invoices no run worked on are grouped as “No run”.',
  },
  {
    term: 'Variant',
    text:
      'The experiment arm the customer had been assigned to when that run took the invoice in (experiment key / arm; the segmentation holdout counts as a variant). Otherwise “No experiment”.',
  },
  {
    term: 'Channel',
    text:
      'The channel of the last Reclaim action that succeeded and had started by the time the invoice was paid (to the second: an action that finished before the payment, or the one running as it was paid, such as the Stripe retry that collected it); ' +
      'for an invoice not recovered, by the end of its window or now, whichever is first. “No action” when there was none: a recovered invoice there was recovered without action.',
  },
  { term: 'Recovered without action', text: 'Recovered with no Reclaim action before the payment (channel “No action”): what would have come back anyway.' },
  { term: 'Decline', text: 'Hard or soft by the decline code of the first failed charge (hard: the same card will not pass by retrying later); unknown when the charge has no code.' },
  { term: 'Over time', text: 'Weeks starting Monday (UTC): amount and count recovered by payment week, and cost by the week it was spent.' },
  {
    term: 'Baseline',
    text:
      'The Default strategy on the segmentation holdout when any cohort invoice belongs to a held-out customer; otherwise the invoices no run worked on. It ignores the segment and variant filters. ' +
      'Each segment (its invoices outside the baseline) is compared with it: the difference in recovery rate with its 95% interval, the two-sided p-value of a two-proportion z-test, and the relative lift (rate ÷ baseline rate − 1).',
  },
  { term: 'Simulated', text: 'In a demo workspace the outcomes come from the local Stripe server’s customer-response model, not from real customers.' },
];
