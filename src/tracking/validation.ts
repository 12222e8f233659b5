// MLflow's tracking limits and key rules (mlflow/utils/validation.py, 2.17) as named constants and
// check functions, shared by the client and the server. Every failure is an InvalidParameter.
import { InvalidParameter } from '../core/errors.js';
import type { Int64 } from '../core/int64.js';
import type { DatasetInput, Metric, Param, Tag } from './entities.js';

export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
/** MLflow's runs.name column is VARCHAR(250); longer names cannot be stored. */
export const MAX_RUN_NAME_LENGTH = 250;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_DATASETS_PER_BATCH = 1000;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
export const MAX_DATASET_SOURCE_SIZE = 65_535;
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
export const SEARCH_RUNS_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_RUNS_MAX_RESULTS_THRESHOLD = 50_000;
export const SEARCH_EXPERIMENTS_MAX_RESULTS_DEFAULT = 1000;
export const MAX_EXPERIMENTS_LISTED_PER_PAGE = 50_000;
export const METRIC_HISTORY_MAX_RESULTS_THRESHOLD = 25_000;
export const BULK_INTERVAL_MAX_RESULTS_DEFAULT = 320;
export const BULK_INTERVAL_MAX_RESULTS_THRESHOLD = 2500;
export const BULK_INTERVAL_MAX_RUNS = 100;
/**
 * MLflow 2.17 has no cap of its own, but its SQL store joins a table per comparison, so on SQLite it
 * fails past about 63 (SQLite's 64-table join limit). Cairn joins the first few and looks the rest
 * up per candidate run (run-search-compiler.ts), so it takes more than MLflow on SQLite; the cap
 * keeps PostgreSQL's planning short (100 comparisons and 20 order keys: ~0.2 s; 120: seconds).
 */
export const MAX_FILTER_COMPARISONS = 100;
/** Key comparisons compiled as joins (with up to 20 order keys, under SQLite's 64 tables). */
export const MAX_JOINED_FILTERS = 40;
export const MAX_ORDER_BY_CLAUSES = 20;

// Python's \w is Unicode-aware, hence the u flag and \p classes.
const VALID_KEY = /^[/\p{L}\p{N}_.\- ]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const BAD_CHARACTERS_MESSAGE =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).';
const MISSING_KEY_MESSAGE = 'A key name must be provided.';

/** posixpath.normpath: collapses `.`, `..` and repeated slashes the way Python does. */
export function posixNormpath(path: string): string {
  if (path === '') return '.';
  const lead = path.startsWith('//') && !path.startsWith('///') ? 2 : path.startsWith('/') ? 1 : 0;
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..' || (lead === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(part);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(lead) + out.join('/');
  return joined === '' ? '.' : joined;
}

/** True when a key would name a different file than itself (MLflow's path_not_unique). */
export function pathNotUnique(name: string): boolean {
  // without a slash, normpath changes only '' (to '.'); '.' and '..'-prefixed names are rejected as-is
  if (!name.includes('/')) return name === '' || name === '.' || name.startsWith('..');
  const norm = posixNormpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

function badPathMessage(name: string): string {
  return (
    'Names may be treated as files in certain cases, and must not resolve to other names when treated as such. ' +
    `This name would resolve to '${posixNormpath(name)}'`
  );
}

function validateKey(kind: string, name: unknown): asserts name is string {
  if (name === undefined || name === null)
    throw new InvalidParameter(`${kind} name cannot be None. ${MISSING_KEY_MESSAGE}`);
  if (typeof name !== 'string')
    throw new InvalidParameter(`Invalid ${kind.toLowerCase()} name: '${String(name)}'. It must be a string.`);
  if (!VALID_KEY.test(name))
    throw new InvalidParameter(`Invalid ${kind.toLowerCase()} name: '${name}'. ${BAD_CHARACTERS_MESSAGE}`);
  if (pathNotUnique(name))
    throw new InvalidParameter(`Invalid ${kind.toLowerCase()} name: '${name}'. ${badPathMessage(name)}`);
}

export function validateLengthLimit(entity: string, limit: number, value: string): void {
  if (value.length > limit) {
    throw new InvalidParameter(
      `${entity} '${value.slice(0, 250)}${value.length > 250 ? '...' : ''}' had length ${value.length}, which exceeded length limit of ${limit}`,
    );
  }
}

function requireString(entity: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidParameter(`${entity} must be a string, got ${JSON.stringify(value)}`);
}

/** Python's repr of a float, as MLflow's messages print a metric value (1 → '1.0', NaN → 'nan'). */
export function pythonFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** An int64 as the store takes it: an exact number, or a bigint within [-2^63, 2^63-1]. */
function isInt64(v: unknown): v is Int64 {
  if (typeof v === 'number') return Number.isSafeInteger(v);
  return typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n;
}

/** `json.dumps` of a scalar, as MLflow's invalid_value echoes it. */
function echo(value: unknown): string {
  return typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? String(value));
}

/** A metric field's name in MLflow's messages: `value`, or `metrics[3].value` in a batch. */
function metricField(field: string, index: number | undefined): string {
  return index === undefined ? field : `metrics[${index}].${field}`;
}

/**
 * MLflow's _validate_metric, with its messages; `path` is the metric's place in a batch
 * (`metrics[3]`), empty for a single metric.
 */
