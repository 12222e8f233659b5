// Reads runs with their params, tags, latest metrics and dataset inputs in a few set-based
// queries, whatever the number of runs, keeping the order the ids were given in.
import type { DatasetInput, Metric, Run, RunInfo, RunStatus, Tag } from '../entities.js';
import type { SqlExecutor, SqlValue } from './sql-database.js';

export interface RunRow {
  run_uuid: string; name: string | null; user_id: string | null; status: string; start_time: number | null;
  end_time: number | null; lifecycle_stage: string; artifact_uri: string | null; experiment_id: number;
}

export interface MetricRow { run_uuid?: string; key: string; value: number; timestamp: number; step: number; is_nan: number }

export const RUN_COLUMNS = 'r.run_uuid, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri, r.experiment_id';

// Keeps every IN list well under SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK = 500;

export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

export function toRunInfo(row: RunRow): RunInfo {
  return {
    runId: row.run_uuid,
    runName: row.name ?? '',
    experimentId: String(row.experiment_id),
    userId: row.user_id ?? '',
    status: row.status as RunStatus,
    startTime: row.start_time ?? 0,
    endTime: row.end_time ?? null,
    artifactUri: row.artifact_uri ?? '',
    lifecycleStage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  };
}

export function toMetric(row: MetricRow): Metric {
  return { key: row.key, value: row.is_nan ? Number.NaN : Number(row.value), timestamp: Number(row.timestamp), step: Number(row.step) };
}

async function inChunks<T>(ids: string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...await fn(ids.slice(i, i + CHUNK)));
  return out;
}

function groupBy<T extends { run_uuid?: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const key = row.run_uuid as string;
    let list = map.get(key);
    if (!list) { list = []; map.set(key, list); }
    list.push(row);
  }
  return map;
}

async function loadInputs(db: SqlExecutor, ids: string[]): Promise<Map<string, DatasetInput[]>> {
  type InputRow = {
    run_uuid: string; input_uuid: string; name: string; digest: string; dataset_source_type: string;
    dataset_source: string; dataset_schema: string | null; dataset_profile: string | null;
  };
  const rows = await inChunks(ids, (chunk) => db.all<InputRow>(
    `SELECT i.destination_id AS run_uuid, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source,
            d.dataset_schema, d.dataset_profile
       FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
      WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id IN (${placeholders(chunk.length)})
      ORDER BY d.name, d.digest`, chunk));
  const tagRows = await inChunks(rows.map((r) => r.input_uuid), (chunk) => db.all<{ input_uuid: string; name: string; value: string }>(
    `SELECT input_uuid, name, value FROM input_tags WHERE input_uuid IN (${placeholders(chunk.length)}) ORDER BY name`, chunk));
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
        name: r.name, digest: r.digest, sourceType: r.dataset_source_type, source: r.dataset_source,
        ...(r.dataset_schema !== null ? { schema: r.dataset_schema } : {}),
        ...(r.dataset_profile !== null ? { profile: r.dataset_profile } : {}),
      },
    });
    out.set(r.run_uuid, list);
  }
  return out;
}

/** Loads complete runs for the given ids; ids that do not exist are skipped. */
export async function loadRuns(db: SqlExecutor, ids: string[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  const byId = (sql: string) => (chunk: string[]) => db.all<Record<string, unknown>>(sql.replace('$IDS', placeholders(chunk.length)), chunk as SqlValue[]);
  const runRows = await inChunks(ids, byId(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid IN ($IDS)`)) as unknown as RunRow[];
  const params = groupBy(await inChunks(ids, byId('SELECT run_uuid, key, value FROM params WHERE run_uuid IN ($IDS) ORDER BY key')) as { run_uuid: string; key: string; value: string }[]);
  const tags = groupBy(await inChunks(ids, byId('SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ($IDS) ORDER BY key')) as { run_uuid: string; key: string; value: string }[]);
  const metrics = groupBy(await inChunks(ids, byId(
    'SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN ($IDS) ORDER BY key')) as unknown as MetricRow[]);
  const inputs = await loadInputs(db, ids);
  const rowsById = new Map(runRows.map((r) => [r.run_uuid, r]));
  const runs: Run[] = [];
  for (const id of ids) {
    const row = rowsById.get(id);
    if (!row) continue;
    runs.push({
      info: toRunInfo(row),
      data: {
        metrics: (metrics.get(id) ?? []).map(toMetric),
        params: (params.get(id) ?? []).map((p) => ({ key: p.key, value: p.value })),
        tags: (tags.get(id) ?? []).map((t) => ({ key: t.key, value: t.value })),
      },
      inputs: { datasetInputs: inputs.get(id) ?? [] },
    });
  }
  return runs;
}
