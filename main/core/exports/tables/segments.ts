import type { Segment } from '../../../../shared/contract';
import { col, money, type Table } from '../table';

/** Segments by priority with their members, MRR, open invoices and amount at risk (workspace currency). */
export function segmentsTable(segments: Segment[], currency: string): Table {
  const ws = currency.toLowerCase();
  return {
    name: 'Segments',
    title: 'Segments',
    columns: [
      col('priority', 'Priority', 'integer'),
      col('name', 'Segment'),
      col('description', 'Description'),
      col('members', 'Members', 'integer'),
      money('mrr', 'MRR', ws),
      col('open_invoices', 'Open failed invoices', 'integer'),
      money('amount_at_risk', 'Amount at risk', ws),
      col('currency', 'Currency'),
      col('default', 'Built-in'),
    ],
    rows: segments.map((s) => [s.priority, s.name, s.description, s.stats.members, s.stats.mrr, s.stats.openInvoices, s.stats.amountAtRisk, ws.toUpperCase(), s.isDefault ? 'yes' : 'no']),
  };
}
