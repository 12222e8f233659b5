// Reads runs with their params, tags, latest metrics and dataset inputs in a few set-based
// queries, whatever the number of runs, keeping the order the ids were given in.
import type { DatasetInput, Metric, Run, RunData, RunInfo, RunStatus, Tag } from '../entities.js';
import type { RunCache } from './run-cache.js';
import type { Dialect } from '../../db/dialect.js';
import { readInt64 } from '../../core/int64.js';
import { allValues, placeholders, type SqlDatabase, type SqlExecutor, type SqlValue } from '../../db/sql-database.js';

export interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: string;
  /** int64 columns as the driver hands them back (see readInt64) */
  start_time: number | bigint | string | null;
  end_time: number | bigint | string | null;
  lifecycle_stage: string;
  artifact_uri: string | null;
  experiment_id: number;
}

export interface MetricRow {
  run_uuid?: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

/** The runs columns in RunRow's order; with the dialect, start and end times beyond 2^53 read exactly. */
export function runColumns(dialect?: Dialect): string {
  const time = (column: string) => (dialect ? `${dialect.exactInt64(`r.${column}`)} AS ${column}` : `r.${column}`);
  return (
    `r.run_uuid, r.name, r.user_id, r.status, ${time('start_time')}, ${time('end_time')}, ` +
    'r.lifecycle_stage, r.artifact_uri, r.experiment_id'
  );
}

// Keeps every IN list well under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK = 500;

export function toRunInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_uuid,
    runName: row.name ?? '',
    experimentId: String(row.experiment_id),
    userId: row.user_id ?? '',
    status: row.status as RunStatus,
    startTime: row.start_time === null || row.start_time === undefined ? 0 : readInt64(row.start_time),
    endTime: row.end_time === null || row.end_time === undefined ? null : readInt64(row.end_time),
    artifactUri: row.artifact_uri ?? '',
    lifecycleStage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  };
}

export function toMetric(row: MetricRow): Metric {
  return {
    key: row.key,
    value: row.is_nan ? Number.NaN : Number(row.value),
    timestamp: readInt64(row.timestamp),
    step: readInt64(row.step),
  };
}

async function inChunks<T>(ids: readonly string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await fn(ids.slice(i, i + CHUNK))));
  return out;
}

async function loadInputs(db: SqlExecutor, ids: readonly string[]): Promise<Map<string, DatasetInput[]>> {
  type InputRow = {
    run_uuid: string;
    input_uuid: string;
    name: string;
    digest: string;
    dataset_source_type: string;
    dataset_source: string;
    dataset_schema: string | null;
    dataset_profile: string | null;
  };
  const rows = await inChunks(ids, (chunk) =>
    db.all<InputRow>(
      `SELECT i.destination_id AS run_uuid, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source,
            d.dataset_schema, d.dataset_profile
       FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
      WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id IN (${placeholders(chunk.length)})
      ORDER BY d.name, d.digest`,
      chunk,
    ),
  );
  const tagRows = await inChunks(
    rows.map((r) => r.input_uuid),
    (chunk) =>
      db.all<{ input_uuid: string; name: string; value: string }>(
        `SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN (${placeholders(chunk.length)}) ORDER BY name`,
        chunk,
      ),
  );
  const tagsByInput = new Map<string, Tag[]>();
  for (const t of tagRows) {
    const list = tagsByInput.get(t.input_uuid) ?? [];
    list.push({ key: t.name, value: t.value });
    tagsByInput.set(t.input_uuid, list);
  }
  const out = new Map<string, DatasetInput[]>();
  for (const r of rows) {
    const list = out.get(r.run_uuid) ?? [];
    list.push({
      tags: tagsByInput.get(r.input_uuid) ?? [],
      dataset: {
        name: r.name,
        digest: r.digest,
        sourceType: r.dataset_source_type,
        source: r.dataset_source,
        ...(r.dataset_schema !== null ? { schema: r.dataset_schema } : {}),
        ...(r.dataset_profile !== null ? { profile: r.dataset_profile } : {}),
      },
    });
    out.set(r.run_uuid, list);
  }
  return out;
}

type KeyValueRow = [runUuid: string, key: string, value: string];

/** Hands each row (first value: its run id) to add with its run's data; rows come grouped by run, so one lookup per run. */
function eachRunRow<R extends [string, ...unknown[]]>(
  dataById: Map<string, RunData>,
  rows: R[],
  add: (data: RunData, row: R) => void,
): void {
  let lastId: string | undefined;
  let data: RunData | undefined;
  for (const row of rows) {
    if (row[0] !== lastId) {
      lastId = row[0];
      data = dataById.get(lastId);
    }
    if (data) add(data, row);
  }
}
type MetricValuesRow = [runUuid: string, key: string, value: number, timestamp: number, step: number, isNan: number];

