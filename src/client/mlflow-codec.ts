// MLflow's REST JSON (snake_case, proto JSON) to and from the camelCase entities of
// src/tracking/entities.ts, for the client side of the wire.
import type {
  Dataset, DatasetInput, Experiment, LifecycleStage, Metric, Param, Run, RunInfo, RunStatus, Tag,
} from '../tracking/entities.js';

export type Json = Record<string, unknown>;

/** Proto JSON carries non-finite doubles as the strings 'NaN', 'Infinity', '-Infinity'. */
export function doubleToJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function doubleFromJson(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return Number(value);
}

/** int64 fields may arrive as strings (proto JSON) or numbers (MLflow's Python server). */
function int(value: unknown, fallback = 0): number {
  if (value === undefined || value === null || value === '') return fallback;
  return Number(value);
}

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

export function tagsFromJson(value: unknown): Tag[] {
  return list(value).map((t) => ({ key: str(t.key), value: str(t.value) }));
}

export const tagsToJson = (tags: Tag[]): Json[] => tags.map((t) => ({ key: t.key, value: t.value }));
export const paramsToJson = (params: Param[]): Json[] => params.map((p) => ({ key: p.key, value: p.value }));

export function metricToJson(m: Metric): Json {
  return { key: m.key, value: doubleToJson(m.value), timestamp: m.timestamp, step: m.step };
}

export function metricFromJson(m: Json): Metric {
  return { key: str(m.key), value: doubleFromJson(m.value), timestamp: int(m.timestamp), step: int(m.step) };
}

export function experimentFromJson(e: Json): Experiment {
  return {
    experimentId: str(e.experiment_id),
    name: str(e.name),
    artifactLocation: str(e.artifact_location),
    lifecycleStage: (str(e.lifecycle_stage) || 'active') as LifecycleStage,
    creationTime: int(e.creation_time),
    lastUpdateTime: int(e.last_update_time),
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
    startTime: int(info.start_time),
    endTime: info.end_time === undefined || info.end_time === null ? null : int(info.end_time),
    artifactUri: str(info.artifact_uri),
    lifecycleStage: (str(info.lifecycle_stage) || 'active') as LifecycleStage,
  };
}

function datasetFromJson(d: Json): Dataset {
  const out: Dataset = { name: str(d.name), digest: str(d.digest), sourceType: str(d.source_type), source: str(d.source) };
  if (d.schema !== undefined && d.schema !== null) out.schema = str(d.schema);
  if (d.profile !== undefined && d.profile !== null) out.profile = str(d.profile);
  return out;
}

export function datasetInputToJson(input: DatasetInput): Json {
  const d = input.dataset;
  const dataset: Json = { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source };
  if (d.schema !== undefined) dataset.schema = d.schema;
  if (d.profile !== undefined) dataset.profile = d.profile;
  return { tags: tagsToJson(input.tags ?? []), dataset };
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
    inputs: {
      datasetInputs: list(inputs.dataset_inputs).map((i) => ({
        tags: tagsFromJson(i.tags), dataset: datasetFromJson((i.dataset ?? {}) as Json),
      })),
    },
  };
}
