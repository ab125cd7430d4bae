import { InfoCircleOutlined } from '@ant-design/icons';
import { Card, Popover, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { PerformanceReport } from '../../../../shared/performance';
import { formatMoney } from '../../../../shared/money';
import { count, days, interval, pct } from './format';

type Definition = PerformanceReport['definitions'][number];

/** The report's definition for a card: the first term that names one of `words` (the core words its terms). */
export function definitionFor(definitions: Definition[], words: string[]): Definition[] {
  for (const w of words) {
    const found = definitions.filter((d) => d.term.toLowerCase().includes(w));
    if (found.length) return found;
  }
  return [];
}

function Figure({ testId, title, value, note, terms, definitions }: { testId: string; title: string; value: ReactNode; note?: ReactNode; terms: string[]; definitions: Definition[] }) {
  const defs = definitionFor(definitions, terms);
  return (
    <Card size="small" data-testid={testId} styles={{ body: { padding: '10px 12px' } }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 4 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {title}
        </Typography.Text>
        <Popover
          title={title}
          trigger={['hover', 'click']}
          content={
            <div style={{ maxWidth: 320 }} data-testid={`${testId}-definition`}>
              {defs.length
                ? defs.map((d) => (
                    <Typography.Paragraph key={d.term} style={{ marginBottom: 6 }}>
                      <Typography.Text strong>{d.term}</Typography.Text>: {d.text}
                    </Typography.Paragraph>
                  ))
                : 'See “What these numbers count” below.'}
            </div>
          }
        >
          <button type="button" aria-label={`What “${title}” counts`} style={{ border: 0, background: 'none', padding: 0, cursor: 'help', color: 'inherit', opacity: 0.6 }}>
            <InfoCircleOutlined />
          </button>
        </Popover>
      </div>
      <div data-testid={`${testId}-value`} style={{ fontSize: 20, fontWeight: 600, lineHeight: 1.4, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {value}
      </div>
      {note && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`${testId}-note`}>
          {note}
        </Typography.Text>
      )}
    </Card>
  );
}

/** The cohort's headline figures, each with what it counts one click away. */
export function SummaryCards({ report }: { report: PerformanceReport }) {
  const t = report.totals;
  const cur = report.workspace.currency;
  const money = (v: number) => formatMoney(v, cur);
  const defs = report.definitions;
  return (
    <div data-testid="summary-cards" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))', gap: 12 }}>
      <Figure testId="card-rate" title="Recovery rate" value={pct(t.rate)} note={`95%: ${interval(t.rateLow, t.rateHigh)} · ${count(t.recovered)} of ${count(t.invoices)}`} terms={['recovery rate', 'rate']} definitions={defs} />
      <Figure testId="card-rate-amount" title="Rate by amount" value={pct(t.rateByAmount)} note={`of ${money(t.amountDue)} due`} terms={['by amount']} definitions={defs} />
      <Figure testId="card-recovered" title="Recovered revenue" value={money(t.amountRecovered)} note={t.partial ? `+ ${money(t.amountPartial)} partly paid (${count(t.partial)})` : undefined} terms={['recovered revenue', 'revenue']} definitions={defs} />
      <Figure testId="card-at-risk" title="Revenue at risk" value={money(t.amountAtRisk)} note={`${count(t.open)} still open`} terms={['at risk']} definitions={defs} />
      <Figure testId="card-cost" title="Cost" value={money(t.costVoice + t.costOffers)} note={`voice ${money(t.costVoice)} · offers ${money(t.costOffers)}`} terms={['cost']} definitions={defs} />
      <Figure testId="card-net" title="Net" value={money(t.net)} terms={['net']} definitions={defs} />
      <Figure testId="card-days" title="Days to recovery" value={`${days(t.medianDays)} median`} note={`p90 ${days(t.p90Days)}`} terms={['median', 'time to recovery', 'days']} definitions={defs} />
      <Figure testId="card-without-action" title="Recovered without action" value={count(t.recoveredWithoutAction)} note={t.recovered ? `${pct(t.recoveredWithoutAction / t.recovered)} of recovered` : undefined} terms={['without action']} definitions={defs} />
    </div>
  );
}