export function validateMetric(metric: Metric, index?: number): void {
  // a batch checks up to 1000 metrics: a message (and the value's repr in it) is built only on failure
  validateKey('Metric', metric.key);
  validateLengthLimit('Metric name', MAX_ENTITY_KEY_LENGTH, metric.key);
  // JSON cannot carry NaN, so NaN/Infinity arrive as numbers only through direct calls; all are legal.
  if (metric.value === undefined || metric.value === null) {
    throw new InvalidParameter(`Missing value for required parameter '${metricField('value', index)}'.`);
  }
  if (typeof metric.value !== 'number') {
    throw new InvalidParameter(
      `Invalid value ${echo(metric.value)} for parameter '${metricField('value', index)}' supplied: (timestamp=${String(metric.timestamp)}). ` +
        'Please specify value as a valid double (64-bit floating point)',
    );
  }
  if (!isInt64(metric.timestamp) || metric.timestamp < 0) {
    const value = pythonFloatRepr(metric.value);
    throw new InvalidParameter(
      `Invalid value ${echo(metric.timestamp)} for parameter '${metricField('timestamp', index)}' supplied: metric '${metric.key}' ` +
        `(value=${value}). Timestamp must be a nonnegative long (64-bit integer) `,
    );
  }
  if (!isInt64(metric.step)) {
    const value = pythonFloatRepr(metric.value);
    throw new InvalidParameter(
      `Invalid value ${echo(metric.step)} for parameter '${metricField('step', index)}' supplied: metric '${metric.key}' ` +
        `(value=${value}). Step must be a valid long (64-bit integer).`,
    );
  }
}

export function validateParam(param: Param): void {
  validateKey('Param', param.key);
  validateLengthLimit('Param key', MAX_ENTITY_KEY_LENGTH, param.key);
  requireString(`Value of param '${param.key}'`, param.value);
  validateLengthLimit('Param value', MAX_PARAM_VAL_LENGTH, param.value);
}

export function validateTag(tag: Tag): void {
  validateKey('Tag', tag.key);
  validateLengthLimit('Tag key', MAX_ENTITY_KEY_LENGTH, tag.key);
  requireString(`Value of tag '${tag.key}'`, tag.value);
  validateLengthLimit('Tag value', MAX_TAG_VAL_LENGTH, tag.value);
}

export function validateTagKey(key: string): void {
  validateKey('Tag', key);
  validateLengthLimit('Tag key', MAX_ENTITY_KEY_LENGTH, key);
}

export function validateExperimentTag(tag: Tag): void {
  validateKey('Tag', tag.key);
  validateLengthLimit('Tag key', MAX_EXPERIMENT_TAG_KEY_LENGTH, tag.key);
  requireString(`Value of tag '${tag.key}'`, tag.value);
  validateLengthLimit('Tag value', MAX_EXPERIMENT_TAG_VAL_LENGTH, tag.value);
}

export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new InvalidParameter(`Invalid experiment name: '${String(name ?? '')}'. It must be a non-empty string.`);
  }
  validateLengthLimit('Experiment name', MAX_EXPERIMENT_NAME_LENGTH, name);
}

export function validateRunName(name: string): void {
  requireString('Run name', name);
  validateLengthLimit('Run name', MAX_RUN_NAME_LENGTH, name);
}

export function validateRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId))
    throw new InvalidParameter(`Invalid run ID: '${String(runId)}'`);
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (n: number, limit: number, what: string): void => {
    if (n > limit) {
      throw new InvalidParameter(
        `A batch logging request can contain at most ${limit} ${what}. Got ${n} ${what}. ` +
          'Please split up the request across multiple requests and try again.',
      );
    }
  };
  check(metrics, MAX_METRICS_PER_BATCH, 'metrics');
  check(params, MAX_PARAMS_TAGS_PER_BATCH, 'params');
  check(tags, MAX_PARAMS_TAGS_PER_BATCH, 'tags');
  check(metrics + params + tags, MAX_ENTITIES_PER_BATCH, 'metrics, params, and tags');
}

export function validateDatasetInput(input: DatasetInput): void {
  const d = input.dataset;
  requireString('Dataset name', d?.name);
  requireString('Dataset digest', d.digest);
  requireString('Dataset source_type', d.sourceType);
  requireString('Dataset source', d.source);
  validateLengthLimit('Dataset name', MAX_DATASET_NAME_SIZE, d.name);
  validateLengthLimit('Dataset digest', MAX_DATASET_DIGEST_SIZE, d.digest);
  validateLengthLimit('Dataset source', MAX_DATASET_SOURCE_SIZE, d.source);
  if (d.schema !== undefined) validateLengthLimit('Dataset schema', MAX_DATASET_SCHEMA_SIZE, d.schema);
  if (d.profile !== undefined) validateLengthLimit('Dataset profile', MAX_DATASET_PROFILE_SIZE, d.profile);
  for (const tag of input.tags ?? []) {
    requireString('Input tag key', tag.key);
    requireString('Input tag value', tag.value);
    validateLengthLimit('Input tag key', MAX_INPUT_TAG_KEY_SIZE, tag.key);
    validateLengthLimit('Input tag value', MAX_INPUT_TAG_VALUE_SIZE, tag.value);
  }
}

/** Checks an optional max_results against [1, max] and returns it or the default. */
export function resolveMaxResults(
  value: number | undefined,
  defaultValue: number,
  max: number,
  param = 'max_results',
): number {
  if (value === undefined || value === null) return defaultValue;
  // MLflow's SqlAlchemyStore._validate_max_results_param words
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidParameter(
      `Invalid value ${JSON.stringify(value)} for parameter '${param}' supplied. It must be a positive integer`,
    );
  }
  if (value > max) {
    throw new InvalidParameter(`Invalid value ${value} for parameter '${param}' supplied. It must be at most ${max}`);
  }
  return value;
}
