// The runs table's columns: an id in MLflow's search syntax (`metrics.accuracy`, `params.lr`,
// `tags.team`, `attributes.start_time`), how to read its value from a run, and its order_by clause.
import type { Run } from '../api/types.js';

export type ColumnKind = 'attributes' | 'params' | 'metrics' | 'tags';

export interface ColumnRef {
  kind: ColumnKind;
  key: string;
}

export const ATTRIBUTE_COLUMNS = ['run_name', 'start_time', 'duration', 'status', 'user_id', 'run_id'] as const;
export const DEFAULT_ATTRIBUTE_COLUMNS = ['run_name', 'start_time', 'duration', 'status'];
/** Attributes the server can order by (`duration` is derived, so it is not sortable). */
const ORDERABLE_ATTRIBUTES = new Set(['run_name', 'start_time', 'end_time', 'status', 'user_id', 'run_id']);

const KINDS: ColumnKind[] = ['attributes', 'params', 'metrics', 'tags'];

export function columnId(ref: ColumnRef): string {
  return `${ref.kind}.${ref.key}`;
}

export function parseColumnId(id: string): ColumnRef | null {
  const dot = id.indexOf('.');
  if (dot < 0) return null;
  const kind = id.slice(0, dot) as ColumnKind;
  const key = id.slice(dot + 1);
  return KINDS.includes(kind) && key !== '' ? { kind, key } : null;
}

/** A key as the filter/order_by grammar needs it: bare when it is a plain identifier, else backquoted. */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `\`${key}\``;
}

export function isSortable(ref: ColumnRef): boolean {
  return ref.kind !== 'attributes' || ORDERABLE_ATTRIBUTES.has(ref.key);
}

export interface SortSpec {
  column: string;
  descending: boolean;
}

export function orderByClause(sort: SortSpec): string | null {
  const ref = parseColumnId(sort.column);
  if (!ref || !isSortable(ref)) return null;
  const kind = ref.kind === 'attributes' ? 'attributes' : ref.kind;
  return `${kind}.${quoteKey(ref.key)} ${sort.descending ? 'DESC' : 'ASC'}`;
}

export function metricValue(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

/** The raw value of a column for one run (numbers for metrics and times), or undefined when unset. */
export function cellValue(run: Run, ref: ColumnRef): string | number | undefined {
  switch (ref.kind) {
    case 'params':
      return run.data.params?.find((p) => p.key === ref.key)?.value;
    case 'tags':
      return run.data.tags?.find((t) => t.key === ref.key)?.value;
    case 'metrics': {
      const m = run.data.metrics?.find((x) => x.key === ref.key);
      return m === undefined ? undefined : metricValue(m.value);
    }
    case 'attributes':
      return attributeValue(run, ref.key);
  }
}

function attributeValue(run: Run, key: string): string | number | undefined {
  const info = run.info;
  switch (key) {
    case 'run_name':
      return info.run_name;
    case 'run_id':
      return info.run_id;
    case 'status':
      return info.status;
    case 'user_id':
      return info.user_id;
    case 'start_time':
      return info.start_time;
    case 'end_time':
      return info.end_time;
    case 'duration':
      return info.start_time !== undefined && info.end_time !== undefined
        ? Number(info.end_time) - Number(info.start_time)
        : undefined;
    default:
      return undefined;
  }
}

export function columnLabel(ref: ColumnRef): string {
  if (ref.kind === 'attributes') {
    const names: Record<string, string> = {
      run_name: 'Run name',
      start_time: 'Created',
      end_time: 'Ended',
      duration: 'Duration',
      status: 'Status',
      user_id: 'User',
      run_id: 'Run ID',
    };
    return names[ref.key] ?? ref.key;
  }
  return ref.key;
}

/** The keys of every param, metric and tag seen in some runs (for the column picker and autocomplete). */
export interface SeenKeys {
  params: Set<string>;
  metrics: Set<string>;
  tags: Set<string>;
}

export function emptySeenKeys(): SeenKeys {
  return { params: new Set(), metrics: new Set(), tags: new Set() };
}

export function addSeenKeys(seen: SeenKeys, runs: Run[]): SeenKeys {
  const next: SeenKeys = { params: new Set(seen.params), metrics: new Set(seen.metrics), tags: new Set(seen.tags) };
  for (const run of runs) {
    for (const p of run.data.params ?? []) next.params.add(p.key);
    for (const m of run.data.metrics ?? []) next.metrics.add(m.key);
    for (const t of run.data.tags ?? []) if (!t.key.startsWith('mlflow.')) next.tags.add(t.key);
  }
  return next;
}
