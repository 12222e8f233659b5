// Writes runs straight to MLflow's proto JSON text, for the endpoints that return many of them
// (runs/search): the same bytes' meaning as runToJson() through the R.runs response schema, without
// building a snake_case object per run, metric, param and tag and then walking it again with the
// generic serialiser. Field order follows the schema; absent and empty fields are omitted.
import { int64Json, type Int64 } from '../core/int64.js';
import type { Metric, Run, RunInfo, Tag } from '../tracking/entities.js';
import { datasetInputToJson } from './mlflow-json.js';

const str = JSON.stringify;

/** protobuf JSON: non-finite doubles as the strings MLflow's clients expect; -0 as 0 like JSON.stringify. */
function doubleText(value: number): string {
  if (Number.isFinite(value)) return value === 0 ? '0' : String(value);
  if (Number.isNaN(value)) return '"NaN"';
  return value > 0 ? '"Infinity"' : '"-Infinity"';
}

/** int64 fields: integers as the generic serialiser writes them (non-numbers as 0, fractions truncated). */
function intText(value: Int64): string {
  if (typeof value === 'bigint' || Number.isInteger(value)) return int64Json(value);
  const n = Number(value);
  return Number.isFinite(n) ? String(Math.trunc(n)) : '0';
}

function infoText(info: RunInfo): string {
  const id = str(info.runId);
  let out = `{"run_id":${id},"run_uuid":${id},"run_name":${str(info.runName)},"experiment_id":${str(info.experimentId)},"user_id":${str(info.userId)},"status":${str(info.status)},"start_time":${intText(info.startTime)}`;
  if (info.endTime !== null && info.endTime !== undefined) out += `,"end_time":${intText(info.endTime)}`;
  return `${out},"artifact_uri":${str(info.artifactUri)},"lifecycle_stage":${str(info.lifecycleStage)}}`;
}

/** Quoted keys: runs of one experiment mostly share their metric, param and tag keys. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = str(key);
    if (quotedKeys.size >= 4096) quotedKeys.clear();
    quotedKeys.set(key, q);
  }
  return q;
}

function appendMetrics(out: string, metrics: Metric[]): string {
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i];
    out += (i === 0 ? '{"key":' : ',{"key":') + quotedKey(m.key) + ',"value":' + doubleText(m.value)
      + ',"timestamp":' + intText(m.timestamp) + ',"step":' + intText(m.step) + '}';
  }
  return out;
}

function appendKeyValues(out: string, list: Tag[]): string {
  for (let i = 0; i < list.length; i++) {
    out += (i === 0 ? '{"key":' : ',{"key":') + quotedKey(list[i].key) + ',"value":' + str(list[i].value) + '}';
  }
  return out;
}

function appendRun(out: string, run: Run): string {
  const { metrics, params, tags } = run.data;
  out += '{"info":' + infoText(run.info) + ',"data":{';
  let sep = '';
  if (metrics.length > 0) { out = appendMetrics(out + '"metrics":[', metrics) + ']'; sep = ','; }
  if (params.length > 0) { out = appendKeyValues(out + sep + '"params":[', params) + ']'; sep = ','; }
  if (tags.length > 0) out = appendKeyValues(out + sep + '"tags":[', tags) + ']';
  const datasetInputs = run.inputs?.datasetInputs ?? [];
  // rare and nested: the generic converter, whose key order matches the schema
  if (datasetInputs.length > 0) return out + '},"inputs":{"dataset_inputs":' + str(datasetInputs.map(datasetInputToJson)) + '}}';
  return out + '},"inputs":{}}';
}

/** One run as runToJson() would serialise: `{"info":…,"data":{…},"inputs":{…}}`. */
export function runJsonText(run: Run): string {
  return appendRun('', run);
}

// Frozen runs (the store's run cache hands them out, shared and unchangeable) are encoded once;
// the bytes live as long as the run object does.
const frozenRunBytes = new WeakMap<Run, Buffer>();

function runJsonBytes(run: Run): Buffer {
  if (!Object.isFrozen(run)) return Buffer.from(appendRun('', run));
  let bytes = frozenRunBytes.get(run);
  if (bytes === undefined) {
    bytes = Buffer.from(appendRun('', run));
    frozenRunBytes.set(run, bytes);
  }
  return bytes;
}

const COMMA = Buffer.from(',');
const RUNS_OPEN = Buffer.from('{"runs":[');
const RUNS_CLOSE = Buffer.from(']');

// The last few search bodies made only of frozen runs: the same page of the same (unchanged, shared)
// run objects gives the same bytes, so a search repeated while nothing was written reuses them
// instead of copying a fresh body each time (and leaving it to the garbage collector).
const RECENT_BODIES = 8;
const RECENT_BODY_MAX_BYTES = 2 * 1024 * 1024;
interface RecentBody { runs: readonly Run[]; nextPageToken: string | undefined; bytes: Buffer }
const recentBodies: RecentBody[] = [];

function sameRuns(a: readonly Run[], b: readonly Run[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A SearchRuns response body, `runs` and `next_page_token` each omitted when empty, as UTF-8
 * bytes: each run is encoded on its own and the pieces copied once into the body (encoding one
 * 150 KB string built by concatenation costs more than the rest of a cached search).
 */
export function searchRunsJson(runs: readonly Run[], nextPageToken?: string): Buffer {
  const token = nextPageToken || undefined;
  const memoisable = runs.length > 0 && runs.every((run) => Object.isFrozen(run));
  if (memoisable) {
    const i = recentBodies.findIndex((b) => b.nextPageToken === token && sameRuns(b.runs, runs));
    if (i >= 0) {
      const [hit] = recentBodies.splice(i, 1);
      recentBodies.unshift(hit);
      return hit.bytes;
    }
  }
  const bytes = encodeSearchRuns(runs, token);
  if (memoisable && bytes.length <= RECENT_BODY_MAX_BYTES) {
    recentBodies.unshift({ runs: [...runs], nextPageToken: token, bytes });
    if (recentBodies.length > RECENT_BODIES) recentBodies.pop();
  }
  return bytes;
}

function encodeSearchRuns(runs: readonly Run[], nextPageToken: string | undefined): Buffer {
  const parts: Buffer[] = [];
  if (runs.length > 0) {
    parts.push(RUNS_OPEN);
    for (let i = 0; i < runs.length; i++) {
      if (i > 0) parts.push(COMMA);
      parts.push(runJsonBytes(runs[i]));
    }
    parts.push(RUNS_CLOSE);
  }
  const token = nextPageToken ? `"next_page_token":${str(nextPageToken)}` : '';
  if (runs.length === 0) return Buffer.from(`{${token}}`);
  parts.push(Buffer.from(token ? `,${token}}` : '}'));
  return Buffer.concat(parts);
}
