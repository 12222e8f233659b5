// The runs table: TanStack Table for the column model, TanStack Virtual for the rows, so only the
// rows in view are in the DOM however many are loaded. Scrolling near the end asks for the next page.
import { type ColumnDef, createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router-dom';
import { type ColumnRef, type SortSpec, cellValue, columnLabel, isSortable, parseColumnId } from '../lib/columns.js';
import { formatDuration, formatNumber, formatTime } from '../lib/format.js';
import type { TreeRow } from '../lib/run-tree.js';

const ROW_HEIGHT = 32;
const features = tableFeatures({});
const helper = createColumnHelper<typeof features, TreeRow>();

interface Props {
  /** Kept mounted (scroll position, loaded pages) while the chart view is shown. */
  hidden?: boolean;
  rows: TreeRow[];
  columns: string[];
  sort: SortSpec;
  selected: ReadonlySet<string>;
  collapsed: ReadonlySet<string>;
  hasMore: boolean;
  loading: boolean;
  onSort: (column: string) => void;
  onToggleSelect: (runId: string) => void;
  onToggleAll: () => void;
  onToggleCollapse: (runId: string) => void;
  onLoadMore: () => void;
}

function widthOf(ref: ColumnRef): number {
  if (ref.kind === 'attributes') {
    if (ref.key === 'run_name') return 240;
    if (ref.key === 'start_time' || ref.key === 'end_time') return 170;
    if (ref.key === 'run_id') return 280;
    return 110;
  }
  return 150;
}

function renderValue(ref: ColumnRef, value: string | number | undefined): string {
  if (value === undefined) return '';
  if (ref.kind === 'attributes' && (ref.key === 'start_time' || ref.key === 'end_time'))
    return formatTime(Number(value));
  if (ref.kind === 'attributes' && ref.key === 'duration') return formatDuration(Number(value));
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

export function RunsGrid(props: Props) {
  const { rows, columns, sort, selected, hasMore, loading, onLoadMore } = props;
  const refs = useMemo(
    () => columns.map((id) => parseColumnId(id)).filter((r): r is ColumnRef => r !== null),
    [columns],
  );
  const template = `36px ${refs.map((r) => `${widthOf(r)}px`).join(' ')}`;
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.run.info.run_id));

  // the handlers live in a ref so the column definitions stay stable while selection changes
  const handlers = useRef(props);
  handlers.current = props;

  const tableColumns = useMemo(
    (): Array<ColumnDef<typeof features, TreeRow, any>> => [
      helper.display({
        id: '__select',
        cell: ({ row }) => {
          const run = row.original.run;
          const name = run.info.run_name || run.info.run_id;
          return (
            <input
              type="checkbox"
              aria-label={`Select run ${name}`}
              checked={handlers.current.selected.has(run.info.run_id)}
              onChange={() => handlers.current.onToggleSelect(run.info.run_id)}
            />
          );
        },
      }),
      ...refs.map((ref) =>
        helper.accessor((row: TreeRow) => cellValue(row.run, ref), {
          id: `${ref.kind}.${ref.key}`,
          cell: ({ row, getValue }) => {
            const value = getValue();
            if (ref.kind === 'attributes' && ref.key === 'run_name') return runNameCell(row.original, handlers.current);
            if (ref.kind === 'attributes' && ref.key === 'status') {
              return <span className={`status-${String(value)}`}>{String(value ?? '')}</span>;
            }
            return renderValue(ref, value);
          },
        }),
      ),
    ],
    [refs],
  );

  const table = useTable({
    features,
    columns: tableColumns,
    data: rows,
    getRowId: (row: TreeRow) => row.run.info.run_id,
  });
  const tableRows = table.getRowModel().rows;

  const scrollRef = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => tableRows[index]?.id ?? index,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? (items[items.length - 1]?.index ?? 0) : 0;

  // Up/Down (and Page Up/Down) move focus to the same control in another row; the virtualizer
  // scrolls that row into view first, since it may not be in the DOM yet.
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    const move = moves[e.key];
    const target = e.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>('tr[data-index]');
    if (move === undefined || !rowEl || (target.tagName === 'BUTTON' && e.key.startsWith('Page'))) return;
    const cell = target.closest('td');
    const column = cell?.getAttribute('data-column') ?? '';
    const next = Math.max(0, Math.min(tableRows.length - 1, Number(rowEl.dataset.index) + move));
    e.preventDefault();
    virtualizer.scrollToIndex(next, { align: 'auto' });
    const focusNext = (tries: number) => {
      const el = scrollRef.current?.querySelector<HTMLElement>(
        `tr[data-index="${next}"] td[data-column="${CSS.escape(column)}"] :is(a, input, button)`,
      );
      if (el) el.focus();
      else if (tries > 0) requestAnimationFrame(() => focusNext(tries - 1));
    };
    // a slow machine may take several frames to render the scrolled-to row: keep trying for ~1 s
    requestAnimationFrame(() => focusNext(60));
  };

  useEffect(() => {
    if (!props.hidden && hasMore && !loading && lastIndex >= tableRows.length - 40) onLoadMore();
  }, [props.hidden, hasMore, loading, lastIndex, tableRows.length, onLoadMore]);

  return (
    <section
      className="grid-scroll"
      ref={scrollRef}
      hidden={props.hidden}
      onKeyDown={onKeyDown}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
      tabIndex={0}
      aria-label="Runs table"
    >
      <table className="grid-table" aria-label="Runs" aria-rowcount={tableRows.length + 1}>
        <thead className="grid-head">
          <tr className="grid-row" style={{ gridTemplateColumns: template }} aria-rowindex={1}>
            <th className="grid-cell" scope="col">
              <input
                type="checkbox"
                aria-label="Select all loaded runs"
                checked={allSelected}
                onChange={props.onToggleAll}
              />
            </th>
            {refs.map((ref) => {
              const id = `${ref.kind}.${ref.key}`;
              const active = sort.column === id;
              const ariaSort = active ? (sort.descending ? 'descending' : 'ascending') : 'none';
              const kind = ref.kind === 'attributes' ? '' : ref.kind === 'params' ? 'param' : ref.kind.slice(0, -1);
              return (
                <th className="grid-cell" scope="col" key={id} aria-sort={ariaSort} title={id}>
                  {isSortable(ref) ? (
                    <button type="button" className="sort" onClick={() => props.onSort(id)} data-column={id}>
                      {kind ? <span className="kind">{kind}</span> : null}
                      {columnLabel(ref)}
                      {active ? (sort.descending ? ' \u2193' : ' \u2191') : ''}
                    </button>
                  ) : (
                    <span>{columnLabel(ref)}</span>
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = tableRows[item.index];
            if (!row) return null;
            const isSelected = selected.has(row.id);
            return (
              <tr
                key={row.id}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                data-run-id={row.id}
                className={`grid-row${isSelected ? ' selected' : ''}`}
                style={{ gridTemplateColumns: template, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              >
                {row.getAllCells().map((cell) => (
                  <td
                    key={cell.id}
                    className={`grid-cell${cell.column.id.startsWith('metrics.') ? ' num' : ''}`}
                    data-column={cell.column.id}
                  >
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function runNameCell(row: TreeRow, props: Props) {
  const run = row.run;
  const collapsed = props.collapsed.has(run.info.run_id);
  return (
    <span style={{ paddingLeft: row.depth * 18 }}>
      {row.childCount > 0 ? (
        <button
          type="button"
          className="twisty"
          aria-expanded={!collapsed}
          aria-label={`${collapsed ? 'Show' : 'Hide'} ${row.childCount} child runs`}
          onClick={() => props.onToggleCollapse(run.info.run_id)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
      ) : (
        <span className="twisty" style={{ display: 'inline-block' }} />
      )}
      <Link to={`/runs/${run.info.run_id}`}>{run.info.run_name || run.info.run_id}</Link>
    </span>
  );
}