/** A run cache already synced with the database's change token `token` (read before any SQL). */
export interface SyncedRunCache {
  cache: RunCache;
  token: string;
}

/**
 * loadRuns through a synced run cache: cached runs (read-only, shared) for the ids it holds, the
 * rest read and added. Without a cache, plain loadRuns.
 */
export async function loadRunsCached(
  db: SqlDatabase,
  ids: readonly string[],
  cached: SyncedRunCache | undefined,
): Promise<Run[]> {
  if (cached === undefined) return loadRuns(db, ids, db.dialect);
  const runs = ids.map((id) => cached.cache.get(id));
  const missing = ids.filter((_, i) => runs[i] === undefined);
  if (missing.length === 0) return runs as Run[];
  const loaded = new Map((await loadRuns(db, missing, db.dialect)).map((run) => [run.info.runId, run]));
  cached.cache.put(cached.token, [...loaded.values()]);
  const out: Run[] = [];
  ids.forEach((id, i) => {
    const run = runs[i] ?? loaded.get(id); // ids that no longer exist are skipped, as loadRuns does
    if (run) out.push(run);
  });
  return out;
}

/**
 * Loads complete runs for the given ids; ids that do not exist are skipped. Rows are read as
 * value arrays and ordered by the (run_uuid, key) primary key, so the driver builds no object per
 * row and the database needs no sort: these rows are most of the cost of a search returning many
 * runs (about half as much as objects ordered by key).
 */
export async function loadRuns(db: SqlExecutor, ids: readonly string[], dialect?: Dialect): Promise<Run[]> {
  if (ids.length === 0) return [];
  // with the dialect, steps and timestamps beyond 2^53 read exactly (without it, as numbers)
  const exact = (column: string) => (dialect ? dialect.exactInt64(column) : column);
  const byId =
    <R extends unknown[]>(sql: string) =>
    (chunk: string[]) =>
      allValues<R>(db, sql.replace('$IDS', placeholders(chunk.length)), chunk as SqlValue[]);
  const runRows = await inChunks(
    ids,
    byId<unknown[]>(`SELECT ${runColumns(dialect)} FROM runs r WHERE r.run_uuid IN ($IDS)`),
  );
  const paramRows = await inChunks(
    ids,
    byId<KeyValueRow>('SELECT run_uuid, key, value FROM params WHERE run_uuid IN ($IDS) ORDER BY run_uuid, key'),
  );
  const tagRows = await inChunks(
    ids,
    byId<KeyValueRow>('SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ($IDS) ORDER BY run_uuid, key'),
  );
  const metricRows = await inChunks(
    ids,
    byId<MetricValuesRow>(
      `SELECT run_uuid, key, value, ${exact('timestamp')}, ${exact('step')}, is_nan FROM latest_metrics
     WHERE run_uuid IN ($IDS) ORDER BY run_uuid, key`,
    ),
  );
  const inputs = await loadInputs(db, ids);
  const dataById = new Map<string, RunData>();
  for (const r of runRows) dataById.set(r[0] as string, { metrics: [], params: [], tags: [] });
  eachRunRow(dataById, paramRows, (data, p) => data.params.push({ key: p[1], value: p[2] }));
  eachRunRow(dataById, tagRows, (data, t) => data.tags.push({ key: t[1], value: t[2] }));
  eachRunRow(dataById, metricRows, (data, m) =>
    data.metrics.push({
      key: m[1],
      value: m[5] ? Number.NaN : Number(m[2]),
      timestamp: readInt64(m[3]),
      step: readInt64(m[4]),
    }),
  );
  const rowsById = new Map<string, unknown[]>();
  for (const r of runRows) rowsById.set(r[0] as string, r);
  const runs: Run[] = [];
  for (const id of ids) {
    const r = rowsById.get(id);
    if (!r) continue;
    runs.push({
      info: toRunInfo({
        // runColumns() order
        run_uuid: r[0],
        name: r[1],
        user_id: r[2],
        status: r[3],
        start_time: r[4],
        end_time: r[5],
        lifecycle_stage: r[6],
        artifact_uri: r[7],
        experiment_id: r[8],
      } as RunRow),
      data: dataById.get(id) as RunData,
      inputs: { datasetInputs: inputs.get(id) ?? [] },
    });
  }
  return runs;
}
