// The runs view's state as it lives in the URL, so a view can be shared: filter, sort, columns,
// and which runs are shown (active, deleted, all).
import type { ViewType } from '../api/types.js';
import { DEFAULT_ATTRIBUTE_COLUMNS, type SortSpec, parseColumnId } from './columns.js';

export interface RunsView {
  filter: string;
  sort: SortSpec;
  /** Column ids in display order. */
  columns: string[];
  viewType: ViewType;
}

export const DEFAULT_SORT: SortSpec = { column: 'attributes.start_time', descending: true };

export function defaultColumns(): string[] {
  return DEFAULT_ATTRIBUTE_COLUMNS.map((k) => `attributes.${k}`);
}

export function readRunsView(params: URLSearchParams): RunsView {
  const sortParam = params.get('sort');
  let sort = DEFAULT_SORT;
  if (sortParam) {
    const descending = sortParam.startsWith('-');
    const column = descending ? sortParam.slice(1) : sortParam;
    if (parseColumnId(column)) sort = { column, descending };
  }
  const cols = params.getAll('col').filter((c) => parseColumnId(c) !== null);
  const view = params.get('view');
  return {
    filter: params.get('filter') ?? '',
    sort,
    columns: params.has('col') ? cols : defaultColumns(),
    viewType: view === 'deleted' ? 'DELETED_ONLY' : view === 'all' ? 'ALL' : 'ACTIVE_ONLY',
  };
}

export function writeRunsView(view: RunsView, base?: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of base ?? []) if (!['filter', 'sort', 'col', 'view'].includes(k)) out.append(k, v);
  if (view.filter) out.set('filter', view.filter);
  if (view.sort.column !== DEFAULT_SORT.column || view.sort.descending !== DEFAULT_SORT.descending) {
    out.set('sort', `${view.sort.descending ? '-' : ''}${view.sort.column}`);
  }
  const isDefault = view.columns.join('\n') === defaultColumns().join('\n');
  if (!isDefault) {
    if (view.columns.length === 0) out.set('col', '');
    for (const c of view.columns) out.append('col', c);
  }
  if (view.viewType === 'DELETED_ONLY') out.set('view', 'deleted');
  if (view.viewType === 'ALL') out.set('view', 'all');
  return out;
}
