import type { GlobalToken } from 'antd';
import type { CustomerFacts } from '../../../../shared/contract';
import type { SORTABLE } from '../../../../shared/contract';
import { declineWords } from '../../../../shared/stripe-words';
import { formatDays, formatMoney } from '../../lib/format';

export type SortField = (typeof SORTABLE)[number];

/**
 * What a cell needs besides the customer. Cells are plain elements styled from the theme's
 * tokens (no antd Typography, Tag or Tooltip per cell: at 40 rows × 10 cells those cost most
 * of each scrolled frame, #22); a tooltip is the element's title.
 */
export interface CellContext {
  currency: string;
  token: GlobalToken;
}

export interface Column {
  key: string;
  label: string;
  width: string;
  sort?: SortField;
  align?: 'right';
  render: (c: CustomerFacts, x: CellContext) => React.ReactNode;
}

const secondary = (x: CellContext, text: React.ReactNode, extra?: React.CSSProperties) => <span style={{ color: x.token.colorTextSecondary, ...extra }}>{text}</span>;

/** A tag as antd's (filled variant) draws it: a light background, the text in the colour, no border. */
const TAG: React.CSSProperties = { display: 'inline-block', padding: '0 7px', fontSize: 12, lineHeight: '20px', borderRadius: 4, border: '1px solid transparent', whiteSpace: 'nowrap', maxWidth: '100%', overflow: 'hidden', textOverflow: 'ellipsis', verticalAlign: 'middle' };
const presetTag = (x: CellContext, color: 'red' | 'orange'): React.CSSProperties => ({ ...TAG, background: x.token[`${color}1`], color: x.token[`${color}7`] });

/** A segment's colour (#rrggbb) at 95 % lightness, as antd's Tag fills a custom colour; one computation per colour. */
const tints = new Map<string, string>();
export function tint(hex: string): string {
  let t = tints.get(hex);
  if (t === undefined) {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const l = (max + min) / 2;
    const d = max - min;
    const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
    let h = 0;
    if (d !== 0) h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    // Back from hue, saturation and lightness 0.95 to RGB.
    const c = (1 - Math.abs(2 * 0.95 - 1)) * s;
    const xx = c * (1 - Math.abs((h % 2) - 1));
    const m = 0.95 - c / 2;
    const hh = (h + 6) % 6;
    const [r1, g1, b1] = hh < 1 ? [c, xx, 0] : hh < 2 ? [xx, c, 0] : hh < 3 ? [0, c, xx] : hh < 4 ? [0, xx, c] : hh < 5 ? [xx, 0, c] : [c, 0, xx];
    t = Number.isNaN(r + g + b) ? hex : `#${[r1, g1, b1].map((v) => Math.round((v + m) * 255).toString(16).padStart(2, '0')).join('')}`;
    tints.set(hex, t);
  }
  return t;
}

export const COLUMNS: Column[] = [
  {
    key: 'customer',
    label: 'Customer',
    width: 'minmax(180px, 2fr)',
    sort: 'email',
    render: (c, x) => (
      <>
        <span style={{ fontWeight: 600, color: x.token.colorText }}>{c.name ?? c.email ?? c.customer_id}</span> {secondary(x, c.email ?? c.customer_id, { fontSize: 12 })}
      </>
    ),
  },
  {
    key: 'segment',
    label: 'Segment',
    width: 'minmax(130px, 1fr)',
    render: (c, x) => (c.segment ? <span style={{ ...TAG, background: tint(c.segment.color), color: c.segment.color }}>{c.segment.name}</span> : secondary(x, 'Default')),
  },
  { key: 'plan', label: 'Plan', width: '100px', render: (c, x) => c.plan ?? secondary(x, '—') },
  { key: 'mrr', label: 'MRR', width: '110px', sort: 'mrr', align: 'right', render: (c, x) => formatMoney(c.mrr, x.currency) },
  {
    key: 'risk',
    label: 'At risk',
    width: '110px',
    sort: 'amount_at_risk',
    align: 'right',
    render: (c, x) => (c.amount_at_risk > 0 ? <span style={{ color: x.token.colorError }}>{formatMoney(c.amount_at_risk, x.currency)}</span> : '—'),
  },
  { key: 'pastdue', label: 'Past due', width: '70px', align: 'right', render: (c) => c.open_past_due_count || '—' },
  { key: 'failures', label: 'Fails 12m', width: '80px', sort: 'failures_12m', align: 'right', render: (c) => c.failures_12m || '—' },
  {
    key: 'decline',
    label: 'Last decline',
    width: '140px',
    render: (c, x) =>
      c.last_decline_code ? (
        <span
          data-testid="decline"
          title={`${c.last_decline_hard ? 'Hard decline: do not retry, ask for a new card' : 'Soft decline: a retry may succeed'} (Stripe code ${c.last_decline_code})`}
          style={presetTag(x, c.last_decline_hard ? 'red' : 'orange')}
        >
          {declineWords(c.last_decline_code)}
        </span>
      ) : (
        '—'
      ),
  },
  { key: 'tenure', label: 'Tenure', width: '80px', sort: 'tenure_days', align: 'right', render: (c) => formatDays(c.tenure_days) },
  { key: 'ltv', label: 'LTV', width: '110px', sort: 'ltv', align: 'right', render: (c, x) => formatMoney(c.ltv, x.currency) },
];

/** #21: filtered by a segment, a member another (higher-priority) segment wins says both. */
export function MemberOf({ member, winner, x }: { member: { name: string }; winner: { name: string } | null; x: CellContext }) {
  const text = `member of ${member.name} · handled by ${winner?.name ?? 'Default'}`;
  return (
    <span title={`${text}: a higher-priority segment wins, so its strategy applies`} data-testid="member-of" style={{ color: x.token.colorTextSecondary, fontSize: 12 }}>
      {text}
    </span>
  );
}

export const GRID = COLUMNS.map((c) => c.width).join(' ');
/** The narrowest the columns go; below it the table scrolls sideways inside itself (the page never does). */
export const GRID_MIN_WIDTH = COLUMNS.reduce((sum, c) => sum + Number(/(\d+)px/.exec(c.width)?.[1] ?? 0), 0);
