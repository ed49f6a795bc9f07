import { useState, type ReactNode } from 'react';

/** One column of a DataTable: its header, how a row fills its cell, and whether it holds a number (right-aligned). */
export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  numeric?: boolean;
  /** A class of the cell, e.g. `wrap` for long URLs. */
  className?: string;
  /** Attributes of the cell, e.g. `data-direction` for a money movement. */
  cellProps?: (row: Row) => Record<`data-${string}`, string>;
}

/**
 * The table every list page shows: a scrollable frame (phone width), column headers with `scope`,
 * one row per item. `rowKey` gives each row a stable React key.
 */
export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  label,
}: {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string | number;
  /** Names a table wide enough to scroll sideways: its frame becomes a labelled region keyboards can scroll. */
  label?: string;
}) {
  return (
    <div className="table-wrap" {...(label ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {})}>
      <table>
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, i) => (
                <td
                  key={i}
                  className={[column.numeric && 'num', column.className].filter(Boolean).join(' ') || undefined}
                  {...column.cellProps?.(row)}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Cursor paging for a list: the cursor of the page shown (undefined for the first) and the cursors
 * before it, so that "Previous" goes back without the API paging backwards.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    hasPrevious: cursors.length > 0,
    previous: () => setCursors(cursors.slice(0, -1)),
    next: (cursor: string) => setCursors([...cursors, cursor]),
    /** Back to the first page (after the filters change). */
    reset: () => setCursors([]),
  };
}

/** Previous / Next under a cursor-paged table; Next is off on the last page (no X-Next-Cursor). */
export function Pager({
  pages,
  nextCursor,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
}) {
  return (
    <div className="pager">
      <button type="button" className="secondary" disabled={!pages.hasPrevious} onClick={pages.previous}>
        Previous
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!nextCursor}
        onClick={() => nextCursor && pages.next(nextCursor)}
      >
        Next
      </button>
    </div>
  );
}
