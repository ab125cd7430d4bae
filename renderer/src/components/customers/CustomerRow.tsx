import { memo } from 'react';
import type { CustomerFacts } from '../../../../shared/contract';
import { COLUMNS, GRID, MemberOf, type CellContext } from './columns';

export const ROW = 40;

interface Props {
  index: number;
  start: number;
  /** null while its page loads */
  row: CustomerFacts | null;
  active: boolean;
  /** The segment the table is filtered by, if any (#21: a member another segment wins says both). */
  filtered: { id: string; name: string } | undefined;
  x: CellContext;
  onPick: (index: number, customerId: string | null) => void;
}

const CELL_STYLE = COLUMNS.map((c): React.CSSProperties => ({ padding: '0 8px', textAlign: c.align ?? 'left', overflow: 'hidden', whiteSpace: 'nowrap', textOverflow: 'ellipsis' }));

/**
 * One row of the virtualised Customers table. Memoised: scrolling renders only the rows that
 * come into view (#22: every scroll event re-rendered all ~50 rows before), and a row whose
 * page arrives or whose selection changes.
 */
export const CustomerRow = memo(function CustomerRow({ index, start, row, active, filtered, x, onPick }: Props) {
  const { token } = x;
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={active}
      data-testid={row ? `customer-row-${row.customer_id}` : undefined}
      onClick={() => onPick(index, row?.customer_id ?? null)}
      style={{
        // A row never moves (its index fixes its place): `top`, not a transform, so rows are not
        // layers of their own; contained, so a row coming in lays out and paints alone.
        position: 'absolute',
        top: start,
        left: 0,
        right: 0,
        height: ROW,
        contain: 'strict',
        display: 'grid',
        gridTemplateColumns: GRID,
        alignItems: 'center',
        fontSize: 13,
        cursor: 'pointer',
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        background: active ? token.controlItemBgActive : undefined,
      }}
    >
      {row ? (
        COLUMNS.map((c, i) => (
          <div key={c.key} role="gridcell" style={CELL_STYLE[i]}>
            {c.key === 'segment' && filtered && row.segment?.id !== filtered.id ? <MemberOf member={filtered} winner={row.segment} x={x} /> : c.render(row, x)}
          </div>
        ))
      ) : (
        <div style={{ padding: '0 8px', color: token.colorTextQuaternary }}>Loading…</div>
      )}
    </div>
  );
});
