// MLflow's wire format for tracking entities, both ways, for the server and the client alike: proto
// JSON (snake_case, int64 as JSON numbers, unset fields and empty lists omitted, NaN/±Infinity as the
// strings "NaN", "Infinity", "-Infinity"), and the scalar forms protobuf JSON accepts on the way in.
// It lives beside the entities it converts, as MLflow's to_proto/from_proto live on its entities.
import { InvalidParameter } from '../core/errors.js';
import { decimalInt64, type Int64 } from '../core/int64.js';
import type {
  Dataset,
  DatasetInput,
  Experiment,
  LifecycleStage,
  Metric,
  Param,
  Run,
  RunInfo,
  RunStatus,
  Tag,
  ViewType,
} from './entities.js';
import type { MetricWithRunId } from './store.js';

export type Json = Record<string, unknown>;

// ---- scalars

/** protobuf's JSON mapping writes non-finite doubles as strings; MLflow's clients expect exactly these. */
export function doubleToJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

function nonFiniteFromJson(value: unknown): number | undefined {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return undefined;
}

/** A double from a response: numbers, the non-finite strings, or numeric strings, as MLflow's servers send. */
export function doubleFromJson(value: unknown): number {
  if (typeof value === 'number') return value;
  return nonFiniteFromJson(value) ?? Number(value);
}

/** A double from a request, strictly: anything but a number or a numeric string is refused, naming `field`. */
export function parseDouble(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const nonFinite = nonFiniteFromJson(value);
    if (nonFinite !== undefined) return nonFinite;
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n)) return n;
  }
  throw new InvalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be a number.`,
  );
}

/**
 * int64 fields may arrive as strings (proto JSON) or numbers (MLflow's Python server); a value
 * beyond 2^53 (a bigint from core/exact-json.ts, or decimal text) stays exact.
 */
function int64FromJson(value: unknown, fallback = 0): Int64 {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') return decimalInt64(value) ?? Number(value);
  return Number(value);
}

/** An int64 field the entity keeps as a number (experiment times). */
const numberFromJson = (value: unknown): number => Number(int64FromJson(value));

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const isSet = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** Proto enums arrive by name (any case) or by number. */
function enumParser<T extends string>(names: readonly T[]) {
  const byKey = new Map<string, T>();
  names.forEach((name, i) => {
    byKey.set(name, name);
    byKey.set(String(i + 1), name);
  });
  return (value: unknown, field: string): T | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = byKey.get(String(value).toUpperCase());
    if (parsed === undefined) {
      throw new InvalidParameter(
        `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be one of ${names.join(', ')}.`,
      );
    }
    return parsed;
  };
}

const viewType = enumParser<ViewType>(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']);
const runStatus = enumParser<RunStatus>(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

export function parseViewType(value: unknown, field: string): ViewType | undefined {
  return viewType(value, field);
}

export function parseRunStatus(value: unknown): RunStatus | undefined {
  return runStatus(value, 'status');
}

// ---- entities to JSON

export const tagsToJson = (tags: Tag[]): Json[] => tags.map((t) => ({ key: t.key, value: t.value }));
export const paramsToJson = (params: Param[]): Json[] => params.map((p) => ({ key: p.key, value: p.value }));

/** Adds `key: value` only when the list is non-empty: proto JSON omits empty repeated fields. */
function putList(target: Json, key: string, items: unknown[]): void {
  if (items.length > 0) target[key] = items;
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
  putList(out, 'tags', tagsToJson(e.tags));
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
  if (isSet(info.endTime)) out.end_time = info.endTime;
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
  if (isSet(d.schema)) out.schema = d.schema;
  if (isSet(d.profile)) out.profile = d.profile;
  return out;
}

export function datasetInputToJson(input: DatasetInput): Json {
  const out: Json = {};
  putList(out, 'tags', tagsToJson(input.tags ?? []));
  out.dataset = datasetToJson(input.dataset);
  return out;
}

export function runToJson(run: Run): Json {
  const data: Json = {};
  putList(data, 'metrics', run.data.metrics.map(metricToJson));
  putList(data, 'params', paramsToJson(run.data.params));
  putList(data, 'tags', tagsToJson(run.data.tags));
  const inputs: Json = {};
  putList(inputs, 'dataset_inputs', (run.inputs?.datasetInputs ?? []).map(datasetInputToJson));
  return { info: runInfoToJson(run.info), data, inputs };
}

// ---- JSON to entities (lenient: absent fields get proto defaults)

/** `{key, value}` objects; a missing value is '' as protobuf parsing gives. */
export function tagsFromJson(value: unknown): Tag[] {
  return list(value).map((t) => ({ key: str(t.key), value: str(t.value) }));
}

export function metricFromJson(m: Json): Metric {
  return {
    key: str(m.key),
    value: doubleFromJson(m.value),
    timestamp: int64FromJson(m.timestamp),
    step: int64FromJson(m.step),
  };
}

export function experimentFromJson(e: Json): Experiment {
  return {
    experimentId: str(e.experiment_id),
    name: str(e.name),
    artifactLocation: str(e.artifact_location),
    lifecycleStage: (str(e.lifecycle_stage) || 'active') as LifecycleStage,
    creationTime: numberFromJson(e.creation_time),
    lastUpdateTime: numberFromJson(e.last_update_time),
    tags: tagsFromJson(e.tags),
  };
}

export function runInfoFromJson(info: Json): RunInfo {
  return {
    runId: str(info.run_id ?? info.run_uuid),
    runName: str(info.run_name),
    experimentId: str(info.experiment_id),
    userId: str(info.user_id),
    status: (str(info.status) || 'RUNNING') as RunStatus,
    startTime: int64FromJson(info.start_time),
    endTime: isSet(info.end_time) ? int64FromJson(info.end_time) : null,
    artifactUri: str(info.artifact_uri),
    lifecycleStage: (str(info.lifecycle_stage) || 'active') as LifecycleStage,
  };
}

function datasetFromJson(d: Json): Dataset {
  const out: Dataset = {
    name: str(d.name),
    digest: str(d.digest),
    sourceType: str(d.source_type),
    source: str(d.source),
  };
  if (isSet(d.schema)) out.schema = str(d.schema);
  if (isSet(d.profile)) out.profile = str(d.profile);
  return out;
}

export function datasetInputsFromJson(value: unknown): DatasetInput[] {
  return list(value).map((entry) => ({
    tags: tagsFromJson(entry.tags),
    dataset: datasetFromJson((entry.dataset ?? {}) as Json),
  }));
}

export function runFromJson(run: Json): Run {
  const data = (run.data ?? {}) as Json;
  const inputs = (run.inputs ?? {}) as Json;
  return {
    info: runInfoFromJson((run.info ?? {}) as Json),
    data: {
      metrics: list(data.metrics).map(metricFromJson),
      params: list(data.params).map((p) => ({ key: str(p.key), value: str(p.value) })),
      tags: tagsFromJson(data.tags),
    },
    inputs: { datasetInputs: datasetInputsFromJson(inputs.dataset_inputs) },
  };
}
