// The run tag `mlflow.log-model.history`: a JSON list (Python json.dumps text) with one entry per
// logged model, as MLflow keeps it (`record_logged_model`, `Model.get_tags_dict`). The SQL store
// appends to it (TrackingStore.recordLoggedModel); a client builds the entry it sends.
import { InvalidParameter } from '../core/errors.js';
import { pythonJsonDumps } from '../core/python-json.js';

export const LOGGED_MODELS_TAG = 'mlflow.log-model.history';

/** Fields a logged model's JSON must carry (MLflow's `_log_model` handler). */
const REQUIRED_FIELDS = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const;
const ENTRY_FIELDS = ['run_id', 'artifact_path', 'utc_time_created', 'model_uuid'] as const;

/** MLflow's `Model.get_tags_dict`: the subset of an MLmodel the history keeps, flavors without their `config`. */
export function loggedModelEntry(mlmodel: object): Record<string, unknown> {
  const model = mlmodel as Readonly<Record<string, unknown>>;
  const entry: Record<string, unknown> = {};
  for (const key of ENTRY_FIELDS) {
    if (model[key] !== undefined) entry[key] = model[key];
  }
  const flavors: Record<string, unknown> = {};
  for (const [name, config] of Object.entries((model.flavors ?? {}) as Record<string, unknown>)) {
    if (config && typeof config === 'object' && !Array.isArray(config)) {
      const { config: _dropped, ...rest } = config as Record<string, unknown>;
      flavors[name] = rest;
    } else {
      flavors[name] = config;
    }
  }
  entry.flavors = flavors;
  return entry;
}

/** Parses a logged model's JSON (the log-model request's `model_json`) and returns its history entry. */
export function parseLoggedModelJson(modelJson: string): Record<string, unknown> {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw new InvalidParameter(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
  }
  if (!model || typeof model !== 'object' || Array.isArray(model)) {
    throw new InvalidParameter(`Malformed model info. \n ${modelJson} \n is not a JSON object.`);
  }
  const fields = model as Record<string, unknown>;
  const missing = REQUIRED_FIELDS.filter((k) => !(k in fields));
  if (missing.length > 0) {
    throw new InvalidParameter(`Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`);
  }
  return loggedModelEntry(fields);
}

/** The tag's next value: the previous list plus `entry`; an unparseable list is replaced, not an obstacle. */
export function appendLoggedModel(previous: string | undefined, entry: Record<string, unknown>): string {
  let history: unknown[] = [];
  if (previous) {
    try {
      const parsed = JSON.parse(previous) as unknown;
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
  }
  history.push(entry);
  return pythonJsonDumps(history);
}
