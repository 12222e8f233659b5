// Converts Cairn's camelCase entities to MLflow's proto JSON (snake_case, int64 as numbers, absent
// fields omitted) and parses the scalar forms protobuf JSON accepts on the way in.
import { InvalidParameter } from '../core/errors.js';
import type {
  Dataset, DatasetInput, Experiment, Metric, Run, RunInfo, RunStatus, Tag, ViewType,
} from '../tracking/entities.js';
import type { MetricWithRunId } from '../tracking/store.js';

type Json = Record<string, unknown>;

/** protobuf's JSON mapping writes non-finite doubles as strings; MLflow's clients expect exactly these. */
export function doubleToJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function parseDouble(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n)) return n;
  }
  throw new InvalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be a number.`);
}

const VIEW_TYPES: Record<string, ViewType> = {
  ACTIVE_ONLY: 'ACTIVE_ONLY', DELETED_ONLY: 'DELETED_ONLY', ALL: 'ALL', 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL',
};

export function parseViewType(value: unknown, field: string): ViewType | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const v = VIEW_TYPES[String(value).toUpperCase()];
  if (!v) throw new InvalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be one of ACTIVE_ONLY, DELETED_ONLY, ALL.`);
  return v;
}

const RUN_STATUSES: Record<string, RunStatus> = {
  RUNNING: 'RUNNING', SCHEDULED: 'SCHEDULED', FINISHED: 'FINISHED', FAILED: 'FAILED', KILLED: 'KILLED',
  1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED',
};

export function parseRunStatus(value: unknown): RunStatus | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = RUN_STATUSES[String(value).toUpperCase()];
  if (!s) throw new InvalidParameter(`Invalid value ${JSON.stringify(value)} for parameter 'status' supplied: must be one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.`);
  return s;
}

function tagsJson(tags: Tag[]): Json[] {
  return tags.map((t) => ({ key: t.key, value: t.value }));
}

/** Adds `key: value` only when the list is non-empty: proto JSON omits empty repeated fields. */
function putList(target: Json, key: string, list: unknown[]): void {
  if (list.length > 0) target[key] = list;
}

export function experimentToJson(e: Experiment): Json {
  const out: Json = {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
  };
  putList(out, 'tags', tagsJson(e.tags));
  return out;
}

export function runInfoToJson(info: RunInfo): Json {
  const out: Json = {
    run_id: info.runId,
    run_uuid: info.runId,
    run_name: info.runName,
    experiment_id: info.experimentId,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
  };
  if (info.endTime !== null && info.endTime !== undefined) out.end_time = info.endTime;
  out.artifact_uri = info.artifactUri;
  out.lifecycle_stage = info.lifecycleStage;
  return out;
}

export function metricToJson(m: Metric): Json {
  return { key: m.key, value: doubleToJson(m.value), timestamp: m.timestamp, step: m.step };
}

export function metricWithRunIdToJson(m: MetricWithRunId): Json {
  return { ...metricToJson(m), run_id: m.runId };
}

function datasetToJson(d: Dataset): Json {
  const out: Json = { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source };
  if (d.schema !== undefined && d.schema !== null) out.schema = d.schema;
  if (d.profile !== undefined && d.profile !== null) out.profile = d.profile;
  return out;
}

export function datasetInputToJson(input: DatasetInput): Json {
  const out: Json = {};
  putList(out, 'tags', tagsJson(input.tags));
  out.dataset = datasetToJson(input.dataset);
  return out;
}

export function runToJson(run: Run): Json {
  const data: Json = {};
  putList(data, 'metrics', run.data.metrics.map(metricToJson));
  putList(data, 'params', run.data.params.map((p) => ({ key: p.key, value: p.value })));
  putList(data, 'tags', tagsJson(run.data.tags));
  const inputs: Json = {};
  putList(inputs, 'dataset_inputs', (run.inputs?.datasetInputs ?? []).map(datasetInputToJson));
  return { info: runInfoToJson(run.info), data, inputs };
}

/** Request-side tags: `{key, value}` objects; a missing value is '' as protobuf parsing gives. */
export function tagsFromJson(list: unknown): Tag[] {
  if (!Array.isArray(list)) return [];
  return list.map((t: { key?: unknown; value?: unknown }) => ({ key: String(t.key ?? ''), value: String(t.value ?? '') }));
}

export function datasetInputsFromJson(list: unknown): DatasetInput[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry: { tags?: unknown; dataset?: Record<string, unknown> }) => {
    const d = entry.dataset ?? {};
    const dataset: Dataset = {
      name: String(d.name ?? ''),
      digest: String(d.digest ?? ''),
      sourceType: String(d.source_type ?? ''),
      source: String(d.source ?? ''),
    };
    if (d.schema !== undefined && d.schema !== null) dataset.schema = String(d.schema);
    if (d.profile !== undefined && d.profile !== null) dataset.profile = String(d.profile);
    return { tags: tagsFromJson(entry.tags), dataset };
  });
}
